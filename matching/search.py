"""Keyword search: names and words -> the best services at locations, for one viewer (docs/search.md).

One module for every output that takes words: `q` on /api/services/, /api/organizations/, /api/locations/ and
/api/match/, HSDS `search`, the web search page, and the type-ahead (`suggest`). It reads only the search documents
(matching.models.SearchDocument), which the database derives from the registry with the match index, in the same
transaction as any write. What a viewer may search is what the disclosure policy shows them: callers who see every
site exactly (providers.access) also search the service text withheld from the public; everyone else searches only
`document`, and near a place is measured from the point they are shown.

A search has two parts: which documents match (every one, whatever their number: `matches_sql`, which the lists
and matching filter by) and which are best (`search`: the MAX_RANKED best, in order, with a typo-tolerant second
pass (any word, or the names' words misspelt ones were taken for) when no document holds every word).
"""

import math
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache as shared_cache
from django.db import transaction
from django.db.models import BooleanField, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, UUIDField, Value
from django.db.models.expressions import RawSQL

from core.routing import read_alias, read_connection
from matching.models import SearchDocument
from matching.sqlfiles import compact, render
from matching.taxonomy import vocabulary
from providers.access import ConfidentialAccess

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12  # words past these are dropped (a pasted paragraph searches by its start)
MAX_RANKED = 500  # the best documents a search ranks; every other match follows them, by name
MAX_CANDIDATES = 2000  # matches a search reads to rank, at most: what bounds a common word's cost
MAX_MATCHES = 5000  # documents a list without a place keeps of a query's matches, at most (docs/search.md)
# pg_trgm similarity a word of the names needs to be taken for a misspelt word ("tahrih" for "tahirih" is 0.5); set
# for the second pass's transaction, where the words' trigram index answers the `%` operator with it. The reasons
# say a name is close to the words from the same figure (word similarity).
NAME_SIMILARITY = 0.45
NEARNESS_WEIGHT = 0.5  # at the edge of the radius, relevance counts half
SUGGEST_MIN_CHARS = 2
SUGGEST_NAMES_MIN_CHARS = 3  # names from three letters: a shorter prefix would name half the registry
SUGGEST_LIMIT = 8
SUGGEST_CANDIDATES = 100  # matching documents a type-ahead step reads at most
DISPLACEMENT_CACHE_KEY = "matching:search:widest-displacement"
# A prefix is answered from the documents nearest the place (or first stored): as many as hold, by the names' word
# counts, SUGGEST_SPREAD matching documents per name wanted (a name repeats across sites and services), at least
# SUGGEST_SAMPLE_MIN and at most SUGGEST_SAMPLE; then, for more names, through the names' index anywhere, whose read
# grows with the prefix's matches: only for a prefix at most SUGGEST_ANYWHERE documents hold (or none of the nearest).
SUGGEST_SPREAD = 4
SUGGEST_SAMPLE_MIN = 100
SUGGEST_SAMPLE = 2000
SUGGEST_ANYWHERE = 20_000


class SearchQueryError(ValueError):
    """A query that cannot be searched (its message says why, for a 400 naming the parameter)."""


@dataclass(frozen=True)
class Hit:
    """One service at location a search ranked, and its relevance (near a place, with its distance counted)."""

    offer_id: object
    service_id: object
    location_id: object
    organization_id: object
    relevance: float
    distance_m: float | None


@dataclass
class Found:
    """A search: its words, the tsquery that matched (every word, or any word: `any_word`), the best hits, and near
    a place the tsquery of the cells around it (search_cells; None without a place or past its widest radius) and
    whether the hits are every match within the radius (`complete`: fewer than the ranking keeps)."""

    words: str
    query: str
    any_word: bool = False
    hits: list[Hit] = field(default_factory=list)
    cells: str | None = None
    complete: bool = False
    _by_offer: dict | None = field(default=None, repr=False)

    def ids(self, attribute: str) -> list:
        """The distinct ids of one kind (service_id, location_id, organization_id, offer_id), best first."""
        seen = {}
        for hit in self.hits:
            seen.setdefault(getattr(hit, attribute), None)
        return list(seen)

    def by_offer(self) -> dict:
        if self._by_offer is None:
            self._by_offer = {hit.offer_id: hit for hit in self.hits}
        return self._by_offer


_SPACE = re.compile(r"\s+")
_EXCLUDE = re.compile(r"(^|\s)-+")


def clean_query(raw: str | None) -> str:
    """Return the words to search for, or '' when `raw` is blank (no keyword: the caller ignores it).

    Longer than MAX_QUERY_CHARS is an error; past MAX_QUERY_WORDS the rest is dropped. A query of only common
    words ("the", "de la") is an error: it would match every listing.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = _SPACE.sub(" ", text).strip()
    if not text:
        return ""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"At most {MAX_QUERY_CHARS} characters.")
    # No exclusions: "-shelter" searches for shelter (websearch syntax would make it match everything else).
    text = _EXCLUDE.sub(r"\1", text).strip()
    text = " ".join(text.split(" ")[:MAX_QUERY_WORDS])
    if not text:
        raise SearchQueryError("Give at least one word to search for.")
    with read_connection().cursor() as cursor:
        # Every word a common one in English or in Spanish ("the", "de la", "de-la"): nothing to search by. Split as
        # search_query.sql splits for the any-word pass, which leaves such words out.
        cursor.execute(
            "SELECT bool_and(numnode(plainto_tsquery('english', w)) = 0 OR numnode(plainto_tsquery('spanish', w)) = 0)"
            " FROM unnest(regexp_split_to_array(lower(unaccent(%s)), '[^[:alnum:]]+')) AS w",
            [text],
        )
        if cursor.fetchone()[0]:
            raise SearchQueryError("Give at least one word that is not a common word like 'the' or 'de'.")
    return text


def _text(privileged: bool) -> str:
    return "(d.document || COALESCE(d.withheld, ''))" if privileged else "d.document"


def _in_document(query: str, cells: bool) -> str:
    # With cells (search_cells), the words AND the area's cells: the text's index then reads the area's documents
    # of a common word, not the country's.
    return f"d.document @@ ({query} && %(cells)s::tsquery)" if cells else f"d.document @@ {query}"


def _close(cells: bool) -> str:
    # Documents holding the names' words the typed ones were taken for (search_close.sql); NULL: none.
    return _in_document("%(close)s::tsquery", cells)


def _matches(privileged: bool, cells: bool) -> str:
    # Withheld texts are few (confidential sites' services): searched by the words alone.
    query = "%(query)s::tsquery"
    public = _in_document(query, cells)
    return f"({public} OR d.withheld @@ {query})" if privileged else public


@cache
def _statement(privileged: bool, column: str | None, within_radius: bool = True, cells: bool = False) -> str:
    """The ranking statement for one kind of viewer, measured from `column` (None: no place), ranking only the
    documents within the radius or every match (narrowed first to the radius's cells, with `cells`)."""
    assert column in (None, "point", "public_point")
    if column is None:
        distance, within, nearness = "NULL::float8", "TRUE", "1"
    else:
        origin = "%(origin)s::geography"
        distance = f"ST_Distance(d.{column}, {origin})"
        # Sites without a point (virtual) too: whether their service area reaches the place is the lists' and
        # matching's to say; they rank as if halfway to the edge.
        within = f"(d.{column} IS NULL OR ST_DWithin(d.{column}, {origin}, %(radius_m)s))" if within_radius else "TRUE"
        if within_radius and cells:
            # The cells ("zznowhere" included) find the area's documents; the exact distance is only a filter.
            # As an OR, PostgreSQL would also read the spatial index for "no point", which it reads whole.
            within = f"COALESCE(ST_DWithin(d.{column}, {origin}, %(radius_m)s), TRUE)"
        nearness = f"(1 - {NEARNESS_WEIGHT} * COALESCE(LEAST(distance_m / %(radius_m)s, 1), 0.5))"
    return compact(render("search", text=_text(privileged), matches=_matches(privileged, cells), close=_close(cells),
                          distance=distance, within=within, nearness=nearness))  # fmt: skip


def _column(access: ConfidentialAccess) -> str:
    return "point" if access.all else "public_point"


def _origin(origin) -> str:
    """A geocoded place (geopy) or a GEOS point (the registry filters') as EWKT."""
    longitude, latitude = (origin.x, origin.y) if hasattr(origin, "x") else (origin.longitude, origin.latitude)
    return f"SRID=4326;POINT({longitude} {latitude})"


def search(words: str, *, access: ConfidentialAccess, origin=None, radius_m: float | None = None,
           limit: int | None = None) -> Found:  # fmt: skip
    """Rank the documents `words` (from clean_query) find for this viewer: those holding every word, or, when none
    does, those holding any word or with a name close to the words. Near a place, those within `radius_m` of
    `origin` are ranked (and virtual sites); when none holds every word, every match anywhere counts, unranked (an
    offer whose service area covers the place is in reach however far its office: the lists and matching decide
    that); misspelt names are found near the place only (and anywhere without one)."""
    params = {"limit": limit or MAX_RANKED, "candidates": MAX_CANDIDATES}
    if origin is not None:
        params.update(origin=_origin(origin), radius_m=radius_m)
    # Documents are filed under the cells of the point the public sees; a caller who sees exact points reaches as
    # far again as any site's public point lies from its exact one.
    reach = None if origin is None else radius_m + (_widest_displacement() if access.all else 0)
    with read_connection().cursor() as cursor:
        cursor.execute(compact(render("search_query")), {"q": words, "origin": params.get("origin"), "reach": reach})
        folded, every_word, any_word, cells = cursor.fetchone()
    if not every_word:  # no word left to search (clean_query refuses such a query): never the cells alone
        return Found(folded, every_word, cells=cells)
    params.update(words=folded, cells=cells)
    near = [True, False] if origin is not None else [False]
    for query, typos in ((every_word, False), (any_word, True)):
        for within in near:
            if origin is not None and not within:
                # Every word is in documents outside the radius only: what the lists and matching keep of them (an
                # offer whose service area covers the place) follows the ranked ones; ranking the country's is waste.
                # Misspelt names are looked for near the place only (as the first pass ranks only what is near).
                if not typos and _any_matches(access, every_word):
                    return Found(folded, every_word, cells=cells, complete=True)
                continue
            sql = _statement(access.all, _column(access) if origin is not None else None, within,
                             cells=within and cells is not None)  # fmt: skip
            # The typo threshold for this transaction only (a pooled connection keeps no session setting of ours).
            with _serial_cursor() as cursor:
                close = None
                if typos:
                    cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                                   [str(NAME_SIMILARITY)])  # fmt: skip
                    cursor.execute(compact(render("search_close")), {"words": folded})
                    close = cursor.fetchone()[0]
                cursor.execute(sql, {**params, "query": query, "any_word": typos, "close": close})
                rows = cursor.fetchall()
            if rows:
                hits = [Hit(offer, service, location, organization, round(score, 4), distance)
                        for offer, service, location, organization, _, distance, score in rows]  # fmt: skip
                # Fewer than a pass ranks, or reads (MAX_CANDIDATES): every match within the radius is among the hits.
                complete = origin is not None and within and len(rows) < min(params["limit"], MAX_CANDIDATES)
                return Found(folded, query, any_word=typos, hits=hits, cells=cells, complete=complete)
    return Found(folded, every_word, cells=cells, complete=origin is not None)


@contextmanager
def _serial_cursor():
    """A cursor whose statements run without parallel workers, for this transaction only: launching a worker cost
    about 25 ms here, many times the few milliseconds an indexed search takes (docs/benchmarks.md)."""
    with transaction.atomic(using=read_alias()), read_connection().cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield cursor


def _widest_displacement() -> float:
    """Metres: the farthest any confidential site's public point lies from its exact one, and never less than the
    widest displacement configured now (points drawn under an earlier, wider setting keep their distance). Cached by
    the setting: a process with a wider one never reads a narrower figure (points are drawn within the setting)."""
    key = f"{DISPLACEMENT_CACHE_KEY}:{settings.CONFIDENTIAL_DISPLACEMENT_M[1]}"
    widest = shared_cache.get(key)
    if widest is None:
        with read_connection().cursor() as cursor:
            cursor.execute(
                "SELECT max(ST_Distance(point, public_point)) FROM providers_location "
                "WHERE is_confidential AND point IS NOT NULL AND public_point IS NOT NULL"
            )
            drawn = cursor.fetchone()[0] or 0
        widest = max(float(drawn), float(settings.CONFIDENTIAL_DISPLACEMENT_M[1])) + 100  # spheroid vs. drawn
        shared_cache.set(key, widest, 300)
    return widest


def _any_matches(access: ConfidentialAccess, query: str) -> bool:
    # Through the text's index: expecting many matches, the planner would read the table until it met one, which
    # is all of it when there is none (a misspelt word: 300 ms at 100k documents instead of 1).
    with _serial_cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT EXISTS (SELECT FROM matching_searchdocument d WHERE d.document @@ %(query)s::tsquery"
            " OR (%(withheld)s AND d.withheld @@ %(query)s::tsquery))",
            {"query": query, "withheld": access.all},
        )
        return cursor.fetchone()[0]


def _text_condition(access: ConfidentialAccess, query: str) -> str:
    # `query`: the placeholder the tsquery is bound to.
    return f"document @@ {query}::tsquery" + (f" OR withheld @@ {query}::tsquery" if access.all else "")


def _cells_ids(attribute: str, access: ConfidentialAccess, query: str, cells: str) -> str:
    # Every match in the place's cells, as an array read once (as a subquery, PostgreSQL probed each site's
    # documents in turn instead).
    return (f"ARRAY(SELECT DISTINCT {attribute} FROM matching_searchdocument "  # noqa: S608 (fixed names)
            f"WHERE ({_text_condition(access, query)}) AND document @@ {cells}::tsquery)")  # fmt: skip


def _how(found: Found, attribute: str, access: ConfidentialAccess, few: bool) -> str:
    """How the records a search matches are kept: "ranked" (the hits are every match), "cells" (the documents of
    the place's cells), "each" (each record checked through its own documents) or "capped" (at most MAX_MATCHES)."""
    nearby_sites = few and attribute == "location_id" and access.organization_id is None
    if nearby_sites and found.complete:
        # A site is near by its point alone, and the search ranked every match within the radius: those are the
        # list's (provider staff reach their own sites by exact points, where the search measured public ones).
        return "ranked"
    if nearby_sites and found.cells:
        # More matches than the search ranks: the documents of the place's cells hold every match near it (for
        # callers who see exact points, as far again as any was displaced), read through the text's index, words
        # AND cells, rather than each site in the radius checked (hundreds of ms in a city at 1M).
        return "cells"
    # `few`: the list's other filters leave few records (near a place); otherwise at most MAX_MATCHES documents: a
    # word common across the country would have every list count and order hundreds of thousands of records.
    return "each" if few else "capped"


def matching(found: Found, attribute: str, *, access: ConfidentialAccess, few: bool = False) -> Q:
    """A filter on records whose id (`attribute` of their search documents: service_id, location_id,
    organization_id) has a document the search matches, however many; and the ranked hits (the names a typo
    matched). `few`: the list's other filters leave few records (near a place), so each is checked through its own
    documents rather than every match in the country collected first (`_how`)."""
    assert attribute in ("service_id", "location_id", "organization_id")
    how = _how(found, attribute, access, few)
    if how == "ranked":
        return Q(pk__in=found.ids(attribute))
    params = [found.query, found.query] if access.all else [found.query]
    if how == "cells":
        sql = f"SELECT unnest({_cells_ids(attribute, access, '%s', '%s')})"
        matched = Q(pk__in=RawSQL(sql, [*params, found.cells]))  # noqa: S611 (fixed text, bound queries)
    elif how == "each":
        text = RawSQL(_text_condition(access, "%s"), params, output_field=BooleanField())  # noqa: S611
        matched = Q(Exists(SearchDocument.objects.filter(text, **{attribute: OuterRef("pk")})))
    else:
        # (The column is one of three names asserted above; the query is a bound parameter.)
        sql = (f"SELECT {attribute} FROM matching_searchdocument "  # noqa: S608
               f"WHERE {_text_condition(access, '%s')} LIMIT {int(MAX_MATCHES)}")  # fmt: skip
        matched = Q(pk__in=RawSQL(sql, params))  # noqa: S611
    if not found.any_word:  # the ranked hits all match the text: no list to add
        return matched
    return matched | Q(pk__in=found.ids(attribute))


def sites_matching(found: Found, *, access: ConfidentialAccess, near: bool, site: str) -> tuple[str, dict]:
    """`matching` for sites in a statement of their own (providers.map_list): a condition on the column `site` (a
    location's id) and its named parameters (kw_*)."""
    how = _how(found, "location_id", access, near)
    params = {"kw_query": found.query, "kw_cells": found.cells, "kw_ranked": found.ids("location_id")}
    ranked = f"{site} = ANY(%(kw_ranked)s::uuid[])"
    if how == "ranked":
        return ranked, params
    text = _text_condition(access, "%(kw_query)s")
    condition = {
        "cells": f"{site} = ANY({_cells_ids('location_id', access, '%(kw_query)s', '%(kw_cells)s')})",
        "each": f"EXISTS (SELECT FROM matching_searchdocument WHERE location_id = {site} AND ({text}))",
        "capped": f"{site} IN (SELECT location_id FROM matching_searchdocument "  # noqa: S608 (fixed names)
        f"WHERE {text} LIMIT {int(MAX_MATCHES)})",
    }[how]  # fmt: skip
    return (f"({condition} OR {ranked})" if found.any_word else condition), params


def ranked_first(queryset: QuerySet, found: Found, attribute: str) -> QuerySet:
    """`queryset` ordered with the search's ranked records first, in their order, then the others in the
    queryset's own order."""
    position = Func(
        Value(found.ids(attribute), output_field=ArrayField(UUIDField())), F("pk"), function="array_position",
        output_field=IntegerField(),
    )  # fmt: skip
    ordering = [*queryset.query.order_by] or [*queryset.model._meta.ordering]
    return queryset.order_by(position.asc(nulls_last=True), *ordering, "pk")


def best_first(queryset: QuerySet, found: Found, attribute: str, *, access: ConfidentialAccess,
               few: bool = False) -> QuerySet:  # fmt: skip
    """The records of `queryset` the search matches, ranked first (ranked_first)."""
    return ranked_first(queryset.filter(matching(found, attribute, access=access, few=few)), found, attribute)


def match_params(found: Found | None, access: ConfidentialAccess) -> dict:
    """The parameters of matching's keyword condition (matching.statements.HARD_FILTERS): the query, whether the
    caller searches withheld text, and the ranked hits."""
    if found is None:
        return {"keywords": None, "keywords_withheld": False, "offers": None}
    offers = found.ids("offer_id") if found.any_word else []
    return {"keywords": found.query, "keywords_withheld": access.all, "offers": offers}


@cache
def _reasons_statement(privileged: bool) -> str:
    return compact(render("search_reasons", text=_text(privileged)))


def explain(found: Found, offer_ids, *, access: ConfidentialAccess) -> dict:
    """Return, for each of these offers, what the words matched in plain words ("name matches 'tahirih'")."""
    wanted = list(offer_ids)
    if not wanted:
        return {}
    with read_connection().cursor() as cursor:
        cursor.execute(_reasons_statement(access.all), {"words": found.words, "query": found.query,
                                                        "offers": wanted})  # fmt: skip
        rows = cursor.fetchall()
    shown = found.words if len(found.words) <= 40 else found.words[:39] + "…"
    quoted, some = f"'{shown}'", "some of " if found.any_word else ""
    reasons = {}
    for offer, in_names, similarity, in_needs, in_text, in_place in rows:
        said = []
        if in_names:
            said.append(f"name matches {some}{quoted}")
        elif found.any_word and similarity >= NAME_SIMILARITY:
            said.append(f"name is close to {quoted}")
        if in_needs:
            said.append(f"services match {some}{quoted}")
        if in_text:
            said.append(f"description mentions {some}{quoted}")
        if in_place and not said:
            said.append(f"city or languages match {some}{quoted}")
        reasons[offer] = said
    return reasons


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "organization", "service" or "need"
    text: str
    code: str = ""  # a need's code


def _folded(text: str) -> str:
    """Lower-case without accents, for the needs' names and words (the documents are folded by unaccent)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return _SPACE.sub(" ", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _starts_a_word(folded_prefix: str, text: str) -> bool:
    """Whether `text` has a word starting with the prefix (which may run on over several words)."""
    return f" {_folded(text)}".find(f" {folded_prefix}") >= 0


def suggest(prefix: str, *, origin=None, need_labels: dict[str, str] | None = None) -> list[Suggestion]:
    """Return up to SUGGEST_LIMIT needs and organization/service names with a word starting with `prefix`: needs
    first (by their name in the reader's language, `need_labels`, or English, then by their words), then names,
    nearest first near a place (by the points the public sees: names are public, and so the same for every caller)."""
    typed = _SPACE.sub(" ", prefix).strip()[:MAX_QUERY_CHARS]
    if len(typed) < SUGGEST_MIN_CHARS:
        return []
    folded = _folded(typed)
    labels = need_labels or {}
    by_name, by_word = [], []
    for code, term in vocabulary().terms.items():
        label = labels.get(code) or term.name
        if _starts_a_word(folded, f"{label} {term.name}"):
            by_name.append(Suggestion("need", label, code))
        elif _starts_a_word(folded, term.search_words):  # "asil" (asilo): immigration legal services
            by_word.append(Suggestion("need", label, code))
    suggestions = (by_name + by_word)[: SUGGEST_LIMIT // 2]
    if len(typed) >= SUGGEST_NAMES_MIN_CHARS:
        suggestions += _names(typed, origin, SUGGEST_LIMIT - len(suggestions))
    return suggestions


def _names(typed: str, origin, wanted: int) -> list[Suggestion]:
    found, seen = [], set()
    with _serial_cursor() as cursor:  # one transaction for the estimate and every step
        cursor.execute(_PREFIX_QUERY, {"typed": typed})
        query, holding, documents = cursor.fetchone()
        if not query:  # nothing but punctuation
            return []
        holding = holding or 0
        params = {"query": query, "candidates": SUGGEST_CANDIDATES, "limit": wanted,
                  "sample": _sample(wanted, holding, documents), "origin": origin and _origin(origin)}  # fmt: skip
        for how in _suggest_steps(holding):
            cursor.execute(_suggest_statement(origin is not None, how), params)
            for kind, name, _ in cursor.fetchall():
                if (kind, name.casefold()) not in seen:
                    seen.add((kind, name.casefold()))
                    found.append(Suggestion(kind, name))
            if len(found) >= wanted or (found and holding > SUGGEST_ANYWHERE):
                break
    return found[:wanted]


def _sample(wanted: int, holding: int, documents: float) -> int:
    """Documents to read nearest first for `wanted` names, when `holding` of `documents` hold the prefix's words."""
    share = min(1.0, holding / max(documents, holding, 1)) if holding else 0.0
    needed = math.ceil(SUGGEST_SPREAD * wanted / share) if share else SUGGEST_SAMPLE
    return min(SUGGEST_SAMPLE, max(SUGGEST_SAMPLE_MIN, needed))


def _suggest_steps(holding: int) -> list[str]:
    """The type-ahead's steps, in order, until enough names are found: a prefix few enough documents hold to read
    them all is found through the index (all of them, nearest first); any other from the nearest documents first,
    where the index would collect every match in the country (for "ser" at 1M, most of the table) before one is
    returned."""
    return ["anywhere"] if holding <= SUGGEST_CANDIDATES else ["nearest", "anywhere"]


def _distance(table: str, near: bool) -> str:
    # On the sphere: enough to order suggestions, where the spheroid's took ~35 µs a site across the country.
    return f"ST_Distance({table}.public_point, %(origin)s::geography, false)" if near else "NULL::float8"


@cache
def _suggest_statement(near: bool, how: str) -> str:
    """Names are ordered by the point the public sees, for every caller: a suggestion is a name, which everyone may
    see, and its order discloses no more than the public map does."""
    assert how in ("nearest", "anywhere")
    if how == "anywhere":
        return compact(render("suggest", candidates=render("suggest_indexed", distance=_distance("d", near))))
    # Nearest first by the index's order alone, index-only (search_suggest_nearest: `<#>`, whose distance between
    # points in degrees is exact, where `<->`'s would need the table); distances measured on the few that match.
    order = "ORDER BY geometry(d.public_point) <#> %(origin)s::geometry" if near else ""
    return compact(render("suggest", candidates=render("suggest_first", distance=_distance("n", near), order=order)))


_PREFIX_QUERY = compact(render("suggest_prefix"))

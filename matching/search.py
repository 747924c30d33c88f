"""Keyword search: names and words -> the best services at locations, for one viewer (docs/search.md).

One module for every output that takes words: `q` on /api/services/, /api/organizations/, /api/locations/ and
/api/match/, HSDS `search`, the web search page, and the type-ahead (`suggest`). It reads only the search documents
(matching.models.SearchDocument), which the database derives from the registry with the match index, in the same
transaction as any write. What a viewer may search is what the disclosure policy shows them: callers who see every
site exactly (providers.access) also search the service text withheld from the public; everyone else searches only
`document`, and near a place is measured from the point they are shown.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import F, Func, IntegerField, QuerySet, UUIDField, Value

from matching.sqlfiles import compact, render
from matching.taxonomy import vocabulary
from providers.access import ConfidentialAccess

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12  # words past these are dropped (a pasted paragraph searches by its start)
MAX_RESULTS = 500  # the best documents a search returns; lists built from it page through these
# pg_trgm word similarity a name needs to match misspelt words ("tahrih" for "Tahirih" is 0.5); set on every
# connection (matching.apps), the trigram index answers the `<%` operator with it.
NAME_SIMILARITY = 0.45
NEARNESS_WEIGHT = 0.5  # at the edge of the radius, relevance counts half
SUGGEST_MIN_CHARS = 2
SUGGEST_NAMES_MIN_CHARS = 3  # names by trigrams: a shorter prefix would read every document
SUGGEST_LIMIT = 8
SUGGEST_ROWS = 60


class SearchQueryError(ValueError):
    """A query that cannot be searched (its message says why, for a 400 naming the parameter)."""


@dataclass(frozen=True)
class Hit:
    """One service at location a search found, and its relevance (near a place, with its distance counted)."""

    offer_id: object
    service_id: object
    location_id: object
    organization_id: object
    relevance: float
    distance_m: float | None


@dataclass
class Found:
    """A search's words, its hits, best first, and whether they hold every word or only some (`any_word`)."""

    words: str
    hits: list[Hit] = field(default_factory=list)
    any_word: bool = False
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
    text = " ".join(text.split(" ")[:MAX_QUERY_WORDS])
    with connection.cursor() as cursor:
        # Every word a common one in English or in Spanish ("the", "de la"): nothing to search by.
        cursor.execute(
            "SELECT bool_and(numnode(plainto_tsquery('english', w)) = 0 OR numnode(plainto_tsquery('spanish', w)) = 0)"
            " FROM unnest(regexp_split_to_array(unaccent(%s), '\\s+')) AS w",
            [text],
        )
        if cursor.fetchone()[0]:
            raise SearchQueryError("Give at least one word that is not a common word like 'the' or 'de'.")
    return text


def _text(privileged: bool) -> str:
    return "(d.document || COALESCE(d.withheld, ''))" if privileged else "d.document"


def _query() -> str:
    return render("search_query").strip()


@cache
def _statement(privileged: bool, column: str | None) -> str:
    assert column in (None, "point", "public_point")
    matches = "(d.document @@ q.query OR d.withheld @@ q.query)" if privileged else "d.document @@ q.query"
    if column is None:
        distance, within, nearness = "NULL::float8", "TRUE", "1"
    else:
        origin = "%(origin)s::geography"
        distance = f"ST_Distance(d.{column}, {origin})"
        within = f"ST_DWithin(d.{column}, {origin}, %(radius_m)s)"
        nearness = f"(1 - {NEARNESS_WEIGHT} * LEAST(distance_m / %(radius_m)s, 1))"
    return compact(render("search", query=_query(), text=_text(privileged), matches=matches, distance=distance,
                          within=within, nearness=nearness))  # fmt: skip


def _column(access: ConfidentialAccess) -> str:
    return "point" if access.all else "public_point"


def _origin(origin) -> str:
    """A geocoded place (geopy) or a GEOS point (the registry filters') as EWKT."""
    longitude, latitude = (origin.x, origin.y) if hasattr(origin, "x") else (origin.longitude, origin.latitude)
    return f"SRID=4326;POINT({longitude} {latitude})"


def search(
    words: str, *, access: ConfidentialAccess, origin=None, radius_m: float | None = None,
    limit: int = MAX_RESULTS,
) -> Found:  # fmt: skip
    """Return the best documents for `words` (from clean_query) this viewer may find, within `radius_m` of
    `origin` when given. When no document holds every word, those holding the most of them."""
    column = _column(access) if origin is not None else None
    sql = _statement(access.all, column)
    params = {"q": words, "limit": limit}
    if origin is not None:
        params.update(origin=_origin(origin), radius_m=radius_m)
    for any_word in (False, True):
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, "any_word": any_word})
            rows = cursor.fetchall()
        if rows:
            hits = [Hit(offer, service, location, organization, round(score, 4), distance)
                    for offer, service, location, organization, _, distance, score in rows]  # fmt: skip
            return Found(words, hits, any_word)
    return Found(words)


def in_order(queryset: QuerySet, ids: list) -> QuerySet:
    """The records of `queryset` among `ids` (a search's, best first), in that order."""
    position = Func(
        Value(ids, output_field=ArrayField(UUIDField())), F("pk"), function="array_position",
        output_field=IntegerField(),
    )  # fmt: skip
    return queryset.filter(pk__in=ids).order_by(position)


@cache
def _reasons_statement(privileged: bool) -> str:
    return compact(render("search_reasons", query=_query(), text=_text(privileged)))


def explain(found: "Found", offer_ids, *, access: ConfidentialAccess) -> dict:
    """Return, for each of these offers among the hits, what matched in plain words ("name matches 'tahirih'")."""
    wanted = [offer for offer in offer_ids if offer in found.by_offer()]
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_reasons_statement(access.all), {"q": found.words, "any_word": found.any_word,
                                                        "offers": wanted})  # fmt: skip
        rows = cursor.fetchall()
    shown = found.words if len(found.words) <= 40 else found.words[:39] + "…"
    quoted, some = f"'{shown}'", "some of " if found.any_word else ""
    reasons = {}
    for offer, in_names, similarity, in_needs, in_text, in_place in rows:
        said = []
        if in_names:
            said.append(f"name matches {some}{quoted}")
        elif similarity >= NAME_SIMILARITY:
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
    """Lower-case without accents, as the documents' names are stored (unaccent, lower)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _starts_a_word(folded_prefix: str, text: str) -> bool:
    """Whether `text` has a word starting with the prefix (which may run on over several words)."""
    return f" {_SPACE.sub(' ', _folded(text))}".find(f" {folded_prefix}") >= 0


def suggest(prefix: str, *, access: ConfidentialAccess, origin=None,
            need_labels: dict[str, str] | None = None) -> list[Suggestion]:  # fmt: skip
    """Return up to SUGGEST_LIMIT needs and organization/service names with a word starting with `prefix`: needs
    first (by their name in the reader's language, `need_labels`, or English), then names, nearest first near
    a place."""
    folded = _folded(_SPACE.sub(" ", prefix).strip())[:MAX_QUERY_CHARS]
    if len(folded) < SUGGEST_MIN_CHARS:
        return []
    labels = need_labels or {}
    taxonomy = vocabulary()
    by_name, by_word = [], []
    for code, term in taxonomy.terms.items():
        label = labels.get(code) or term.name
        if _starts_a_word(folded, f"{label} {term.name}"):
            by_name.append(Suggestion("need", label, code))
        elif _starts_a_word(folded, term.search_words):  # "asil" (asilo): immigration legal services
            by_word.append(Suggestion("need", label, code))
    suggestions = (by_name + by_word)[: SUGGEST_LIMIT // 2]
    if len(folded) >= SUGGEST_NAMES_MIN_CHARS:
        suggestions += _names(folded, access, origin, SUGGEST_LIMIT - len(suggestions))
    return suggestions


def _names(folded: str, access, origin, wanted: int) -> list[Suggestion]:
    escaped = re.escape(folded)
    column = _column(access) if origin is not None else None
    distance = "NULL::float8" if column is None else f"ST_Distance(d.{column}, %(origin)s::geography)"
    params = {"pattern": rf"(^|\s){escaped}", "start": f"^{escaped}", "limit": SUGGEST_ROWS}
    if origin is not None:
        params["origin"] = _origin(origin)
    with connection.cursor() as cursor:
        cursor.execute(compact(render("suggest", distance=distance)), params)
        rows = cursor.fetchall()
    found, seen = [], set()
    for organization_name, service_name, _, _ in rows:
        for kind, name in (("organization", organization_name), ("service", service_name)):
            key = (kind, name.casefold())
            if key in seen or not _starts_a_word(folded, name):
                continue
            seen.add(key)
            found.append(Suggestion(kind, name))
    return found[:wanted]

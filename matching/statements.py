"""The match statements (matching/sql/match.sql, beyond.sql, candidates.sql, walk.sql): rendered once per variant,
run prepared, their rows read by column name.

A statement's text is the same for every request: values are named parameters, and a constraint the client did
not give is a parameter that lets every row through. So PostgreSQL prepares each text once per connection and runs
it with one generic plan (core.database.prepared_cursor): planning the first took as long as running it.
tests/matching/golden/ holds each rendered statement, so a change to the SQL shows in a diff as PostgreSQL gets it.
"""

from dataclasses import fields
from functools import cache

from geopy.location import Location as GeoPoint

from core.database import prepared_cursor
from matching.models import OfferCard
from matching.results import MAX_CANDIDATES_PER_NEED, Facts, MatchRequest
from matching.sqlfiles import compact, indented, render
from providers import eligibility

BEYOND_PER_NEED = 5  # candidates per need when naming the nearest provider beyond the radius

# Conditions on a match index row (alias mc): the client's eligibility (providers.eligibility) and requirements.
HARD_FILTERS = (
    *eligibility.INDEX_CONDITIONS,
    "(NOT %(language_required)s::boolean OR mc.languages && %(languages)s::varchar[])",
    "(NOT %(accepting_referrals)s::boolean OR mc.accepting_referrals)",
    "(%(accessibility)s::varchar[] IS NULL OR mc.accessibility @> %(accessibility)s::varchar[])",
    "(%(include_virtual)s::boolean OR NOT mc.is_virtual)",
    # Words given (matching.search.match_params): offers whose search document the query matches (withheld text
    # too for callers who search it), or that the search ranked (names close to misspelt words).
    "(%(keywords)s::tsquery IS NULL OR mc.service_at_location_id = ANY(%(offers)s::uuid[])"
    " OR EXISTS (SELECT FROM matching_searchdocument d WHERE d.service_at_location_id = mc.service_at_location_id"
    " AND (d.document @@ %(keywords)s::tsquery"
    " OR (%(keywords_withheld)s::boolean AND d.withheld @@ %(keywords)s::tsquery))))",
)
POINT_COLUMNS = ("point", "public_point")  # exact points, for callers who may see every site; public ones

# The index row's columns read into Facts, by name. The arrays come as text: many offers share their hours and
# needs, and the text is the key of their parsing's cache (matching.engine).
NOT_INDEX_COLUMNS = {"offer_id", "needs", "languages", "periods", "card"}
INDEX_FACTS = tuple(f.name for f in fields(Facts) if f.name not in NOT_INDEX_COLUMNS)
INDEX_ARRAYS = {"service_needs": "text", "languages": None, "hours": "text"}
# How many columns an offer card has: `card.*` comes last in a row (read by the names the statement gives them).
CARD_COLUMNS = len(OfferCard._meta.concrete_fields)


def _select_list(row: str) -> str:
    """The facts of the index row `row` (a composite), each named as Facts reads it (a selected field keeps its
    name, a cast too), then the offer card's columns (card.*, read as Facts.card)."""
    columns = [f"({row}).{name}" for name in INDEX_FACTS]
    columns += [f"({row}).{name}{'::' + cast if cast else ''}" for name, cast in INDEX_ARRAYS.items()]
    return ",\n       ".join([*columns, "card.*"])


def _walk(column: str, conditions, limit: str, *, with_row: bool = True, spaces: int = 8) -> str:
    assert column in POINT_COLUMNS
    return indented(
        render(
            "walk", column=column, conditions="\n        AND ".join(conditions), limit=limit,
            max_candidates=MAX_CANDIDATES_PER_NEED, row_out=", f" if with_row else "",
            row_in=", mc AS f" if with_row else "",
        ),
        spaces,
    )  # fmt: skip


@cache
def match_statement(column: str, own_organization: bool, keywords: bool = False) -> str:
    """Return match.sql rendered for callers answered from `column`; with own_organization, provider staff's own
    confidential sites are also walked by their exact point (they see them exactly). With keywords (words given),
    the walks stay within the radius: an index condition that ends each walk at its edge, where the words' filter
    would otherwise walk the whole country for a need they match nowhere (so nothing beyond is named)."""
    walked = (
        [*HARD_FILTERS, f"ST_DWithin(mc.{column}, %(origin)s::geography, %(radius_m)s)"] if keywords else HARD_FILTERS
    )
    near = render("near", walk=_walk(column, walked, "k", spaces=4))
    if own_organization:
        own_walked = (
            [*HARD_FILTERS, "ST_DWithin(mc.point, %(origin)s::geography, %(radius_m)s)"] if keywords else HARD_FILTERS
        )
        own = _walk("point", [*own_walked, "mc.organization_id = %(organization_id)s"], "k", spaces=4)
        near = near.rstrip() + "\nUNION ALL\n" + render("near", walk=own)
    return render(
        "match",
        near=indented(near, 4),
        conditions="\n      AND ".join(HARD_FILTERS),
        facts=_select_list("facts.f"),
    )


@cache
def beyond_statement(column: str) -> str:
    """Return beyond.sql rendered for callers answered from `column`."""
    return render("beyond", walk=_walk(column, HARD_FILTERS, "beyond_k", spaces=4), facts=_select_list("c.f"))


@cache
def candidate_statement(column: str) -> str:
    return render("candidates", walk=_walk(column, HARD_FILTERS, "k", with_row=False, spaces=4))


def filter_params(request: MatchRequest) -> dict:
    """Return the parameters of HARD_FILTERS (and the walks' citizenship key) for a request."""
    client = eligibility.Client(
        age=request.age, gender=request.gender, trafficking_type=request.trafficking_type,
        citizenship=request.citizenship, lgbtq=request.lgbtq,
    )  # fmt: skip
    return {
        **eligibility.index_params(client),
        "language_required": bool(request.language_required and request.languages),
        "languages": list(request.languages),
        "accepting_referrals": request.accepting_referrals,
        "include_virtual": request.include_virtual,
        "accessibility": list(request.accessibility) or None,
        "keywords": None,
        "keywords_withheld": False,
        "offers": None,
    }


def _need_params(need_pairs: list[tuple[int, str]]) -> dict:
    return {"need_ids": [need_id for need_id, _ in need_pairs], "requested": [code for _, code in need_pairs]}


def match_sql(
    request: MatchRequest, *, column: str, need_pairs: list[tuple[int, str]], organization_id=None, keywords=None
) -> tuple[str, dict]:
    """Return the one statement that finds and describes every offer a request can use, and its parameters.

    need_pairs: (need term id, requested code) for every requested need and each of its sub-terms; keywords: the
    keyword condition's parameters (matching.search.match_params), when words were given.
    """
    params = filter_params(request)
    params.update(keywords or {})
    params.update(
        _need_params(need_pairs), k=request.candidates_per_need, beyond_k=BEYOND_PER_NEED, radius_m=request.radius_m
    )
    if organization_id is not None:
        params["organization_id"] = organization_id
    # A hard filter few rows may pass (words, features of access) keeps the walks within the radius: unbounded, a
    # walk would read every row of the need to find k that pass.
    bounded = keywords is not None or bool(request.accessibility)
    return compact(match_statement(column, organization_id is not None, bounded)), params


def beyond_sql(request: MatchRequest, *, column: str, need_pairs: list[tuple[int, str]]) -> tuple[str, dict]:
    """Return the statement for the nearest offers beyond the radius of some needs, and its parameters."""
    params = filter_params(request)
    params.update(_need_params(need_pairs), beyond_k=BEYOND_PER_NEED)
    return compact(beyond_statement(column)), params


def candidate_sql(request: MatchRequest, *, column: str, need_pairs: list[tuple[int, str]]) -> tuple[str, dict]:
    """Return the walks alone (every need's k nearest eligible rows) and their parameters."""
    params = filter_params(request)
    params.update(_need_params(need_pairs), k=request.candidates_per_need)
    return compact(candidate_statement(column)), params


def origin_param(origin: GeoPoint) -> str:
    return f"SRID=4326;POINT({origin.longitude} {origin.latitude})"


class Rows:
    """A statement's rows, read by column name: each name is resolved to its position once per statement."""

    def __init__(self, names: list[str], rows: list[tuple]):
        self.rows = rows
        self.card_start = len(names) - CARD_COLUMNS  # card.* comes last
        self.position = {name: i for i, name in enumerate(names[: self.card_start])}
        self.card_names = tuple(names[self.card_start :])

    def positions(self, names) -> list[int]:
        return [self.position[name] for name in names]


def fetch(sql: str, params: dict, origin: GeoPoint) -> Rows:
    """Run a statement prepared; return its rows."""
    params["origin"] = origin_param(origin)
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return Rows([column.name for column in cursor.description], cursor.fetchall())

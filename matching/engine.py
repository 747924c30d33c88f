"""Matching: a survivor's needs, place and constraints -> ranked options, a coverage plan, specialists.

The database work is a constant number of statements, whatever the number of results. The first
(match_sql) finds every offer a request can use and what ranking needs of each:
1. for every requested need (expanded to its sub-terms), the k nearest eligible rows of the match index:
   one `ORDER BY point <-> origin LIMIT k` walk of the composite (need, citizenship, point) GiST index each
   (LATERAL);
2. the services whose service area covers the origin (statewide hotlines, virtual clinics);
3. for needs nothing found in 1 or 2 meets, the nearest few of the walks' rows beyond the radius;
4. each offer's facts (hours, beds, verification, needs, languages), which its index rows hold: the walks
   return them with the rows they find. Only who may see the site exactly is read from the location row;
5. what is shown of each offer (names, address, phones): its card (matching.models.OfferCard), one lookup
   by key.
Python then applies the checks that need the clock or the caller (open now, who may see a site exactly),
ranks, builds the coverage plan, and shows each option's card as the caller may see it (_offer_view). Only
when the checks leave a need unmet that the first statement saw met is one more run (beyond_sql), and
signed-in callers get one for specialists.

Each statement's text is the same for every request (values are parameters), so it is prepared once per
database connection and runs with one generic plan (core.database.prepared_cursor): planning the first
took as long as running it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache, lru_cache

from django.contrib.gis.db.models.functions import GeometryDistance
from geopy.distance import geodesic
from geopy.location import Location as GeoPoint

from core.database import prepared_cursor
from geo.geocoding import geocode
from geo.queries import make_point
from geo.units import m_to_mi, miles_to_m
from matching.ranking import RankInput, rank
from providers import eligibility
from providers.access import ConfidentialAccess
from providers.models import (
    Language,
    NeedTerm,
    VictimAssistanceSpecialist,
    is_stale,
    open_at,
)
from providers.selectors import expand_need_codes

MAX_CANDIDATES_PER_NEED = 100
BEYOND_PER_NEED = 5  # candidates per need when naming the nearest provider beyond the radius
SPECIALISTS_WHEN_NONE_COVER = 3


@dataclass(frozen=True)
class MatchRequest:
    near: str
    needs: tuple[str, ...]
    languages: tuple[str, ...] = ()
    language_required: bool = False
    age: int | None = None
    gender: str | None = None
    trafficking_type: str | None = None
    citizenship: str | None = None
    lgbtq: bool | None = None
    radius_m: float = miles_to_m(50)
    open_now: bool = False
    accepting_referrals: bool = False
    include_virtual: bool = True
    limit: int = 20

    @property
    def candidates_per_need(self) -> int:
        # Enough nearest rows per need for the ranking to reorder; more when a post-filter (open now)
        # will drop some.
        wanted = max(2 * self.limit, 20) * (2 if self.open_now else 1)
        return min(wanted, MAX_CANDIDATES_PER_NEED)


@dataclass
class OfferView:
    """What is shown of an option (names, address, phone), loaded only for the options that are shown."""

    service_id: object
    service_name: str
    organization_id: object
    organization_name: str
    location_id: object
    location_name: str
    address: dict | None  # already generalized when the caller may not see the site
    phone: dict | None  # a confidential site's front door when the caller may not see the site


@dataclass
class MatchOption:
    view: OfferView | None
    facts: "Facts"
    exact: bool
    latitude: float | None
    longitude: float | None
    distance_m: float | None
    in_service_area: bool
    needs_met: list[str]
    open_now: bool | None
    stale: bool
    last_verified: date | None
    days_since_verified: int | None = None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class UncoveredNeed:
    need: NeedTerm
    nearest: MatchOption | None
    radius_m: float
    open_now_required: bool = False

    @property
    def message(self) -> str:
        label = _lower_first(self.need.name) + (" open now" if self.open_now_required else "")
        if self.nearest is None:
            return f"no {label} found in the directory for this person"
        view = self.nearest.view
        name = f"{view.organization_name} ({view.service_name})"
        return (
            f"no {label} within {m_to_mi(self.radius_m):.0f} mi; "
            f"nearest is {name} at {m_to_mi(self.nearest.distance_m):.0f} mi"
        )


@dataclass
class CoveragePlan:
    options: list[MatchOption]
    covered: list[str]
    uncovered: list[UncoveredNeed]


@dataclass
class SpecialistMatch:
    specialist: VictimAssistanceSpecialist
    covers_origin: bool


@dataclass
class MatchResult:
    origin: GeoPoint
    request: MatchRequest
    options: list[MatchOption]
    coverage_plan: CoveragePlan
    specialists: list[SpecialistMatch]


# --- SQL -------------------------------------------------------------------------------------------------


# Conditions on the match index (alias mc): the client's eligibility (providers.eligibility) and requirements.
# The text is the same for every request (a constraint the client did not give is a parameter that lets every
# row through), so PostgreSQL plans each statement once per connection (core/database.py).
HARD_FILTERS = (
    *eligibility.INDEX_CONDITIONS,
    "(NOT %(language_required)s::boolean OR mc.languages && %(languages)s::varchar[])",
    "(NOT %(accepting_referrals)s::boolean OR mc.accepting_referrals)",
    "(%(include_virtual)s::boolean OR NOT mc.is_virtual)",
)


def _filter_params(request: MatchRequest) -> dict:
    """Return the parameters of HARD_FILTERS for a request."""
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
    }


# What ranking needs of an offer, as its match index rows hold it (matching.models), in the order of Facts
# after offer_id. The walks carry the whole index row they found (`mc AS f`): no further lookup per candidate.
# The arrays come as text: many offers share their hours and needs, and the text is the key of their
# parsing's cache (_periods, _Taxonomy.need_codes).
FACT_COLUMNS = (
    "service_id", "location_id", "organization_id", "is_confidential", "location_type", "latitude", "longitude",
    "public_latitude", "public_longitude", "time_zone", "open_24_7", "accepting_referrals", "beds_total",
    "beds_available", "last_verified_on", "interpretation", "service_needs", "languages", "lgbtq_specific", "hours",
)  # fmt: skip
# Who may see a site exactly, and the point shown to those who may not, are read from the location row itself
# (one primary-key lookup per offer): they decide what a caller learns of a confidential site, so they must
# hold even if the index were ever behind the registry (a raw update() that skipped the refresh).
SITE_COLUMNS = ("organization_id", "is_confidential", "public_latitude", "public_longitude")
# What is shown of an offer (names, address, phones: its matching.models.OfferCard), in the order of OfferView
# after its ids.
CARD_COLUMNS = (
    "service_name", "organization_id", "organization_name", "location_name", "address_type", "attention",
    "address_1", "address_2", "city", "region", "state_province", "postal_code", "country",
    *(f"{owner}_phone{part}" for owner in ("site", "service", "organization")
      for part in ("", "_extension", "_type", "_is_front_door")),
)  # fmt: skip
# The location row (l) and the card (card) of each offer found. Each is a lookup by key per offer (OFFSET 0
# keeps the subquery apart): otherwise the generic plan of a small registry hashes the whole table instead,
# which made the statement three times slower at 10k services at location.
SITE_AND_CARD = (
    f"JOIN LATERAL (SELECT {', '.join(SITE_COLUMNS)} FROM providers_location"
    " WHERE id = (f).location_id OFFSET 0) l ON TRUE"
    f" LEFT JOIN LATERAL (SELECT {', '.join(CARD_COLUMNS)} FROM matching_offercard"
    " WHERE service_at_location_id = {offer} OFFSET 0) card ON TRUE"
)


def _fact(name: str) -> str:
    if name in SITE_COLUMNS:
        return f"l.{name}"
    return f"(f).{name}::text" if name in ("service_needs", "hours") else f"(f).{name}"


FACTS = ", ".join(
    [_fact(name) for name in FACT_COLUMNS]
    # Whether the index row disagrees with the location row on those (its distance is then re-measured).
    + [" OR ".join(f"(f).{name} IS DISTINCT FROM l.{name}" for name in SITE_COLUMNS)]
)


def _walk(column: str, conditions, limit_param: str, *, facts: bool = True) -> str:
    """Return the k-nearest walk for one need (q.need_id) through the composite (need, citizenship, point)
    GiST index: offer_id, distance_m and (facts) the index row found, f."""
    assert column in ("point", "public_point")
    # need_id and citizenship are the index's key columns (matching.models): index conditions, not filters.
    keys = ["mc.need_id = q.need_id", "mc.citizenship <> %(citizenship_excluded)s::smallint"]
    where = " AND ".join([*keys, f"mc.{column} IS NOT NULL", *conditions])
    # Only fixed fragments and a whitelisted column name are formatted in; values are parameters.
    # The inner LIMIT is a constant so that the generic plan is the index walk: with only a parameter, the
    # planner assumes a tenth of the need's rows are wanted, and reading all of them through the btree on
    # need_id and sorting looked cheaper (and took a second at 1M rows). The outer LIMIT stops the walk at k
    # rows; its ORDER BY is the walk's own order, so it adds no sort.
    return f"""
        SELECT offer_id, distance_m {", f" if facts else ""}
        FROM (SELECT mc.service_at_location_id AS offer_id,
                     ST_Distance(mc.{column}, %(origin)s::geography) AS distance_m,
                     mc.{column} <-> %(origin)s::geography AS nearness {", mc AS f" if facts else ""}
              FROM matching_matchcandidate mc
              WHERE {where}
              ORDER BY nearness
              LIMIT {MAX_CANDIDATES_PER_NEED}) walk
        ORDER BY nearness
        LIMIT %({limit_param})s
    """


NEEDS_CTE = "q AS (SELECT * FROM unnest(%(need_ids)s::bigint[], %(requested)s::text[]) AS q(need_id, requested))"


def _need_params(need_pairs: list[tuple[int, str]]) -> dict:
    return {"need_ids": [need_id for need_id, _ in need_pairs], "requested": [code for _, code in need_pairs]}


def candidate_sql(request: MatchRequest, *, column: str, need_pairs: list[tuple[int, str]]) -> tuple[str, dict]:
    """Return the nearest-neighbour walk alone: every need's k nearest eligible rows, without details.

    match_sql() runs this same walk inside its one statement; the benchmark also times it on its own.
    """
    params = _filter_params(request)
    sql = f"""
        WITH {NEEDS_CTE}
        SELECT c.offer_id, q.requested, c.distance_m
        FROM q CROSS JOIN LATERAL ({_walk(column, HARD_FILTERS, "k", facts=False)}) c
    """
    params.update(_need_params(need_pairs), k=request.candidates_per_need)
    return sql, params


# Every offer found, each row followed by the offer's facts (taken from whichever of its index rows a walk
# or the covering join found: an offer's rows are derived together, so they hold the same facts).
DETAILS_SELECT = f"""
    , facts AS (
        SELECT DISTINCT ON (offer_id) offer_id, f
        FROM (SELECT offer_id, f FROM near UNION ALL SELECT offer_id, f FROM covering) found
        ORDER BY offer_id
    )
    SELECT o.kind, o.offer_id, o.requested, o.distance_m, o.covers, o.area, {FACTS}, card.*
    FROM offers o
    JOIN facts ON facts.offer_id = o.offer_id
    {SITE_AND_CARD.format(offer="o.offer_id")}
"""

# What is shown of offers, read from the registry: only for an offer without a card (match()). In the order of
# OfferView, for the (offer, service, location) triples given: names, the location's first
# address (physical before postal) and phones. Phones: the site's first (a front door first), and only when the
# site has none the service's first, and only when that has none the organization's (a phone has exactly one
# owner); which of them a caller gets is decided in _offer_view.
_PHONE = """
    LEFT JOIN LATERAL (
        SELECT p.number, p.extension, p.type, p.is_front_door FROM providers_phone p
        WHERE {gate} p.{owner} = {key} AND p.type <> 'fax' ORDER BY p.is_front_door DESC, p.id LIMIT 1
    ) {alias} ON TRUE
"""
VIEWS_SQL = f"""
    SELECT o.offer_id, s.id, s.name, org.id, org.name, l.id, l.name,
           a.address_type, a.attention, a.address_1, a.address_2, a.city, a.region, a.state_province,
           a.postal_code, a.country,
           site.number, site.extension, site.type, site.is_front_door,
           svc.number, svc.extension, svc.type, svc.is_front_door,
           own.number, own.extension, own.type, own.is_front_door
    FROM unnest(%(offer_ids)s::uuid[], %(service_ids)s::uuid[], %(location_ids)s::uuid[])
         AS o(offer_id, service_id, location_id)
    JOIN providers_service s ON s.id = o.service_id
    JOIN providers_organization org ON org.id = s.organization_id
    JOIN providers_location l ON l.id = o.location_id
    LEFT JOIN LATERAL (
        SELECT * FROM providers_address a WHERE a.location_id = l.id ORDER BY a.address_type, a.id LIMIT 1
    ) a ON TRUE
    {_PHONE.format(gate="", owner="location_id", key="l.id", alias="site")}
    {_PHONE.format(gate="site.number IS NULL AND", owner="service_id", key="s.id", alias="svc")}
    {_PHONE.format(gate="site.number IS NULL AND svc.number IS NULL AND", owner="organization_id", key="org.id", alias="own")}
"""  # noqa: E501


def _compact(sql: str) -> str:
    """Return the statement on one line: shorter to send, and short enough for psycopg to cache its parsing."""
    return " ".join(sql.split())


@cache
def _match_statement(column: str, own_organization: bool) -> str:
    walk = "SELECT q.need_id, q.requested, c.* FROM q, LATERAL ({}) c"
    near = walk.format(_walk(column, HARD_FILTERS, "k"))
    if own_organization:
        # Provider staff see their own confidential sites exactly, so those are also walked by their exact point.
        own = [*HARD_FILTERS, "mc.organization_id = %(organization_id)s"]
        near += " UNION ALL " + walk.format(_walk("point", own, "k"))
    covering = ["%(include_virtual)s::boolean", "ST_Covers(sa.extent, %(origin)s::geometry)", *HARD_FILTERS]
    # The walks are not limited to the radius (it is applied to what they return), so for a need nothing in
    # reach meets they have already found the nearest rows beyond it: `beyond` keeps the first few.
    return _compact(f"""
        WITH {NEEDS_CTE},
        near AS ({near}),
        covering AS (
            SELECT mc.service_at_location_id AS offer_id, q.requested, sa.name AS area, mc AS f
            FROM q
            JOIN matching_matchcandidate mc ON mc.need_id = q.need_id
            JOIN providers_servicearea sa ON sa.service_id = mc.service_id
            WHERE {" AND ".join(covering)}
        ),
        beyond AS (
            SELECT offer_id, requested, distance_m
            FROM (SELECT n.offer_id, n.requested, n.distance_m,
                         row_number() OVER (PARTITION BY n.need_id, n.requested ORDER BY n.distance_m) AS nth
                  FROM near n
                  WHERE NOT EXISTS (SELECT 1 FROM near m
                                    WHERE m.requested = n.requested AND m.distance_m <= %(radius_m)s)
                    AND NOT EXISTS (SELECT 1 FROM covering cv WHERE cv.requested = n.requested)) ranked
            WHERE nth <= %(beyond_k)s
        ),
        offers AS (
            SELECT 'reach' AS kind, offer_id, NULL::text AS requested, min(distance_m) AS distance_m,
                   bool_or(covers) AS covers, min(area) AS area
            FROM (SELECT offer_id, distance_m, FALSE AS covers, NULL::text AS area
                  FROM near WHERE distance_m <= %(radius_m)s
                  UNION ALL
                  SELECT offer_id, NULL, TRUE, area FROM covering) found
            GROUP BY offer_id
            UNION ALL
            SELECT 'beyond', offer_id, requested, distance_m, FALSE, NULL FROM beyond
        )
        {DETAILS_SELECT}
    """)


def match_sql(
    request: MatchRequest, *, column: str, need_pairs: list[tuple[int, str]], organization_id=None
) -> tuple[str, dict]:
    """Return the one statement that finds and describes every offer a request can use (module docstring).

    Rows: kind 'reach' (one per offer within the radius or whose service area covers the origin, with its
    nearest distance and its area's name) and kind 'beyond' (for each need nothing in reach meets, the
    nearest BEYOND_PER_NEED offers per sub-term anywhere), each followed by its details (DETAILS_SELECT).
    """
    assert column in ("point", "public_point")
    params = _filter_params(request)
    params.update(
        _need_params(need_pairs), k=request.candidates_per_need, beyond_k=BEYOND_PER_NEED, radius_m=request.radius_m
    )
    if organization_id is not None:
        params["organization_id"] = organization_id
    return _match_statement(column, organization_id is not None), params


@cache
def _beyond_statement(column: str) -> str:
    return _compact(f"""
        WITH {NEEDS_CTE}
        SELECT 'beyond', c.offer_id, q.requested, c.distance_m, FALSE, NULL::text, {FACTS}, card.*
        FROM q CROSS JOIN LATERAL ({_walk(column, HARD_FILTERS, "beyond_k")}) c
        {SITE_AND_CARD.format(offer="c.offer_id")}
    """)


def beyond_sql(request: MatchRequest, *, column: str, need_pairs: list[tuple[int, str]]) -> tuple[str, dict]:
    """Return the statement for the nearest offers beyond the radius of some needs, with their details.

    match_sql() already answers this for needs nothing it found meets; this is for needs that only the
    checks made after it (open now, a virtual or own site left out) leave unmet.
    """
    assert column in ("point", "public_point")
    params = _filter_params(request)
    params.update(_need_params(need_pairs), beyond_k=BEYOND_PER_NEED)
    return _beyond_statement(column), params


def _origin_param(origin: GeoPoint) -> str:
    return f"SRID=4326;POINT({origin.longitude} {origin.latitude})"


def _fetch(sql: str, params: dict, origin: GeoPoint | None = None) -> list[tuple]:
    if origin is not None:
        params["origin"] = _origin_param(origin)
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- assembly --------------------------------------------------------------------------------------------


class _Taxonomy:
    """The needs taxonomy and language names, read once per process (they change through migrations and
    the admin; matching.signals clears the cache on any change)."""

    def __init__(self):
        self.terms = {term.code: term for term in NeedTerm.objects.all()}
        by_id = {term.id: term for term in self.terms.values()}
        self.codes_by_id = {term_id: term.code for term_id, term in by_id.items()}
        self._need_codes: dict[str, frozenset] = {}
        self.children = defaultdict(list)
        for term in self.terms.values():
            if term.parent_id:
                self.children[by_id[term.parent_id].code].append(term.code)
        self.language_names = dict(Language.objects.values_list("code", "name"))

    def need_codes(self, need_ids: str) -> frozenset:
        """An index row's service needs (term ids, as array text) as codes, parsed once per distinct text. A
        term added since this taxonomy was read cannot be one it was asked for: left out."""
        codes = self._need_codes.get(need_ids)
        if codes is None:
            by_id = self.codes_by_id
            codes = frozenset(by_id[term_id] for term_id in _numbers(need_ids) if term_id in by_id)
            self._need_codes[need_ids] = codes
        return codes

    def expand(self, code: str) -> set[str]:
        """Return the code and every code below it."""
        return expand_need_codes([code], self.children)


@lru_cache(maxsize=1)
def vocabulary() -> _Taxonomy:
    """Return the cached needs taxonomy and language names."""
    return _Taxonomy()


@dataclass
class Facts:
    """What ranking needs to know about one candidate, as match_sql() reads it (no model objects): a request
    looks at up to a few hundred candidates and shows twenty."""

    offer_id: object
    service_id: object
    location_id: object
    organization_id: object  # the location's organization (confidential access is decided on it)
    is_confidential: bool
    location_type: str
    latitude: float | None
    longitude: float | None
    public_latitude: float | None
    public_longitude: float | None
    time_zone: str
    open_24_7: bool
    accepting_referrals: bool
    beds_total: int | None
    beds_available: int | None
    last_verified_on: date | None
    interpretation: bool
    needs: frozenset = frozenset()
    languages: set = field(default_factory=set)
    lgbtq_specific: bool = False
    periods: tuple = ()
    index_behind: bool = False  # the match index disagrees with the location row on who may see the site
    shown: tuple | None = None  # its card, as _offer_view takes it (None: no card, see match())


def _read_rows(rows, taxonomy: "_Taxonomy") -> tuple[dict, list, list]:
    """Split match_sql()/beyond_sql() rows into Facts by offer, the reach rows (offer, distance, covers, area)
    and the beyond rows (offer, need code, distance)."""
    facts, reach, beyond = {}, [], []
    for kind, offer_id, requested, distance_m, covers, area, *row in rows:
        if kind == "reach":
            reach.append((offer_id, distance_m, covers, area or ""))
        else:
            beyond.append((offer_id, requested, distance_m))
        if offer_id in facts:
            continue
        scalars, (needs, languages, lgbtq, hours, index_behind), card = row[:16], row[16:21], row[21:]
        fact = facts[offer_id] = Facts(
            offer_id, *scalars, needs=taxonomy.need_codes(needs), languages=set(languages), lgbtq_specific=lgbtq,
            periods=_periods(hours), index_behind=index_behind,
        )  # fmt: skip
        if card[0] is not None:
            fact.shown = (fact.service_id, *card[:3], fact.location_id, *card[3:])
    return facts, reach, beyond


def _numbers(array_text: str) -> list[int]:
    """'{{1,32400,61200},{2,32400,61200}}' or '{3,7}' -> [1, 32400, 61200, 2, ...] (integer arrays only)."""
    return [int(number) for number in array_text.replace("{", "").replace("}", "").split(",") if number]


def _clock(seconds: int) -> time:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


@lru_cache(maxsize=4096)
def _periods(hours: str) -> tuple:
    """An index row's hours (matching.models) as open_at() takes them: ((weekday, opens, closes), ...)."""
    numbers = _numbers(hours)
    return tuple((numbers[i], _clock(numbers[i + 1]), _clock(numbers[i + 2])) for i in range(0, len(numbers), 3))


def _build_option(fact: Facts, *, access, origin, distance_m, in_service_area, request, expanded, now) -> MatchOption:
    exact = access.may_see_exact(fact)
    if fact.is_confidential and distance_m is not None and (exact != access.all or fact.index_behind):
        # Measure to the point this caller is shown: the statement measured to the point its walk used (the
        # exact one for callers who see every site, else the public one), but provider staff are shown their
        # own confidential sites exactly, however the row was found, and an index row behind its location
        # (say, not yet confidential there) holds another point.
        shown = (fact.latitude, fact.longitude) if exact else (fact.public_latitude, fact.public_longitude)
        if shown[0] is not None:
            distance_m = geodesic((origin.latitude, origin.longitude), shown).meters
    needs_met = [code for code in request.needs if expanded[code] & fact.needs]
    today = now.date()
    stale = is_stale(fact.last_verified_on, today)
    latitude, longitude = (fact.latitude, fact.longitude) if exact else (fact.public_latitude, fact.public_longitude)
    return MatchOption(
        view=None,
        facts=fact,
        exact=exact,
        latitude=latitude,
        longitude=longitude,
        distance_m=distance_m,
        in_service_area=in_service_area,
        needs_met=needs_met,
        open_now=open_at(now, time_zone=fact.time_zone, open_24_7=fact.open_24_7, periods=fact.periods),
        stale=stale,
        last_verified=fact.last_verified_on,
        # A date in the future (a typo, or clocks) reads as "today", not "-3 days ago".
        days_since_verified=None if fact.last_verified_on is None else max((today - fact.last_verified_on).days, 0),
    )


def _rank_option(option: MatchOption, *, request, language_names, area_name) -> None:
    fact = option.facts
    option.score, option.reasons = rank(
        RankInput(
            needs_requested=len(request.needs),
            needs_met=tuple(option.needs_met),
            distance_m=option.distance_m,
            radius_m=request.radius_m,
            in_service_area=option.in_service_area,
            languages_requested=request.languages,
            languages_spoken=tuple(code for code in request.languages if code in fact.languages),
            interpretation_offered=fact.interpretation,
            accepting_referrals=fact.accepting_referrals,
            beds_total=fact.beds_total,
            beds_available=fact.beds_available,
            open_now=option.open_now,
            days_since_verified=option.days_since_verified,
            stale=option.stale,
            lgbtq_requested=bool(request.lgbtq),
            lgbtq_specific=fact.lgbtq_specific,
            language_names=language_names,
            service_area_name=area_name,
        )
    )


ADDRESS_FIELDS = ["address_type", "attention", "address_1", "address_2", "city", "region", "state_province",
                  "postal_code", "country"]  # fmt: skip
GENERALIZED_ADDRESS_FIELDS = ["address_type", "city", "state_province", "postal_code", "country"]


def _phone(number, extension, kind, front_door) -> dict | None:
    if number is None:
        return None
    return {"number": number, "extension": extension, "type": kind, "is_front_door": front_door}


def _offer_view(fact: Facts, exact: bool, shown: tuple) -> OfferView:
    """Return what is shown of an offer (its card, or a VIEWS_SQL row) to a caller who may (exact) or may not see
    the site."""
    service_id, service_name, organization_id, organization_name, location_id, location_name, *rest = shown
    address_values, site, service, organization = rest[:9], rest[9:13], rest[13:17], rest[17:21]
    address = None
    if address_values[0] is not None:
        address = dict(zip(ADDRESS_FIELDS, address_values, strict=True))
        if not exact:
            address = {key: address[key] for key in GENERALIZED_ADDRESS_FIELDS}
    if fact.is_confidential and not exact:
        # The front door only (the site's numbers list it first): a direct line would place the site.
        phone = _phone(*site) if site[3] else None
    else:
        phone = _phone(*site) or _phone(*service) or _phone(*organization)
    return OfferView(
        service_id, service_name, organization_id, organization_name, location_id, location_name, address, phone
    )


def _sort_key(option: MatchOption):
    distance = option.distance_m if option.distance_m is not None else float("inf")
    # UUIDs order as their text does (fixed-width hex), without making the text for every comparison.
    return (-option.score, distance, option.facts.offer_id)


def coverage_plan(options: list[MatchOption], needs: tuple[str, ...]) -> tuple[list[MatchOption], set[str]]:
    """Greedy set cover: repeatedly take the option meeting most still-uncovered needs (nearer first on
    ties, then better ranked); return the chosen options and the needs they cover."""
    uncovered, chosen = set(needs), []
    # (option, the needs it meets, its place in the ranking), worked out once rather than at every step.
    pool = [(option, frozenset(option.needs_met), place) for place, option in enumerate(sorted(options, key=_sort_key))]
    infinity = float("inf")
    while uncovered and pool:
        best = min(
            pool,
            key=lambda entry: (
                -len(uncovered & entry[1]),
                entry[0].distance_m if entry[0].distance_m is not None else infinity,
                entry[2],
            ),
        )
        if not uncovered & best[1]:
            break
        chosen.append(best[0])
        uncovered -= best[1]
        pool.remove(best)
    return chosen, set(needs) - uncovered


def _specialists(origin: GeoPoint) -> list[SpecialistMatch]:
    point = make_point(origin.latitude, origin.longitude)
    queryset = VictimAssistanceSpecialist.objects.prefetch_related("languages").defer("coverage_area")
    covering = list(queryset.filter(coverage_area__covers=point).order_by("-on_call_24_7", "name", "id"))
    if covering:
        return [SpecialistMatch(s, True) for s in covering]
    # Nobody covers the place (e.g. offshore or an unassigned area): the nearest coverage areas.
    nearest = queryset.order_by(GeometryDistance("coverage_area", point))[:SPECIALISTS_WHEN_NONE_COVER]
    return [SpecialistMatch(s, False) for s in nearest]


def match(
    *, request: MatchRequest, access: ConfidentialAccess, now: datetime, include_specialists: bool = True
) -> MatchResult:
    """Return ranked options, a coverage plan and specialists for a request (see module docstring).

    Specialists' direct lines are for professionals: callers who are not signed in get none
    (include_specialists=False). Raises geo.geocoding.GeocodingError when `near` cannot be placed.
    """
    origin = geocode(request.near)
    taxonomy = vocabulary()
    expanded = {code: taxonomy.expand(code) for code in request.needs}
    need_pairs = [(taxonomy.terms[sub].id, code) for code in request.needs for sub in sorted(expanded[code])]
    column = "point" if access.all else "public_point"
    own_organization = access.organization_id if not access.all else None

    sql, params = match_sql(request, column=column, need_pairs=need_pairs, organization_id=own_organization)
    facts, reach, beyond = _read_rows(_fetch(sql, params, origin), taxonomy)
    language_names = taxonomy.language_names

    options = []
    for offer_id, distance_m, covers, area in reach:
        fact = facts[offer_id]
        if not request.include_virtual and fact.location_type == "virtual":
            continue
        option = _build_option(
            fact, access=access, origin=origin, distance_m=distance_m, in_service_area=covers, request=request,
            expanded=expanded, now=now,
        )  # fmt: skip
        if option.distance_m is not None and option.distance_m > request.radius_m and not option.in_service_area:
            continue  # an own confidential site whose exact point is outside the radius
        if request.open_now and option.open_now is not True:
            continue
        _rank_option(option, request=request, language_names=language_names, area_name=area)
        options.append(option)
    options.sort(key=_sort_key)

    chosen, covered = coverage_plan(options, request.needs)
    plan = CoveragePlan(options=chosen, covered=[c for c in request.needs if c in covered], uncovered=[])
    uncovered = [code for code in request.needs if code not in covered]
    if uncovered:
        # The statement named the nearest offers beyond the radius for every need that nothing it found
        # meets; a need met only by offers the checks above left out needs one more statement.
        found = {code for offer_id, *_ in reach for code in request.needs if expanded[code] & facts[offer_id].needs}
        again = [code for code in uncovered if code in found]
        if again:
            pairs = [(taxonomy.terms[sub].id, code) for code in again for sub in sorted(expanded[code])]
            sql, params = beyond_sql(request, column=column, need_pairs=pairs)
            more_facts, _, more_beyond = _read_rows(_fetch(sql, params, origin), taxonomy)
            facts = {**more_facts, **facts}
            beyond = [row for row in beyond if row[1] not in again] + more_beyond
        plan.uncovered = _nearest_beyond(request, origin, access, taxonomy, expanded, uncovered, now, facts, beyond)

    shown = options[: request.limit]
    described = shown + chosen + [u.nearest for u in plan.uncovered if u.nearest is not None]
    # What is shown of an option came with it: its card. The same transactions write an offer's index rows and
    # its card, so one is missing only if the cards were emptied by hand; then it is read from the registry,
    # and an offer deleted since the first statement has nothing left to show and is left out.
    missing = {option.facts.offer_id: option.facts for option in described if option.facts.shown is None}
    if missing:
        ids = {
            "offer_ids": list(missing),
            "service_ids": [fact.service_id for fact in missing.values()],
            "location_ids": [fact.location_id for fact in missing.values()],
        }
        for offer_id, *row in _fetch(VIEWS_SQL, ids):
            missing[offer_id].shown = tuple(row)
    for option in described:
        if option.facts.shown is not None:
            option.view = _offer_view(option.facts, option.exact, option.facts.shown)
    shown = [option for option in shown if option.view is not None]
    plan.options = [option for option in plan.options if option.view is not None]
    for need in plan.uncovered:
        if need.nearest is not None and need.nearest.view is None:
            need.nearest = None
    specialists = _specialists(origin) if include_specialists else []
    return MatchResult(origin=origin, request=request, options=shown, coverage_plan=plan, specialists=specialists)


def _lower_first(name: str) -> str:
    """'Immigration legal services' -> 'immigration legal services'; 'T visa' stays as it is."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _nearest_beyond(request, origin, access, taxonomy, expanded, codes, now, facts, beyond) -> list[UncoveredNeed]:
    """For needs nothing in reach meets: the nearest eligible provider anywhere, from the beyond rows (a few
    per need, so that the nearest one passing the same checks, such as open now, can be named)."""
    best: dict[str, MatchOption] = {}
    for offer_id, code, distance_m in beyond:
        if code not in codes:
            continue
        option = _build_option(
            facts[offer_id], access=access, origin=origin, distance_m=distance_m, in_service_area=False,
            request=request, expanded=expanded, now=now,
        )  # fmt: skip
        if request.open_now and option.open_now is not True:
            continue
        if code not in best or _sort_distance(option) < _sort_distance(best[code]):
            best[code] = option
    return [UncoveredNeed(taxonomy.terms[code], best.get(code), request.radius_m, request.open_now) for code in codes]


def _sort_distance(option: MatchOption) -> tuple:
    return (option.distance_m if option.distance_m is not None else float("inf"), option.facts.offer_id)

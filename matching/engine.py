"""Matching: a survivor's needs, place and constraints -> ranked options, a coverage plan, specialists.

The work is a constant number of queries, whatever the number of results:
1. candidates: for every requested need (expanded to its sub-terms), the k nearest eligible rows of the
   match index, one `ORDER BY point <-> origin LIMIT k` walk of the composite (need, point) GiST index
   each, all in one SQL statement (LATERAL);
2. services whose service area covers the origin (statewide hotlines, virtual clinics);
3. the details of the options found (one query per related table, prefetched);
4. for needs nothing in reach meets, the nearest provider beyond the radius (one statement);
5. specialists whose coverage contains the origin, else the nearest.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache

from django.contrib.gis.db.models.functions import GeometryDistance
from django.db import connection
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from geopy.distance import geodesic
from geopy.location import Location as GeoPoint

from geo.geocoding import geocode
from geo.queries import make_point
from geo.units import m_to_mi, miles_to_m
from matching.eligibility import CITIZENSHIP_REQUEST, GENDER_REQUEST, TRAFFICKING_REQUEST
from matching.ranking import RankInput, rank
from providers.access import ConfidentialAccess
from providers.models import (
    Address,
    Language,
    NeedTerm,
    Phone,
    ServiceAtLocation,
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


def _hard_filters(request: MatchRequest) -> tuple[list[str], dict]:
    """Return SQL conditions on the match index (alias mc) for the client's eligibility and requirements."""
    conditions, params = [], {}
    if request.age is not None:
        conditions.append(
            "(mc.min_age IS NULL OR mc.min_age <= %(age)s) AND (mc.max_age IS NULL OR mc.max_age >= %(age)s)"
        )
        params["age"] = request.age
    for column, value, bits in (
        ("genders", request.gender, GENDER_REQUEST),
        ("trafficking_types", request.trafficking_type, TRAFFICKING_REQUEST),
        ("citizenship", request.citizenship, CITIZENSHIP_REQUEST),
    ):
        if value is not None:
            # Unrestricted (0), or restricted to values that include all of the client's.
            conditions.append(f"(mc.{column} = 0 OR mc.{column} & %({column})s = %({column})s)")
            params[column] = bits[value]
    if request.lgbtq is False:
        conditions.append("NOT mc.lgbtq_specific")
    if request.language_required and request.languages:
        conditions.append("mc.languages && %(languages)s::varchar[]")
        params["languages"] = list(request.languages)
    if request.accepting_referrals:
        conditions.append("mc.accepting_referrals")
    return conditions, params


def candidate_sql(
    request: MatchRequest, *, column: str, need_pairs: list[tuple[int, str]], organization_id=None
) -> tuple[str, dict]:
    """Return the one statement that fetches every need's nearest eligible rows (see module docstring)."""
    assert column in ("point", "public_point")
    conditions, params = _hard_filters(request)
    if organization_id is not None:
        conditions.append("mc.organization_id = %(organization_id)s")
        params["organization_id"] = organization_id
    where = " AND ".join(["mc.need_id = q.need_id", f"mc.{column} IS NOT NULL", *conditions])
    # Only fixed fragments and a whitelisted column name are formatted in; values are parameters.
    sql = f"""
        SELECT c.service_at_location_id, q.requested, c.distance_m
        FROM unnest(%(need_ids)s::bigint[], %(requested)s::text[]) AS q(need_id, requested)
        CROSS JOIN LATERAL (
            SELECT mc.service_at_location_id,
                   ST_Distance(mc.{column}, %(origin)s::geography) AS distance_m
            FROM matching_matchcandidate mc
            WHERE {where}
            ORDER BY mc.{column} <-> %(origin)s::geography
            LIMIT %(k)s
        ) c
    """
    params.update(
        need_ids=[need_id for need_id, _ in need_pairs],
        requested=[code for _, code in need_pairs],
        k=request.candidates_per_need,
    )
    return sql, params


def _origin_param(origin: GeoPoint) -> str:
    return f"SRID=4326;POINT({origin.longitude} {origin.latitude})"


def _fetch_candidates(request, origin, *, column, need_pairs, limit_per_need=None, organization_id=None):
    sql, params = candidate_sql(request, column=column, need_pairs=need_pairs, organization_id=organization_id)
    params["origin"] = _origin_param(origin)
    if limit_per_need is not None:
        params["k"] = limit_per_need
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch_covering(request, origin, *, need_pairs) -> list[tuple]:
    """Return (service_at_location_id, requested code, service area name) of services covering the origin."""
    conditions, params = _hard_filters(request)
    where = " AND ".join(["mc.need_id = q.need_id", "ST_Covers(sa.extent, %(origin)s::geometry)", *conditions])
    sql = f"""
        SELECT DISTINCT ON (mc.service_at_location_id, q.requested)
               mc.service_at_location_id, q.requested, sa.name
        FROM unnest(%(need_ids)s::bigint[], %(requested)s::text[]) AS q(need_id, requested)
        JOIN matching_matchcandidate mc ON mc.need_id = q.need_id
        JOIN providers_servicearea sa ON sa.service_id = mc.service_id
        WHERE {where}
        ORDER BY mc.service_at_location_id, q.requested, sa.name
    """
    params.update(
        need_ids=[n for n, _ in need_pairs], requested=[c for _, c in need_pairs], origin=_origin_param(origin)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- assembly --------------------------------------------------------------------------------------------


class _Taxonomy:
    """The needs taxonomy and language names, read once per process (they change through migrations and
    the admin; matching.signals clears the cache on any change)."""

    def __init__(self):
        self.terms = {term.code: term for term in NeedTerm.objects.all()}
        by_id = {term.id: term for term in self.terms.values()}
        self.children = defaultdict(list)
        for term in self.terms.values():
            if term.parent_id:
                self.children[by_id[term.parent_id].code].append(term.code)
        self.language_names = dict(Language.objects.values_list("code", "name"))

    def expand(self, code: str) -> set[str]:
        """Return the code and every code below it."""
        return expand_need_codes([code], self.children)


@lru_cache(maxsize=1)
def vocabulary() -> _Taxonomy:
    """Return the cached needs taxonomy and language names."""
    return _Taxonomy()


@dataclass
class Facts:
    """What ranking needs to know about one candidate, read with plain value queries (no model objects):
    a request looks at up to a few hundred candidates and shows twenty."""

    offer_id: object
    service_id: object
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
    needs: set = field(default_factory=set)
    languages: set = field(default_factory=set)
    lgbtq_specific: bool = False
    periods: list = field(default_factory=list)


FACTS_SQL = """
    SELECT sal.id, sal.service_id, l.organization_id, l.is_confidential, l.location_type, l.latitude,
           l.longitude, l.public_latitude, l.public_longitude, l.time_zone, l.open_24_7, l.accepting_referrals,
           l.beds_total, l.beds_available, s.last_verified_on, btrim(s.interpretation_services) <> '',
           ARRAY(SELECT n.code FROM providers_service_needs sn JOIN providers_needterm n ON n.id = sn.needterm_id
                 WHERE sn.service_id = s.id),
           ARRAY(SELECT sl.language_id FROM providers_service_languages sl WHERE sl.service_id = s.id),
           EXISTS(SELECT 1 FROM providers_service_populations sp JOIN providers_population p
                  ON p.id = sp.population_id WHERE sp.service_id = s.id AND p.code = 'lgbtq'),
           ARRAY(SELECT ARRAY[sc.weekday::text, sc.opens_at::text, sc.closes_at::text,
                              (sc.service_id IS NOT NULL)::text]
                 FROM providers_schedule sc
                 WHERE sc.location_id = l.id AND (sc.service_id IS NULL OR sc.service_id = s.id))
    FROM providers_serviceatlocation sal
    JOIN providers_service s ON s.id = sal.service_id
    JOIN providers_location l ON l.id = sal.location_id
    WHERE sal.id = ANY(%s::uuid[])
"""


def _facts(offer_ids) -> dict:
    """Return Facts for the offers in one statement, whatever their number."""
    offer_ids = [str(offer_id) for offer_id in offer_ids]
    if not offer_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(FACTS_SQL, [offer_ids])
        rows = cursor.fetchall()
    facts = {}
    for row in rows:
        *scalars, needs, languages, lgbtq, hours = row
        general = [
            (int(d), time.fromisoformat(o), time.fromisoformat(c)) for d, o, c, specific in hours if specific == "false"
        ]
        specific = [
            (int(d), time.fromisoformat(o), time.fromisoformat(c)) for d, o, c, specific in hours if specific == "true"
        ]
        fact = Facts(*scalars, needs=set(needs), languages=set(languages), lgbtq_specific=lgbtq)
        # Hours given for this service at the site win over the site's own hours.
        fact.periods = specific or general
        facts[fact.offer_id] = fact
    return facts


def _build_option(fact: Facts, *, access, origin, distance_m, in_service_area, request, expanded, now) -> MatchOption:
    exact = access.may_see_exact(fact)
    if fact.is_confidential and distance_m is not None:
        # Measure to the point this caller is shown, whatever query found the row: the exact point for
        # those who may see it (provider staff and their own sites), the public point for everyone else.
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


def _attach_views(options: list[MatchOption]) -> None:
    """Load what is shown for the options that are shown, as plain values: three queries in all."""
    if not options:
        return
    offer_ids = {option.facts.offer_id for option in options}
    rows = ServiceAtLocation.objects.filter(pk__in=offer_ids).values_list(
        "id", "service_id", "service__name", "service__organization_id", "service__organization__name",
        "location_id", "location__name",
    )  # fmt: skip
    by_offer = {row[0]: row for row in rows}
    location_ids = {row[5] for row in rows}
    service_ids = {row[1] for row in rows}
    organization_ids = {row[3] for row in rows}
    addresses = {}
    for address in (
        Address.objects.filter(location_id__in=location_ids)
        .order_by("address_type", "id")
        .values("location_id", *ADDRESS_FIELDS)
    ):
        addresses.setdefault(address.pop("location_id"), address)
    phones = defaultdict(list)
    phone_rows = (
        Phone.objects.filter(
            Q(location_id__in=location_ids) | Q(service_id__in=service_ids) | Q(organization_id__in=organization_ids)
        )
        .exclude(type=Phone.PhoneType.FAX)
        .order_by("-is_front_door", "id")
        # The stored E.164 text as it is: no phone-number object per row.
        .values_list("location_id", "service_id", "organization_id", Cast("number", CharField()), "extension",
                     "type", "is_front_door")
    )  # fmt: skip
    for location_id, service_id, organization_id, number, extension, kind, front_door in phone_rows:
        phone = {"number": number, "extension": extension, "type": kind, "is_front_door": front_door}
        owner = ("location", location_id) if location_id else ("service", service_id) if service_id else (
            "organization", organization_id)  # fmt: skip
        phones[owner].append(phone)
    for option in options:
        _, service_id, service_name, organization_id, organization_name, location_id, location_name = by_offer[
            option.facts.offer_id
        ]
        address = addresses.get(location_id)
        if address is not None and not option.exact:
            address = {key: address[key] for key in GENERALIZED_ADDRESS_FIELDS}
        at_site = phones[("location", location_id)]
        if option.facts.is_confidential and not option.exact:
            phone = next((p for p in at_site if p["is_front_door"]), None)
        else:
            candidates = at_site + phones[("service", service_id)] + phones[("organization", organization_id)]
            phone = candidates[0] if candidates else None
        option.view = OfferView(
            service_id, service_name, organization_id, organization_name, location_id, location_name, address, phone
        )


def _sort_key(option: MatchOption):
    distance = option.distance_m if option.distance_m is not None else float("inf")
    return (-option.score, distance, str(option.facts.offer_id))


def _gain_key(option: MatchOption, uncovered: frozenset[str]):
    distance = option.distance_m if option.distance_m is not None else float("inf")
    return (-len(uncovered & set(option.needs_met)), distance, _sort_key(option))


def coverage_plan(options: list[MatchOption], needs: tuple[str, ...]) -> tuple[list[MatchOption], set[str]]:
    """Greedy set cover: repeatedly take the option meeting most still-uncovered needs (nearer first on
    ties, then better ranked); return the chosen options and the needs they cover."""
    uncovered, chosen = set(needs), []
    pool = list(options)
    while uncovered and pool:
        best = min(pool, key=lambda option, still=frozenset(uncovered): _gain_key(option, still))
        if not uncovered & set(best.needs_met):
            break
        chosen.append(best)
        uncovered -= set(best.needs_met)
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

    nearest_rows = _fetch_candidates(request, origin, column=column, need_pairs=need_pairs)
    if not access.all and access.organization_id is not None:
        # Provider staff see their own confidential sites exactly, so those are found by their exact point.
        nearest_rows += _fetch_candidates(
            request, origin, column="point", need_pairs=need_pairs, organization_id=access.organization_id
        )
    covering_rows = _fetch_covering(request, origin, need_pairs=need_pairs) if request.include_virtual else []

    distance_by_offer: dict = {}
    for offer_id, _code, distance_m in nearest_rows:
        if distance_m <= request.radius_m:
            distance_by_offer[offer_id] = min(distance_m, distance_by_offer.get(offer_id, distance_m))
    area_by_offer = {offer_id: area for offer_id, _code, area in covering_rows}

    facts = _facts(set(distance_by_offer) | set(area_by_offer))
    language_names = taxonomy.language_names

    options = []
    for offer_id, fact in facts.items():
        if not request.include_virtual and fact.location_type == "virtual":
            continue
        option = _build_option(
            fact, access=access, origin=origin, distance_m=distance_by_offer.get(offer_id),
            in_service_area=offer_id in area_by_offer, request=request, expanded=expanded, now=now,
        )  # fmt: skip
        if option.distance_m is not None and option.distance_m > request.radius_m and not option.in_service_area:
            continue  # an own confidential site whose exact point is outside the radius
        if request.open_now and option.open_now is not True:
            continue
        _rank_option(option, request=request, language_names=language_names, area_name=area_by_offer.get(offer_id, ""))
        options.append(option)
    options.sort(key=_sort_key)

    chosen, covered = coverage_plan(options, request.needs)
    plan = CoveragePlan(options=chosen, covered=[c for c in request.needs if c in covered], uncovered=[])
    uncovered = [code for code in request.needs if code not in covered]
    if uncovered:
        plan.uncovered = _nearest_beyond(request, origin, access, column, taxonomy, expanded, uncovered, now)

    shown = options[: request.limit]
    _attach_views(shown + chosen + [u.nearest for u in plan.uncovered if u.nearest is not None])
    specialists = _specialists(origin) if include_specialists else []
    return MatchResult(origin=origin, request=request, options=shown, coverage_plan=plan, specialists=specialists)


def _lower_first(name: str) -> str:
    """'Immigration legal services' -> 'immigration legal services'; 'T visa' stays as it is."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


def _nearest_beyond(request, origin, access, column, taxonomy, expanded, codes, now) -> list[UncoveredNeed]:
    """For needs nothing in reach meets: the nearest eligible provider anywhere (one statement)."""
    pairs = [(taxonomy.terms[sub].id, code) for code in codes for sub in sorted(expanded[code])]
    # A few per need, so that the nearest one passing the same post-filters (open now) can be named.
    rows = _fetch_candidates(request, origin, column=column, need_pairs=pairs, limit_per_need=BEYOND_PER_NEED)
    facts = _facts({offer_id for offer_id, _code, _distance in rows})
    best: dict[str, MatchOption] = {}
    for offer_id, code, distance_m in rows:
        if offer_id not in facts:
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
    return (option.distance_m if option.distance_m is not None else float("inf"), str(option.facts.offer_id))

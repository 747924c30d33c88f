"""Matching: a survivor's needs, constraints and place (a point: callers geocode) -> ranked options, a coverage
plan, and the area's victim assistance specialists.

The database work is a constant number of statements, whatever the number of results: one (matching/sql/
match.sql, see matching.statements) finds every offer the request can use, with what ranking needs of each (its
match index row) and what is shown of it (its offer card). Python then applies the checks that need the clock or
the caller (open now, who may see a site exactly), ranks, builds the coverage plan, and shows each option as the
caller may see it. Only when those checks leave a need unmet that the statement saw met is one more run
(beyond.sql); signed-in callers get one more for specialists.
"""

from datetime import datetime

from django.contrib.gis.db.models.functions import GeometryDistance
from geopy.location import Location as GeoPoint

from geo.queries import make_point
from matching import search, statements
from matching.coverage import coverage_plan, nearest_beyond
from matching.options import build_option, offer_view, rank_option, read_rows, sort_key
from matching.results import CoveragePlan, MatchRequest, MatchResult, SpecialistMatch
from matching.taxonomy import vocabulary
from providers.access import ConfidentialAccess
from providers.models import VictimAssistanceSpecialist

SPECIALISTS_WHEN_NONE_COVER = 3


def match(
    *, request: MatchRequest, origin: GeoPoint, access: ConfidentialAccess, now: datetime,
    include_specialists: bool = True,
) -> MatchResult:  # fmt: skip
    """Return ranked options, a coverage plan and specialists for a request around `origin` (see module
    docstring). Specialists' direct lines are for professionals: callers who are not signed in get none
    (include_specialists=False)."""
    taxonomy = vocabulary()
    expanded = {code: taxonomy.expand(code) for code in request.needs}
    column = "point" if access.all else "public_point"
    own_organization = access.organization_id if not access.all else None

    keyword_hits = None
    if request.keywords:
        keyword_hits = search.search(request.keywords, access=access, origin=origin, radius_m=request.radius_m)
    sql, params = statements.match_sql(
        # Words without needs: offers of any need (no need is requested: none met, no coverage plan).
        request, column=column, need_pairs=taxonomy.need_pairs(request.needs or taxonomy.roots),
        organization_id=own_organization,
        keywords=None if keyword_hits is None else search.match_params(keyword_hits, access),
    )  # fmt: skip
    facts, reach, beyond = read_rows(statements.fetch(sql, params, origin), taxonomy)

    options = []
    for offer_id, distance_m, covers, area in reach:
        fact = facts[offer_id]
        if not request.include_virtual and fact.location_type == "virtual":
            continue
        option = build_option(
            fact, access=access, origin=origin, distance_m=distance_m, in_service_area=covers, request=request,
            expanded=expanded, now=now,
        )  # fmt: skip
        if option.distance_m is not None and option.distance_m > request.radius_m and not option.in_service_area:
            continue  # an own confidential site whose exact point is outside the radius
        if request.open_now and option.open_now is not True:
            continue
        hit = None if keyword_hits is None else keyword_hits.by_offer().get(offer_id)
        rank_option(
            option, request=request, language_names=taxonomy.language_names, area_name=area,
            keyword_relevance=None if keyword_hits is None else (hit.relevance if hit else 0.0),
        )  # fmt: skip
        options.append(option)
    options.sort(key=sort_key)

    chosen, covered = coverage_plan(options, request.needs)
    plan = CoveragePlan(options=chosen, covered=[c for c in request.needs if c in covered], uncovered=[])
    uncovered = [code for code in request.needs if code not in covered]
    if uncovered:
        # The statement named the nearest offers beyond the radius for every need that nothing it found meets; a
        # need met only by offers the checks above left out needs one more statement.
        found = {code for offer_id, *_ in reach for code in request.needs if expanded[code] & facts[offer_id].needs}
        again = [code for code in uncovered if code in found]
        if again:
            sql, params = statements.beyond_sql(request, column=column, need_pairs=taxonomy.need_pairs(again))
            more_facts, _, more_beyond = read_rows(statements.fetch(sql, params, origin), taxonomy)
            facts = {**more_facts, **facts}
            beyond = [row for row in beyond if row[1] not in again] + more_beyond
        plan.uncovered = nearest_beyond(request, origin, access, taxonomy, expanded, uncovered, now, facts, beyond)

    shown = options[: request.limit]
    # Every offer has its card (the same triggers write an offer's index rows and its card); one without, which
    # nothing should make, is left out rather than shown without a name.
    for option in shown + chosen + [u.nearest for u in plan.uncovered if u.nearest is not None]:
        if option.facts.card is not None:
            option.view = offer_view(option.facts, option.site)
    shown = [option for option in shown if option.view is not None]
    if keyword_hits is not None:
        said = search.explain(keyword_hits, [option.facts.offer_id for option in shown], access=access)
        for option in shown:
            option.reasons = said.get(option.facts.offer_id, []) + option.reasons
    plan.options = [option for option in plan.options if option.view is not None]
    for need in plan.uncovered:
        if need.nearest is not None and need.nearest.view is None:
            need.nearest = None
    specialists = _specialists(origin) if include_specialists else []
    return MatchResult(origin=origin, request=request, options=shown, coverage_plan=plan, specialists=specialists)


def _specialists(origin: GeoPoint) -> list[SpecialistMatch]:
    point = make_point(origin.latitude, origin.longitude)
    queryset = VictimAssistanceSpecialist.objects.prefetch_related("languages").defer("coverage_area")
    covering = list(queryset.filter(coverage_area__covers=point).order_by("-on_call_24_7", "name", "id"))
    if covering:
        return [SpecialistMatch(s, True) for s in covering]
    # Nobody covers the place (e.g. offshore or an unassigned area): the nearest coverage areas.
    nearest = queryset.order_by(GeometryDistance("coverage_area", point))[:SPECIALISTS_WHEN_NONE_COVER]
    return [SpecialistMatch(s, False) for s in nearest]

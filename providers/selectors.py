"""Reads of the registry, with the rules about who sees what applied here and nowhere else."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from providers.access import BBox, ConfidentialAccess
from providers.models import (
    Location,
    NeedTerm,
    Organization,
    Phone,
    Population,
    Service,
    ServiceAtLocation,
    VictimAssistanceSpecialist,
)

ADULT_AGE_YEARS = 18


def need_codes_with_descendants(codes: Iterable[str]) -> set[str]:
    """Return the given need codes plus every term below them (asking for 'legal' finds 't-visa' too)."""
    terms = list(NeedTerm.objects.values_list("code", "parent__code"))
    children: dict[str | None, list[str]] = {}
    for code, parent in terms:
        children.setdefault(parent, []).append(code)
    found: set[str] = set()
    stack = list(codes)
    while stack:
        code = stack.pop()
        if code not in found:
            found.add(code)
            stack.extend(children.get(code, []))
    return found


def services_meeting_needs_q(codes: Iterable[str], prefix: str = "") -> Q:
    """Return a filter for services offering any of the needs (sub-terms included)."""
    expanded = need_codes_with_descendants(codes)
    return Q(
        Exists(Service.needs.through.objects.filter(service_id=OuterRef(f"{prefix}id"), needterm__code__in=expanded))
    )


def services_serving_q(population: Population, prefix: str = "") -> Q:
    """Return a filter for services that serve a population.

    A service serves a population when it lists it, or lists nothing on that population's dimension (no
    restriction). The age groups are also checked against the service's minimum and maximum age.
    """
    through = Service.populations.through.objects.filter(service_id=OuterRef(f"{prefix}id"))
    listed = Exists(through.filter(population_id=population.pk))
    restricted = Exists(through.filter(population__dimension=population.dimension))
    q = Q(listed) | ~Q(restricted)
    if population.code == "minors":
        q &= Q(**{f"{prefix}minimum_age__isnull": True}) | Q(**{f"{prefix}minimum_age__lt": ADULT_AGE_YEARS})
    elif population.code == "adults":
        q &= Q(**{f"{prefix}maximum_age__isnull": True}) | Q(**{f"{prefix}maximum_age__gte": ADULT_AGE_YEARS})
    return q


def services_speaking_q(language_codes: Iterable[str], prefix: str = "") -> Q:
    """Return a filter for services offered in any of the languages."""
    return Q(
        Exists(
            Service.languages.through.objects.filter(
                service_id=OuterRef(f"{prefix}id"), language_id__in=list(language_codes)
            )
        )
    )


def _phones_prefetch(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=Phone.objects.prefetch_related("languages"))


def organization_list() -> QuerySet[Organization]:
    """Return organizations with what their list representation needs."""
    return Organization.objects.prefetch_related(_phones_prefetch("phones"))


def service_list() -> QuerySet[Service]:
    """Return services with their vocabularies and locations prefetched."""
    return Service.objects.select_related("organization").prefetch_related(
        "needs",
        "populations",
        "languages",
        _phones_prefetch("phones"),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").order_by("id"),
        ),
    )


def location_list() -> QuerySet[Location]:
    """Return locations with addresses, phones, hours and services prefetched (no N+1)."""
    return Location.objects.select_related("organization").prefetch_related(
        "addresses",
        "schedules",
        _phones_prefetch("phones"),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("service").order_by("id"),
        ),
    )


def locations_in_bbox(qs: QuerySet[Location], *, access: ConfidentialAccess, bbox: BBox) -> QuerySet[Location]:
    """Return locations whose point, as this caller may see it, lies in the box."""
    return qs.filter(access.bbox_q(bbox))


def specialist_list() -> QuerySet[VictimAssistanceSpecialist]:
    """Return specialists with their languages; the coverage polygon is deferred (it is large)."""
    return VictimAssistanceSpecialist.objects.prefetch_related("languages")

"""Reads of the registry, with the rules about who sees what applied here and nowhere else."""

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Case, Exists, F, FloatField, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from geo import queries
from providers.access import BBox, ConfidentialAccess
from providers.models import (
    HoursException,
    ListingChange,
    Location,
    MergedId,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    VictimAssistanceSpecialist,
    ahead_since,
)
from providers.translations import in_language, reader_language
from providers.vocabulary import vocabulary


def services_meeting_needs_q(codes: Iterable[str], prefix: str = "") -> Q:
    """Return a filter for services offering any of the needs (sub-terms included)."""
    expanded = vocabulary().expand_all(codes)
    return Q(
        Exists(Service.needs.through.objects.filter(service_id=OuterRef(f"{prefix}id"), needterm__code__in=expanded))
    )


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


def stale_services_q(today: date, prefix: str = "") -> Q:
    """Return a filter for active services never verified or not within LISTING_STALE_AFTER_DAYS of today."""
    cutoff = today - timedelta(days=settings.LISTING_STALE_AFTER_DAYS)
    return Q(**{f"{prefix}status": ServiceStatus.ACTIVE}) & (
        Q(**{f"{prefix}last_verified_on__isnull": True}) | Q(**{f"{prefix}last_verified_on__lt": cutoff})
    )


def organization_list(*, today: date | None = None) -> QuerySet[Organization]:
    """Return organizations with what their list representation needs, annotated `stale` (any active
    service stale: the moderators' queue)."""
    today = today or timezone.localdate()
    stale = Exists(Service.objects.filter(stale_services_q(today), organization_id=OuterRef("pk")))
    return Organization.objects.annotate(stale=stale).prefetch_related(_phones_prefetch("phones"))


def listing_history(*, organization: Organization) -> QuerySet[ListingChange]:
    return organization.history.select_related("changed_by")


def service_list() -> QuerySet[Service]:
    """Return services with their vocabularies and locations prefetched."""
    return Service.objects.select_related("organization").prefetch_related(
        "needs",
        "populations",
        "languages",
        _phones_prefetch("phones"),
        Prefetch(
            "service_at_locations",
            # With what the disclosure policy checks a service's text against (its confidential sites' streets
            # and direct lines).
            queryset=ServiceAtLocation.objects.select_related("location")
            .prefetch_related("location__addresses", "location__phones")
            .order_by("id"),
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


def locations_near(
    qs: QuerySet[Location], *, access: ConfidentialAccess, origin: Point, radius_m: float
) -> QuerySet[Location]:
    """Return locations within radius_m of origin as this caller sees them, nearest first, with `distance`.

    Callers who may see every site are measured to exact points, the public to public points (so distances
    do not reveal where a confidential site is), provider staff to exact points of their own sites only.
    """
    if access.all:
        return queries.within(qs, origin, radius_m=radius_m, column="point")
    if access.organization_id is None:
        return queries.within(qs, origin, radius_m=radius_m, column="public_point")
    own = Q(organization_id=access.organization_id)
    in_reach = (own & Q(point__dwithin=(origin, D(m=radius_m)))) | (
        ~own & Q(public_point__dwithin=(origin, D(m=radius_m)))
    )
    distance = Case(
        When(own, then=Distance("point", origin)),
        default=Distance("public_point", origin),
        output_field=FloatField(),  # metres: geography distances are in metres
    )
    return qs.filter(in_reach).annotate(distance=distance).order_by("distance", "pk")


def services_near_q(*, access: ConfidentialAccess, origin: Point, radius_m: float,
                    sites: QuerySet[Location] | None = None) -> Q:  # fmt: skip
    """Return a filter for services offered within radius_m of origin, or whose service area covers it; `sites`:
    only those offered at one of these sites (near it, or anywhere for a service whose area covers it)."""
    sites = Location.objects.all() if sites is None else sites
    nearby_locations = locations_near(sites, access=access, origin=origin, radius_m=radius_m)
    # As sets read once (hashed subplans), not per service: EXISTS under the OR made the planner check the sites of
    # every service with the need in the country (1,312 "medical" services for 31 near Houston, at 10k sites).
    offered_nearby = ServiceAtLocation.objects.filter(location_id__in=nearby_locations.values("pk").order_by())
    covering_area = queries.covering(ServiceArea.objects.all(), origin)
    if sites.query.where:
        offered_at_sites = ServiceAtLocation.objects.filter(location_id__in=sites.values("pk").order_by())
        covering_area = covering_area.filter(service_id__in=offered_at_sites.values("service_id"))
    return Q(pk__in=offered_nearby.values("service_id")) | Q(pk__in=covering_area.values("service_id"))


def specialist_list() -> QuerySet[VictimAssistanceSpecialist]:
    """Return specialists with their languages; the coverage polygon is deferred (it is large)."""
    return VictimAssistanceSpecialist.objects.prefetch_related("languages")


HOURS_EXCEPTION_FIELDS = ("starts_on", "ends_on", "closed", "opens_at", "closes_at", "service_id", "note", "i18n")


def names_in_language(model, ids: Iterable) -> dict:
    """id -> the record's name in the reader's language (providers.translations), for lists built from rows."""
    language = reader_language()
    rows = model.objects.filter(id__in=set(ids)).values("id", "name", "i18n")
    return {row["id"]: in_language(row, "name", language).value for row in rows}


def hours_exceptions_ahead(location_ids: Iterable) -> dict:
    """The dates the locations (or services there) keep other hours or are closed, from yesterday on (a reader's
    today anywhere in the country), in their order, by location id: rows of HOURS_EXCEPTION_FIELDS."""
    found = {}
    since = ahead_since()
    # A service's dates only while it is offered there (a removed offer's would read as the whole site's).
    offered = Q(service__isnull=True) | Q(service__service_at_locations__location_id=F("location_id"))
    rows = HoursException.objects.filter(offered, location_id__in=list(location_ids), ends_on__gte=since)
    for row in rows.values("location_id", *HOURS_EXCEPTION_FIELDS):
        found.setdefault(row.pop("location_id"), []).append(row)
    return found


def hours_exceptions_to_edit(organization) -> dict:
    """An organization's dated changes from yesterday on, as records, by location id (the portal's list)."""
    found = {}
    since = ahead_since()
    rows = HoursException.objects.filter(location__organization=organization, ends_on__gte=since).select_related(
        "service"
    )
    for exception in rows:
        found.setdefault(exception.location_id, []).append(exception)
    return found


def federal_holidays_ahead(today: date, days: int = 365) -> list[tuple[date, str]]:
    """US federal holidays (and the days they are observed) from today for `days`, for a provider to choose the
    ones the site closes on (the `holidays` package's calendar)."""
    import holidays  # here: only the portal's page asks

    calendar = holidays.country_holidays("US", years=[today.year, today.year + 1])
    return sorted((day, name) for day, name in calendar.items() if today <= day < today + timedelta(days=days))


def merged_into(record_type: str, record_id) -> uuid.UUID | None:
    """The id a merged record's id now points to (providers.MergedId), None for any other id."""
    try:
        key = uuid.UUID(str(record_id))
    except ValueError:
        return None
    return MergedId.objects.filter(pk=key, record_type=record_type).values_list("kept_id", flat=True).first()

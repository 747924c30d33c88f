"""Reads of the duplicates queue: the pairs, best first, each with its two records side by side."""

from django.db.models import Prefetch, QuerySet

from providers.models import Address, Location, NeedTerm, Organization, Phone, Service, ServiceAtLocation
from stewardship.models import DuplicateCandidate


def duplicate_queue(
    status: str = DuplicateCandidate.Status.OPEN, kind: str | None = None
) -> QuerySet[DuplicateCandidate]:
    pairs = DuplicateCandidate.objects.filter(status=status)
    if kind is not None:
        pairs = pairs.filter(kind=kind)
    return pairs.order_by("-score", "id")


def _sites() -> QuerySet[Location]:
    return Location.objects.order_by("name", "id").prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("id"))
    )


def _phones() -> Prefetch:
    return Prefetch("phones", queryset=Phone.objects.order_by("id"))


def organizations_side_by_side(candidates) -> dict:
    """The organizations of these pairs by id, with their phones and sites (addresses), in four reads. For
    moderators only: they see every site exactly."""
    ids = {i for c in candidates for i in (c.first_id, c.second_id)}
    found = Organization.objects.filter(pk__in=ids).prefetch_related(_phones(), Prefetch("locations", _sites()))
    return {org.pk: org for org in found}


def services_side_by_side(candidates) -> dict:
    """The services of these pairs by id, with their organization, needs, phones and sites (addresses), in six
    reads."""
    ids = {i for c in candidates for i in (c.first_id, c.second_id)}
    offers = ServiceAtLocation.objects.order_by("location__name", "location_id").prefetch_related(
        Prefetch("location", _sites())
    )
    found = Service.objects.filter(pk__in=ids).select_related("organization").prefetch_related(
        Prefetch("needs", queryset=NeedTerm.objects.order_by("code")), _phones(),
        Prefetch("service_at_locations", queryset=offers),
    )  # fmt: skip
    return {service.pk: service for service in found}


def locations_side_by_side(candidates) -> dict:
    """The sites of these pairs by id, with their organization, addresses, phones and the services offered there, in
    four reads."""
    ids = {i for c in candidates for i in (c.first_id, c.second_id)}
    offers = ServiceAtLocation.objects.select_related("service").order_by("service__name", "service_id")
    found = Location.objects.filter(pk__in=ids).select_related("organization").prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("id")), _phones(),
        Prefetch("service_at_locations", queryset=offers),
    )  # fmt: skip
    return {site.pk: site for site in found}


SIDES = {
    DuplicateCandidate.Kind.ORGANIZATION: organizations_side_by_side,
    DuplicateCandidate.Kind.SERVICE: services_side_by_side,
    DuplicateCandidate.Kind.LOCATION: locations_side_by_side,
}


def sides_of(candidates) -> dict[str, dict]:
    """{kind: {id: record}} of these pairs' two records, each kind read at once (none for a kind not among them)."""
    by_kind: dict[str, list] = {}
    for candidate in candidates:
        by_kind.setdefault(candidate.kind, []).append(candidate)
    return {kind: SIDES[kind](pairs) for kind, pairs in by_kind.items() if kind in SIDES}

"""Reads of the duplicates queue: the open pairs, best first, each with both organizations side by side."""

from django.db.models import Prefetch, QuerySet

from providers.models import Address, Location, Organization, Phone
from stewardship.models import DuplicateCandidate


def duplicate_queue(status: str = DuplicateCandidate.Status.OPEN) -> QuerySet[DuplicateCandidate]:
    return DuplicateCandidate.objects.filter(status=status).order_by("-score", "id")


def organizations_side_by_side(candidates) -> dict:
    """The organizations of these pairs by id, with their phones and sites (addresses), in four reads. For
    moderators only: they see every site exactly."""
    ids = {i for c in candidates for i in (c.first_id, c.second_id)}
    sites = Location.objects.order_by("name", "id").prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("id"))
    )
    found = Organization.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("id")), Prefetch("locations", queryset=sites)
    )
    return {org.pk: org for org in found}

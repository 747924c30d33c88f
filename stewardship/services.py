"""Writes of the duplicates queue: a moderator's decision."""

from django.db import transaction
from django.utils import timezone

from stewardship.models import DuplicateCandidate


class AlreadyDecided(Exception):
    pass


def duplicate_not_duplicate(*, candidate: DuplicateCandidate, user) -> DuplicateCandidate:
    """Remember that the pair is two listings: finding it again does not put it back in the queue."""
    with transaction.atomic():
        locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status != DuplicateCandidate.Status.OPEN:
            raise AlreadyDecided
        locked.status = DuplicateCandidate.Status.NOT_DUPLICATE
        locked.decided_by, locked.decided_at = user, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked

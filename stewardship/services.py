"""Writes of the duplicates queue: what a search found, and a moderator's decision."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from stewardship.models import DuplicateCandidate


@dataclass(frozen=True)
class Written:
    kept: int  # pairs written (new, or found again and updated)
    reopened_none: int  # pairs found again that a moderator said are not duplicates (left so)
    dropped: int  # open pairs of the scope no longer alike, removed


def duplicates_write(kind: str, kept: dict, *, scope: list | None) -> Written:
    """Write the pairs a search kept ({(first, second): (score, evidence)}): new ones open, found ones updated,
    decided ones left as decided; and remove the open pairs of the scope (records, or None: all) it did not keep."""
    now = timezone.now()
    with transaction.atomic():
        decided = set(
            DuplicateCandidate.objects.filter(kind=kind, status=DuplicateCandidate.Status.NOT_DUPLICATE)
            .values_list("first_id", "second_id")
        )  # fmt: skip
        rows = [DuplicateCandidate(kind=kind, first_id=first, second_id=second, score=value, evidence=evidence,
                                   found_at=now)
                for (first, second), (value, evidence) in kept.items() if (first, second) not in decided]  # fmt: skip
        DuplicateCandidate.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                                               unique_fields=["kind", "first_id", "second_id"],
                                               update_fields=["score", "evidence", "found_at"])  # fmt: skip
        stale = DuplicateCandidate.objects.filter(kind=kind, status=DuplicateCandidate.Status.OPEN, found_at__lt=now)
        if scope is not None:
            stale = stale.filter(first_id__in=scope) | stale.filter(second_id__in=scope)
        dropped, _ = stale.delete()
    return Written(kept=len(rows), reopened_none=sum(1 for key in kept if key in decided), dropped=dropped)


class AlreadyDecided(Exception):
    pass


class Gone(Exception):
    pass


def duplicate_not_duplicate(*, candidate: DuplicateCandidate, user) -> DuplicateCandidate:
    """Remember that the pair is two listings: finding it again does not put it back in the queue."""
    with transaction.atomic():
        locked = DuplicateCandidate.objects.select_for_update().filter(pk=candidate.pk).first()
        if locked is None:
            raise Gone  # a search removed the pair meanwhile (no longer alike)
        if locked.status != DuplicateCandidate.Status.OPEN:
            raise AlreadyDecided
        locked.status = DuplicateCandidate.Status.NOT_DUPLICATE
        locked.decided_by, locked.decided_at = user, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
    return locked

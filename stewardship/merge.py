"""Merging one organization into another, and undoing it (docs/stewardship.md).

A merge keeps one organization and moves to it everything that names the other by a foreign key: services, sites,
phones (and so their hours and referrals), its listing history, staff accounts, change requests, suggestions,
referrals sent and received, consents, applications, earlier merges into it; and its ids in imported sources. The
merged organization is then deleted, and its id answers with a pointer to the kept one (providers.MergedId). All in
one transaction; the match and search indexes follow through their triggers.

An undo puts the merged organization back as it was and moves back what was moved, while nothing of the kept
organization was created or changed since the merge and what moved still names it.
"""

from datetime import datetime

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from providers.models import ListingChange, MergedId, Organization, RecordType
from stewardship.models import DuplicateCandidate, Merge
from stewardship.signals import organization_ids_moved

DERIVED_APPS = {"matching"}  # rows derived from the registry: its triggers rewrite them
OWN_HISTORY = ("merged", "unmerged")  # the history entries merges write themselves
LATER = ("created_at", "updated_at", "accepted_at")  # a row naming the kept organization made or changed after a merge


class MergeRefused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _relations():
    """("app.Model.column", model, column) of every foreign key to Organization, hidden ones ("+") included, outside
    the derived rows."""
    for field in Organization._meta.get_fields(include_hidden=True):
        if not (field.one_to_many or field.one_to_one) or not field.auto_created or field.concrete:
            continue
        model = field.related_model
        if model._meta.app_label in DERIVED_APPS:
            continue
        yield f"{model._meta.label}.{field.field.attname}", model, field.field.attname


def _move(model, column: str, rows, to, now):
    stamp = {"updated_at": now} if any(f.name == "updated_at" for f in model._meta.fields) else {}
    return rows.update(**{column: to}, **stamp)  # (a moved service is modified: HSDS's modified_after sees it)


def organizations_merge(*, kept_id, merged_id, user, pair: DuplicateCandidate | None = None, now=None) -> Merge:
    """Merge organization `merged_id` into `kept_id` (see the module); `pair`: the queue's pair it decides, which
    must still be open. Raises MergeRefused, naming the field."""
    if str(kept_id) == str(merged_id):
        raise MergeRefused("keep", "An organization cannot be merged into itself.")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            if pair is not None:
                locked = DuplicateCandidate.objects.select_for_update().filter(pk=pair.pk).first()
                if locked is None or locked.status != DuplicateCandidate.Status.OPEN:
                    raise MergeRefused("pair", "This pair was already decided or is no longer in the queue.")
            found = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[kept_id, merged_id])}
            kept, merged = found.get(kept_id), found.get(merged_id)
            if kept is None or merged is None:
                raise MergeRefused("keep", "One of the two organizations no longer exists.")
            snapshot = _snapshot(merged)
            moved = {}
            for label, model, column in _relations():
                rows = model._base_manager.filter(**{column: merged.pk})
                if ids := [str(pk) for pk in rows.values_list("pk", flat=True)]:
                    _move(model, column, rows, kept.pk, now)
                    moved[label] = ids
            for _, (label, ids) in organization_ids_moved.send(sender=Merge, old=merged.pk, new=kept.pk):
                if ids:
                    moved[label] = [str(pk) for pk in ids]
            chained = MergedId.objects.filter(kept_id=merged.pk)  # ids merged into this one point at the kept one
            if ids := [str(pk) for pk in chained.values_list("pk", flat=True)]:
                chained.update(kept_id=kept.pk)
                moved["providers.MergedId.kept_id"] = ids
            # Open pairs naming it go (found again after an undo); decisions ("not a duplicate") stay.
            open_pairs = DuplicateCandidate.objects.filter(Q(first_id=merged.pk) | Q(second_id=merged.pk))
            open_pairs.filter(status=DuplicateCandidate.Status.OPEN).delete()
            merged.delete()
            MergedId.objects.create(id=merged_id, record_type=RecordType.ORGANIZATION, kept_id=kept.pk, merged_at=now)
            merge = Merge.objects.create(kept=kept, merged_id=merged_id, merged=snapshot, moved=moved, merged_by=user,
                                         merged_at=now)  # fmt: skip
            staff = len(moved.get("accounts.User.organization_id", ()))
            _history(kept, "merged", {"id": str(merged_id), "name": merged.name, "staff_moved": staff},
                     str(kept.pk), user, now)  # fmt: skip
    except IntegrityError:
        raise MergeRefused("keep", "The two cannot be merged: a record of one conflicts with the other's.") from None
    return merge


def merge_undo(*, merge: Merge, user, now=None) -> Merge:
    """Put the merged organization back and move back what was moved. Raises MergeRefused when it was undone
    already, when anything of the kept organization was created or changed since the merge, or when what moved was
    moved again since."""
    now = now or timezone.now()
    with transaction.atomic():
        # The organization first, then the merge: the order a merge locks in.
        kept = Organization.objects.select_for_update().filter(pk=merge.kept_id).first()
        merge = Merge.objects.select_for_update().filter(pk=merge.pk).first()
        if kept is None or merge is None or merge.kept_id != kept.pk:
            raise MergeRefused("merge", "The kept organization was merged or changed meanwhile: try again.")
        if merge.undone_at is not None:
            raise MergeRefused("merge", "This merge was undone already.")
        if changed := _changed_since(kept, merge.merged_at):
            raise MergeRefused("merge", f"The kept organization changed since the merge ({changed}): undo by hand.")
        _restore(merge.merged)
        for label, ids in merge.moved.items():
            app_model, column = label.rsplit(".", 1)
            model = apps.get_model(app_model)
            rows = model._base_manager.filter(pk__in=ids, **{column: kept.pk})
            if _move(model, column, rows, merge.merged_id, now) != len(ids):
                raise MergeRefused("merge", f"Some {model._meta.verbose_name_plural} moved again since: undo by hand.")
        MergedId.objects.filter(pk=merge.merged_id).delete()
        merge.undone_by, merge.undone_at = user, now
        merge.save(update_fields=["undone_by", "undone_at"])
        _history(kept, "unmerged", str(kept.pk), {"id": str(merge.merged_id)}, user, now)
    return merge


def _changed_since(kept: Organization, since) -> str:
    """What of the kept organization was created or changed after `since` ('' when nothing): its record, its
    history, or any row naming it with a creation, change or acceptance time (referrals, requests, services, sites,
    invitations)."""
    if kept.updated_at > since:
        return "its record"
    if ListingChange.objects.filter(organization=kept, changed_at__gt=since).exclude(field__in=OWN_HISTORY).exists():
        return "its listing history"
    for _label, model, column in _relations():
        later = Q()
        for name in (f.name for f in model._meta.fields if f.name in LATER):
            later |= Q(**{f"{name}__gt": since})
        if later and model._base_manager.filter(later, **{column: kept.pk}).exists():
            return str(model._meta.verbose_name_plural)
    return ""


def _snapshot(organization: Organization) -> dict:
    """The organization's own columns, exactly (times to the microsecond), to put it back on undo."""
    values = {}
    for field in Organization._meta.concrete_fields:
        value = getattr(organization, field.attname)
        values[field.attname] = value.isoformat() if isinstance(value, datetime) else value
    values["id"] = str(organization.pk)
    return values


def _restore(snapshot: dict) -> None:
    known = {field.attname: field for field in Organization._meta.concrete_fields}
    values = {name: value for name, value in snapshot.items() if name in known}  # (a column dropped since: left out)
    times = {name: datetime.fromisoformat(value) for name, value in values.items()
             if value and known[name].get_internal_type() == "DateTimeField"}  # fmt: skip
    Organization.objects.bulk_create([Organization(**{**values, **times})])
    Organization.objects.filter(pk=values["id"]).update(**times)  # as they were (an insert stamps them now)


def merged_name(merge: Merge) -> str:
    return (merge.merged or {}).get("name", "")


def _history(organization, field: str, before, after, user, now) -> None:
    ListingChange.objects.create(
        organization=organization, record_type=RecordType.ORGANIZATION, record_id=organization.pk, field=field,
        before=before, after=after, source=ListingChange.Source.DIRECT, changed_by=user, changed_at=now,
    )  # fmt: skip

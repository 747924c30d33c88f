"""Merging one organization into another, and undoing it (docs/stewardship.md).

A merge keeps one organization and moves to it everything that names the other: services, sites, phones (and so
their hours and referrals), its listing history, staff accounts, change requests, suggestions, referrals and consents,
its ids in imported sources. The merged organization is then deleted, and its id answers with a pointer to the kept
one (providers.MergedId). All in one transaction; the match and search indexes follow through their triggers.

An undo puts the merged organization back with its own record and moves back exactly what was moved, while nothing
of the kept organization was created or changed since the merge.
"""

from django.apps import apps
from django.core import serializers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from providers.models import ListingChange, MergedId, Organization, RecordType
from stewardship.models import DuplicateCandidate, Merge
from stewardship.signals import organization_ids_moved

DERIVED_APPS = {"matching"}  # rows derived from the registry: its triggers rewrite them


class MergeRefused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _relations():
    """("app.Model.column", model, column) of every foreign key to Organization outside the derived rows."""
    for relation in Organization._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or model._meta.app_label in DERIVED_APPS or model is Merge:
            continue
        yield f"{model._meta.label}.{relation.field.attname}", model, relation.field.attname


def organizations_merge(*, kept_id, merged_id, user, now=None) -> Merge:
    """Merge organization `merged_id` into `kept_id` (see the module). Raises MergeRefused, naming the field."""
    if str(kept_id) == str(merged_id):
        raise MergeRefused("keep", "An organization cannot be merged into itself.")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            found = {o.pk: o for o in Organization.objects.select_for_update().filter(pk__in=[kept_id, merged_id])}
            kept, merged = found.get(kept_id), found.get(merged_id)
            if kept is None or merged is None:
                raise MergeRefused("keep", "One of the two organizations no longer exists.")
            moved = {}
            for label, model, column in _relations():
                rows = model._base_manager.filter(**{column: merged.pk})
                if ids := [str(pk) for pk in rows.values_list("pk", flat=True)]:
                    rows.update(**{column: kept.pk})
                    moved[label] = ids
            for _, (label, ids) in organization_ids_moved.send(sender=Merge, old=merged.pk, new=kept.pk):
                if ids:
                    moved[label] = [str(pk) for pk in ids]
            # Ids merged into this one before now point at the kept one.
            chained = MergedId.objects.filter(kept_id=merged.pk)
            if ids := [str(pk) for pk in chained.values_list("pk", flat=True)]:
                chained.update(kept_id=kept.pk)
                moved["providers.MergedId.kept_id"] = ids
            DuplicateCandidate.objects.filter(Q(first_id=merged.pk) | Q(second_id=merged.pk)).delete()
            snapshot = serializers.serialize("json", [merged])
            merged.delete()
            MergedId.objects.create(id=merged_id, record_type=RecordType.ORGANIZATION, kept_id=kept.pk, merged_at=now)
            merge = Merge.objects.create(kept=kept, merged_id=merged_id, merged=snapshot, moved=moved, merged_by=user,
                                         merged_at=now)  # fmt: skip
            _history(kept, "merged", {"id": str(merged_id), "name": merged.name}, str(kept.pk), user, now)
    except IntegrityError as exc:
        raise MergeRefused("keep", f"The two cannot be merged: {exc.__cause__ or exc}") from None
    return merge


def merge_undo(*, merge: Merge, user, now=None) -> Merge:
    """Put the merged organization back and move back what was moved. Raises MergeRefused when it was undone
    already or when anything of the kept organization was created or changed since the merge."""
    now = now or timezone.now()
    with transaction.atomic():
        merge = Merge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise MergeRefused("merge", "This merge was undone already.")
        kept = Organization.objects.select_for_update().get(pk=merge.kept_id)
        if changed := _changed_since(kept, merge.merged_at):
            raise MergeRefused("merge", f"The kept organization changed since the merge ({changed}): undo by hand.")
        for restored in serializers.deserialize("json", merge.merged):
            restored.save()
        for label, ids in merge.moved.items():
            app_model, column = label.rsplit(".", 1)
            model = apps.get_model(app_model)
            model._base_manager.filter(pk__in=ids).update(**{column: merge.merged_id})
        MergedId.objects.filter(pk=merge.merged_id).delete()
        merge.undone_by, merge.undone_at = user, now
        merge.save(update_fields=["undone_by", "undone_at"])
        _history(kept, "unmerged", str(kept.pk), {"id": str(merge.merged_id)}, user, now)
    return merge


def _changed_since(kept: Organization, since) -> str:
    """What of the kept organization was created or changed after `since` ('' when nothing): its record, its
    history, or any row naming it that has a creation or change time (referrals, requests, services, sites)."""
    if kept.updated_at > since:
        return "its record"
    if ListingChange.objects.filter(organization=kept, changed_at__gt=since).exists():
        return "its listing history"
    for _label, model, column in _relations():
        times = [name for name in ("created_at", "updated_at") if any(f.name == name for f in model._meta.fields)]
        later = Q()
        for name in times:
            later |= Q(**{f"{name}__gt": since})
        if times and model._base_manager.filter(later, **{column: kept.pk}).exists():
            return model._meta.verbose_name_plural
    return ""


def _history(organization, field: str, before, after, user, now) -> None:
    ListingChange.objects.create(
        organization=organization, record_type=RecordType.ORGANIZATION, record_id=organization.pk, field=field,
        before=before, after=after, source=ListingChange.Source.DIRECT, changed_by=user, changed_at=now,
    )  # fmt: skip


def merged_name(merge: Merge) -> str:
    """The merged organization's name, from the record kept to put it back."""
    return next(serializers.deserialize("json", merge.merged)).object.name

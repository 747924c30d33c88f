"""Pairs of listings that may be one: found by stewardship.duplicates (organizations) and
stewardship.offer_duplicates (services and sites), decided by a moderator."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class DuplicateCandidate(models.Model):
    class Kind(models.TextChoices):
        ORGANIZATION = "organization", "Organization"
        SERVICE = "service", "Service"
        LOCATION = "location", "Location"  # a site

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        NOT_DUPLICATE = "not_duplicate", "Not a duplicate"  # remembered: finding the pair again does not reopen it

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The two records' ids, the smaller first (one row per pair whichever was found first).
    first_id = models.UUIDField()
    second_id = models.UUIDField()
    score = models.FloatField(help_text="0..1: how likely the two are one (stewardship.duplicates.score).")
    evidence = models.JSONField(default=dict, help_text="What the score is made of, for the moderator to read.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["status", "-score"], name="duplicate_queue_idx")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "first_id", "second_id"], name="duplicate_pair_once"),
            models.CheckConstraint(condition=Q(first_id__lt=F("second_id")), name="duplicate_pair_ordered"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=1), name="duplicate_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.first_id} ~ {self.second_id} ({self.score:.2f})"


class Merge(models.Model):
    """One organization merged into another by a moderator (stewardship.merge): what is needed to undo it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Moved by a later merge of the kept organization, as everything naming it (the record an undo needs stays).
    kept = models.ForeignKey("providers.Organization", on_delete=models.PROTECT, related_name="+")
    merged_id = models.UUIDField(db_index=True, help_text="The merged organization's id (it answers with kept's).")
    merged = models.JSONField(help_text="The merged organization's own record, to put back on undo.")
    moved = models.JSONField(help_text='What was moved to kept: {"app.Model.field": [ids]}.')
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")  # fmt: skip
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "id"]

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.kept_id}{' (undone)' if self.undone_at else ''}"

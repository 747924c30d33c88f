"""Self-service, moderation and history: change requests, the listing history, applications, invitations and
suggestions."""

from django.conf import settings
from django.db import models

from providers.models.registry import Organization


class RecordType(models.TextChoices):
    """The listing records providers edit (see providers/editing.py for their fields)."""

    ORGANIZATION = "organization", "Organization"
    SERVICE = "service", "Service"
    LOCATION = "location", "Location"
    PHONE = "phone", "Phone"


class ChangeRequest(models.Model):
    """A provider's edit of trust fields, waiting for a moderator: field-level old -> new values.

    `changes` is {field: {"old": value, "new": value}} in JSON form (codes for needs and the like,
    "address.<field>" for the location's address). Approval applies them all or nothing; if any field's
    current value is no longer `old`, the request is flagged `conflicting` instead of overwriting.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="change_requests")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.UUIDField()
    changes = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    conflicting = models.BooleanField(default=False, help_text="The record changed since the request was made.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="change_request_queue_idx")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}: {', '.join(self.changes)} ({self.status})"


class ListingChange(models.Model):
    """One field of a listing changed: who, when, before, after, and how (the listing history)."""

    class Source(models.TextChoices):
        DIRECT = "direct", "Direct edit"
        CHANGE_REQUEST = "change_request", "Approved change request"
        VERIFICATION = "verification", "Re-verification"
        APPLICATION = "application", "Approved application"
        ADMIN = "admin", "Django admin"
        IMPORT = "import", "Import"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="history")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.UUIDField()
    field = models.CharField(max_length=64)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    change_request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["organization", "-changed_at"], name="listing_change_org_idx")]

    def __str__(self) -> str:
        return f"{self.record_type}.{self.field} at {self.changed_at:%Y-%m-%d %H:%M}"


class Application(models.Model):
    """A new organization asking to be listed; a moderator approves (creating the listings and an
    invitation for `contact_email`) or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    organization_name = models.CharField(max_length=255)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    details = models.JSONField(help_text="The validated organization, locations and services applied for.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.organization_name} ({self.status})"


class Invitation(models.Model):
    """A single-use, expiring invitation to manage an organization. Only a hash of the token is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation to {self.organization_id} for {self.email}"


class Suggestion(models.Model):
    """Someone reports that a listing is wrong; it waits in the moderators' queue."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="suggestions")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    record_id = models.UUIDField()
    message = models.TextField()
    reporter_email = models.EmailField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"suggestion on {self.record_type} {self.record_id} ({self.status})"


class MergedId(models.Model):
    """The id of a record merged into another (stewardship.merge): it answers with a pointer to the kept record, since
    HSDS consumers and other systems hold our ids."""

    id = models.UUIDField(primary_key=True, help_text="The merged record's id.")
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    kept_id = models.UUIDField(help_text="The record it was merged into.")
    merged_at = models.DateTimeField()

    class Meta:
        ordering = ["-merged_at", "id"]
        verbose_name = "merged id"

    def __str__(self) -> str:
        return f"{self.record_type} {self.id} -> {self.kept_id}"

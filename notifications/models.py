"""The outbox: every email is a row written in the same transaction as the change it announces.

A worker (python manage.py send_notifications) delivers due rows and retries failures, so a mail-server
outage delays a notification but never loses it, and a rolled-back change never sends one.
Messages hold no client data (docs/privacy.md): a reference code, need categories and a link that needs login.
Bodies are encrypted at rest, and one holding a secret (a single-use link) is blanked once delivered or given up.
"""

from django.db import models
from django.utils import timezone

from core.encryption import EncryptedTextField


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    kind = models.CharField(max_length=64, help_text="What the message announces, e.g. 'referral.created'.")
    to_email = models.EmailField()
    subject = models.CharField(max_length=255)
    # Encrypted at rest: an unsent invitation's body holds its single-use link, and any body may one day hold
    # something else that must not sit readable in a dump or a replica.
    body = EncryptedTextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    clear_body_after_send = models.BooleanField(
        default=False, help_text="The body holds a secret (a single-use link): blank it once delivered."
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The worker's query: pending messages whose next attempt is due, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to_email} ({self.status})"

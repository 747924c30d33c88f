"""Lists of services sent to a survivor by text or email (docs/sends.md).

What stays is who sent it, when, how, in which language, which services and what became of it. The number or
email address is encrypted at rest until the last attempt to deliver and then erased; a keyed hash of it, for the
daily per-recipient limit, is erased once its day is over. The message itself is not kept: it is written again
from the services' public view when it is delivered.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField

MAX_OFFERS = 10


class Channel(models.TextChoices):
    SMS = "sms", "Text message (SMS)"
    EMAIL = "email", "Email"


class SendStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")  # handed to the mail server or the SMS provider
    DELIVERED = "delivered", _("Delivered")  # the SMS provider reported every part delivered
    UNDELIVERED = "undelivered", _("Not delivered")  # the SMS provider reported a part it could not deliver
    FAILED = "failed", _("Not sent (gave up)")


# The address is no longer needed once a send reaches one of these.
FINISHED = frozenset({SendStatus.SENT, SendStatus.DELIVERED, SendStatus.UNDELIVERED, SendStatus.FAILED})


class Send(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8)
    offers = ArrayField(models.UUIDField(), size=MAX_OFFERS, help_text="Services at locations, in the order sent.")
    status = models.CharField(max_length=16, choices=SendStatus.choices, default=SendStatus.QUEUED)
    # The sender's "yes, it is safe to send now" (no detail of the person is recorded with it).
    safety_confirmed_at = models.DateTimeField()
    address = EncryptedTextField(blank=True, help_text="Erased after the last attempt.")
    recipient_hash = models.CharField(max_length=64, blank=True, help_text="Erased once its day is over.")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    parts_sent = models.PositiveSmallIntegerField(default=0, help_text="Text-message parts accepted so far.")
    finished_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True, help_text="Why it failed; never the address.")
    idempotency_key = models.CharField(max_length=255, blank=True, help_text="Erased after a day.")
    request_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "idempotency_key"], condition=~Q(idempotency_key=""), name="send_idempotency_unique"
            ),
            # A finished send holds no address (ciphertext of "" is "": the empty text needs no key).
            models.CheckConstraint(
                condition=Q(Exact(Length("address"), 0)) | ~Q(status__in=sorted(s.value for s in FINISHED)),
                name="send_finished_no_address",
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="queued"), name="send_due_idx"),
            models.Index(fields=["sender", "created_at"], name="send_sender_time_idx"),
            models.Index(fields=["recipient_hash"], condition=~Q(recipient_hash=""), name="send_recipient_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} send {self.pk} ({self.status})"


class SendPart(models.Model):
    """One text message of a send (a long list goes in several), found again by the provider's status callback
    through a keyed hash of the provider's message id (the id would let whoever holds the provider account look the
    number up)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted by the provider"
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Not delivered")

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveSmallIntegerField()
    ref_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    error_code = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["send", "number"]
        constraints = [models.UniqueConstraint(fields=["send", "number"], name="send_part_unique")]

    def __str__(self):
        return f"part {self.number + 1} of send {self.send_id} ({self.status})"


class SendEvent(models.Model):
    """The audit of a send: what happened, when, by whom (None: the system). Never the address."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created (safety check confirmed)")
        ATTEMPT_FAILED = "attempt_failed", _("Attempt failed, will retry")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Not delivered")
        GAVE_UP = "gave_up", _("Gave up")
        ADDRESS_ERASED = "address_erased", _("Address erased")

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=24, choices=Action.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M:%S}"

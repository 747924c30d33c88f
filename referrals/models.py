"""Closed-loop referrals (docs/privacy.md, Survivors' data): a non-identifying code, the needs, and only what
the receiving provider must know. Client contact exists only beside a consent record; notes, contact and
free-text reasons are encrypted at rest; every read of the details and every change is recorded.

Immigration status is never a field here, by design.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.encryption import EncryptedTextField

# Crockford base32 without I, L, O, U: easy to read out on a phone call, nothing to confuse.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_referral_code() -> str:
    """Return a fresh reference code such as R-7F3K-2QX9 (40 random bits)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"R-{chars[:4]}-{chars[4:]}"


_MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalize_referral_code(code: str) -> str:
    """Return a code as stored: upper case, with letters people misread as digits read as those digits."""
    code = code.strip().upper()
    return "R-" + code[2:].translate(_MISREAD) if code.startswith("R-") else code


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    EMERGENCY = "emergency", "Emergency"


class Status(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


TERMINAL_STATUSES = frozenset({Status.DECLINED, Status.COMPLETED, Status.CLOSED, Status.WITHDRAWN, Status.EXPIRED})


class Reason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    COULD_NOT_CONTACT = "could_not_contact", _("Could not contact")
    NO_LONGER_INTERESTED = "no_longer_interested", _("No longer interested")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    OTHER = "other", _("Other")


DECLINE_REASONS = (Reason.NO_CAPACITY, Reason.NOT_ELIGIBLE, Reason.COULD_NOT_CONTACT, Reason.OTHER)
CLOSE_REASONS = (Reason.COULD_NOT_CONTACT, Reason.NO_LONGER_INTERESTED, Reason.REFERRED_ELSEWHERE)
DECLINE_REASON_CHOICES = [(reason.value, reason.label) for reason in DECLINE_REASONS]
CLOSE_REASON_CHOICES = [(reason.value, reason.label) for reason in CLOSE_REASONS]


class Outcome(models.TextChoices):
    GOT_HELP = "got_help", _("Got help")
    PARTIALLY = "partially", _("Partially helped")


class Side(models.TextChoices):
    """Who may take an action: the sending user, the receiving organization, or the system (expiry)."""

    SENDER = "sender"
    RECEIVER = "receiver"
    SYSTEM = "system"


TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    # action: (from statuses, to status, side allowed to act)
    "accept": (frozenset({Status.SENT}), Status.ACCEPTED, Side.RECEIVER),
    "decline": (frozenset({Status.SENT}), Status.DECLINED, Side.RECEIVER),
    "start": (frozenset({Status.ACCEPTED}), Status.IN_PROGRESS, Side.RECEIVER),
    "complete": (frozenset({Status.IN_PROGRESS}), Status.COMPLETED, Side.RECEIVER),
    # A provider who accepted but never reached the client closes from `accepted`.
    "close": (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.CLOSED, Side.RECEIVER),
    "withdraw": (frozenset({Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS}), Status.WITHDRAWN, Side.SENDER),
    "expire": (frozenset({Status.SENT}), Status.EXPIRED, Side.SYSTEM),
}


def allowed_actions(status: str, sides: set[str]) -> list[str]:
    """Return the actions these sides may take from a status, in lifecycle order."""
    return [action for action, (sources, _, side) in TRANSITIONS.items() if status in sources and side in sides]


class Referral(models.Model):
    code = models.CharField(max_length=11, unique=True, default=new_referral_code, editable=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_sent")
    sender_organization = models.ForeignKey(
        "providers.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receiving_organization = models.ForeignKey(
        "providers.Organization",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        help_text="The organization that provides the service; its provider staff answer the referral.",
    )
    # The listing may later be removed; the referral (and the counts in reports) remain.
    service_at_location = models.ForeignKey(
        "providers.ServiceAtLocation", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    needs = models.ManyToManyField("providers.NeedTerm", related_name="referrals")
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE)
    note = EncryptedTextField(blank=True, help_text="For the receiving provider; encrypted at rest.")
    do_not_contact = models.BooleanField(
        default=False, help_text="Suppresses every outbound message about this client, emails included."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    reason = models.CharField(max_length=32, choices=Reason.choices, blank=True)
    reason_text = EncryptedTextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    # The receiving site's state, kept for aggregate reports even if the listing goes away.
    state_code = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    answered_at = models.DateTimeField(null=True, blank=True, help_text="First accept or decline.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it reached a final status.")
    purged_at = models.DateTimeField(null=True, blank=True, help_text="When note and client contact were removed.")
    # Accepted and then neither started nor closed: who has been reminded (0 nobody, 1 the receiver, 2 the
    # sender too). Nothing closes it; it is shown as overdue (referrals.services.referrals_remind_overdue).
    overdue_reminders = models.PositiveSmallIntegerField(default=0)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True, help_text="When the last reminder went.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Inbox and outbox lists: a caller's sent / an organization's received, newest first.
            models.Index(fields=["sender", "-created_at"], name="referral_sender_idx"),
            models.Index(fields=["receiving_organization", "-created_at"], name="referral_receiver_idx"),
            # expire_referrals: unanswered referrals by age.
            models.Index(fields=["created_at"], condition=Q(status="sent"), name="referral_unanswered_idx"),
            # remind_overdue_referrals: accepted referrals by when they were accepted.
            models.Index(fields=["answered_at"], condition=Q(status="accepted"), name="referral_accepted_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="referral_status_valid"),
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="referral_urgency_valid"),
        ]

    def __str__(self):
        return self.code

    def is_overdue(self, now=None) -> bool:
        """Accepted more than REFERRAL_OVERDUE_AFTER_DAYS ago and neither started nor closed since."""
        return (
            self.status == Status.ACCEPTED
            and self.answered_at is not None
            and (self.answered_at < (now or timezone.now()) - timedelta(days=settings.REFERRAL_OVERDUE_AFTER_DAYS))
        )

    def consented_contact(self, now=None):
        """Return the client contact while the client's consent holds, else None (the one rule for showing it)."""
        contact = getattr(self, "client_contact", None)
        if contact is None or contact.consent.expires_at <= (now or timezone.now()):
            return None
        return contact


class Consent(models.Model):
    """The client's consent to share their contact with one recipient, for a purpose, until a date."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="consent")
    recipient_organization = models.ForeignKey("providers.Organization", on_delete=models.PROTECT, related_name="+")
    purpose = EncryptedTextField(help_text="What the contact may be used for; encrypted (it may describe the client).")
    given_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("given_at")), name="consent_expires_after_given")
        ]

    def __str__(self):
        return f"consent until {self.expires_at:%Y-%m-%d}"


class ClientContact(models.Model):
    """How the receiving provider may reach the client. It cannot exist without a consent (NOT NULL)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="client_contact")
    consent = models.OneToOneField(Consent, on_delete=models.CASCADE, related_name="client_contact")
    name = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    preferred_language = models.ForeignKey(
        "providers.Language", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return "client contact"  # never the contact itself, wherever a model is printed


class ReferralEvent(models.Model):
    """One change of a referral: who, when, from, to and why. `actor` is empty for the system (expiry)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(max_length=32, choices=Reason.choices, blank=True)
    reason_text = EncryptedTextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status or 'new'} -> {self.to_status}"


class ReferralAccess(models.Model):
    """The access log: every read of a referral's details or history (changes are ReferralEvents)."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed details"
        EVENTS = "events", "Viewed history"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    via = models.CharField(max_length=16, default="api", help_text="api or web")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["referral", "-at"], name="referral_access_idx")]

    def __str__(self):
        return f"{self.action} by {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """A create request already handled: the same key and body return the same referral.

    Only a keyed hash (HMAC) of the body is kept, never the body, and purge_referrals drops rows after a day.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self):
        return self.key

"""Writes to referrals. Each lifecycle change is one function, in a transaction, with the referral's row
locked (two staff of one shelter may press accept at once), writing a ReferralEvent and queueing its email
in the same transaction."""

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from providers.models import Language, NeedTerm, ServiceAtLocation, ServiceStatus
from referrals.models import (
    CLOSE_REASONS,
    DECLINE_REASONS,
    TERMINAL_STATUSES,
    TRANSITIONS,
    ClientContact,
    Consent,
    IdempotencyKey,
    Outcome,
    Reason,
    Referral,
    ReferralAccess,
    ReferralEvent,
    Status,
    Urgency,
    allowed_actions,
)
from referrals.notifications import notify_overdue, notify_referral_created, notify_status_changed
from referrals.permissions import check_may_act, may_send_referrals

MAX_NEEDS = 10
# How far ahead of our clock a caller's "consent given at" may be (their clock may run fast).
CLOCK_SKEW = timedelta(minutes=5)
IDEMPOTENCY_CONSTRAINT = "idempotency_key_unique_per_user"


class TransitionNotAllowed(Exception):
    """The referral's status does not allow this action (HTTP 409); `allowed` lists what it does allow."""

    def __init__(self, *, action: str, status: str, allowed: list[str]):
        self.action, self.status, self.allowed = action, status, allowed
        super().__init__(f"Cannot {action} a referral that is {Status(status).label.lower()}.")


class IdempotencyKeyReused(Exception):
    """The idempotency key was already used for a different request (HTTP 422)."""


@dataclass(frozen=True)
class ClientContactInput:
    name: str = ""
    phone: str = ""
    email: str = ""
    preferred_language: Language | None = None


@dataclass(frozen=True)
class ConsentInput:
    purpose: str
    expires_at: datetime
    given_at: datetime | None = None


def referral_create(
    *,
    sender,
    service_at_location: ServiceAtLocation,
    needs: Iterable[NeedTerm],
    urgency: str = Urgency.ROUTINE,
    note: str = "",
    do_not_contact: bool = False,
    client_contact: ClientContactInput | None = None,
    consent: ConsentInput | None = None,
    idempotency_key: str,
    request_hash: str,
    now: datetime | None = None,
) -> tuple[Referral, bool]:
    """Send a referral; return (referral, created). The same idempotency key and body return the first one."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            earlier = _replay(sender, idempotency_key, request_hash)
            if earlier is not None:
                return earlier, False
            referral = _referral_create(
                sender=sender,
                offer=service_at_location,
                needs=list(needs),
                urgency=urgency,
                note=note,
                do_not_contact=do_not_contact,
                contact=client_contact,
                consent=consent,
                now=now,
            )
            # Unique per (user, key): a concurrent twin request waits here until this one commits, then fails.
            IdempotencyKey.objects.create(
                user=sender, key=idempotency_key, request_hash=request_hash, referral=referral
            )
            return referral, True
    except IntegrityError as exc:
        if IDEMPOTENCY_CONSTRAINT not in str(exc):
            raise
    # The twin won and everything this request wrote was rolled back: answer with the twin's referral.
    earlier = _replay(sender, idempotency_key, request_hash)
    if earlier is None:  # pragma: no cover - the twin's row is committed by the time the constraint fails
        raise IdempotencyKeyReused()
    return earlier, False


def _replay(sender, key: str, request_hash: str) -> Referral | None:
    earlier = IdempotencyKey.objects.filter(user=sender, key=key).select_related("referral").first()
    if earlier is None:
        return None
    if not hmac.compare_digest(earlier.request_hash, request_hash):
        raise IdempotencyKeyReused()
    return earlier.referral


def _referral_create(*, sender, offer, needs, urgency, note, do_not_contact, contact, consent, now) -> Referral:
    if not may_send_referrals(sender):
        raise PermissionDenied("Only hotline staff, specialists and provider staff may send referrals.")
    _validate_new_referral(offer=offer, needs=needs, contact=contact, consent=consent, now=now)
    address = offer.location.primary_address()
    referral = Referral(
        sender=sender,
        sender_organization_id=sender.organization_id,
        receiving_organization_id=offer.service.organization_id,
        service_at_location=offer,
        urgency=urgency,
        note=note,
        do_not_contact=do_not_contact,
        state_code=address.state_province if address else "",
    )
    _save_with_unique_code(referral)
    referral.needs.set(needs)
    if consent is not None:
        consent_row = Consent.objects.create(
            referral=referral,
            recipient_organization_id=referral.receiving_organization_id,
            purpose=consent.purpose,
            given_at=consent.given_at or now,
            expires_at=consent.expires_at,
            recorded_by=sender,
        )
        if contact is not None:
            ClientContact.objects.create(
                referral=referral,
                consent=consent_row,
                name=contact.name,
                phone=contact.phone,
                email=contact.email,
                preferred_language=contact.preferred_language,
            )
    ReferralEvent.objects.create(referral=referral, actor=sender, at=now, to_status=Status.SENT)
    notify_referral_created(referral)
    return referral


def _validate_new_referral(*, offer, needs, contact, consent, now) -> None:
    if offer.service.status != ServiceStatus.ACTIVE:
        raise ValidationError({"service_at_location": "This service is not active."})
    if not offer.location.accepting_referrals:
        raise ValidationError({"service_at_location": "This location is not accepting referrals right now."})
    if not 1 <= len(needs) <= MAX_NEEDS:
        raise ValidationError({"needs": f"Give 1 to {MAX_NEEDS} needs."})
    if contact is not None:
        if consent is None:
            raise ValidationError(
                {"consent": "Client contact may only be stored with the client's consent (purpose, expiry)."}
            )
        if not (contact.name or contact.phone or contact.email):
            raise ValidationError({"client_contact": "Give a name, phone or email, or leave client_contact out."})
    if consent is not None:
        given_at = consent.given_at or now
        if given_at > now + CLOCK_SKEW:
            raise ValidationError({"consent": "Consent cannot be given in the future (given_at)."})
        if consent.expires_at <= max(now, given_at):
            raise ValidationError({"consent": "The consent has already expired (expires_at)."})


def _save_with_unique_code(referral: Referral) -> None:
    # 40 random bits make a clash very unlikely; if one happens, draw again.
    for _ in range(5):
        try:
            with transaction.atomic():
                referral.save()
            return
        except IntegrityError as exc:
            if "code" not in str(exc):
                raise
            referral.code = Referral._meta.get_field("code").get_default()
    raise IntegrityError("Could not draw an unused referral code.")  # pragma: no cover


# --- lifecycle -------------------------------------------------------------------------------------------


def referral_accept(*, referral: Referral, actor, now: datetime | None = None) -> Referral:
    return _transition(referral, actor, "accept", now=now)


def referral_decline(
    *, referral: Referral, actor, reason: str, reason_text: str = "", now: datetime | None = None
) -> Referral:
    _require_reason(reason, reason_text, DECLINE_REASONS)
    return _transition(referral, actor, "decline", reason=reason, reason_text=reason_text, now=now)


def referral_start(*, referral: Referral, actor, now: datetime | None = None) -> Referral:
    return _transition(referral, actor, "start", now=now)


def referral_complete(*, referral: Referral, actor, outcome: str, now: datetime | None = None) -> Referral:
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": f"Choose one of: {', '.join(Outcome.values)}."})
    return _transition(referral, actor, "complete", outcome=outcome, now=now)


def referral_close(
    *, referral: Referral, actor, reason: str, reason_text: str = "", now: datetime | None = None
) -> Referral:
    _require_reason(reason, reason_text, CLOSE_REASONS)
    return _transition(referral, actor, "close", reason=reason, reason_text=reason_text, now=now)


def referral_withdraw(*, referral: Referral, actor, reason_text: str = "", now: datetime | None = None) -> Referral:
    return _transition(referral, actor, "withdraw", reason_text=reason_text, now=now)


def referral_expire(*, referral: Referral, now: datetime | None = None) -> Referral:
    """Mark an unanswered referral expired (the system acts; no user)."""
    return _transition(referral, None, "expire", now=now)


def _require_reason(reason: str, reason_text: str, choices) -> None:
    if reason not in choices:
        raise ValidationError({"reason": f"Choose one of: {', '.join(choices)}."})
    if reason == Reason.OTHER and not reason_text.strip():
        raise ValidationError({"reason_text": "Say why when the reason is 'other'."})


def _transition(
    referral: Referral,
    actor,
    action: str,
    *,
    reason: str = "",
    reason_text: str = "",
    outcome: str = "",
    now: datetime | None = None,
) -> Referral:
    now = now or timezone.now()
    sources, target, _ = TRANSITIONS[action]
    with transaction.atomic():
        # Lock the referral row only: FOR UPDATE with select_related would also lock the sender's and the
        # receiving organization's rows, holding up every other referral to or from them (and deadlocking
        # against their creates under load).
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("sender", "receiving_organization")
            .get(pk=referral.pk)
        )
        sides = check_may_act(actor, locked, action)
        if locked.status not in sources:
            raise TransitionNotAllowed(
                action=action, status=locked.status, allowed=allowed_actions(locked.status, sides)
            )
        event = ReferralEvent.objects.create(
            referral=locked,
            actor=actor,
            at=now,
            from_status=locked.status,
            to_status=target,
            reason=reason,
            reason_text=reason_text,
            outcome=outcome,
        )
        locked.status, locked.reason, locked.reason_text, locked.outcome = target, reason, reason_text, outcome
        if locked.answered_at is None and action in {"accept", "decline"}:
            locked.answered_at = now
        if target in TERMINAL_STATUSES:
            locked.ended_at = now
        locked.save()
        notify_status_changed(locked, event)
    return locked


# --- audit, expiry, retention ----------------------------------------------------------------------------


def referral_access_record(*, referral: Referral, user, action: str, via: str = "api") -> None:
    """Record that a user read a referral's details or history."""
    ReferralAccess.objects.create(referral=referral, user=user, action=action, via=via)


def referrals_expire(*, older_than_days: int | None = None, now: datetime | None = None) -> int:
    """Expire referrals still `sent` after the configured number of days; return how many expired."""
    now = now or timezone.now()
    days = settings.REFERRAL_EXPIRE_AFTER_DAYS if older_than_days is None else older_than_days
    cutoff = now - timedelta(days=days)
    expired = 0
    for pk in Referral.objects.filter(status=Status.SENT, created_at__lt=cutoff).values_list("pk", flat=True):
        try:
            referral_expire(referral=Referral(pk=pk), now=now)
        except TransitionNotAllowed:
            continue  # answered meanwhile: the provider was faster than the clock
        expired += 1
    return expired


def referrals_remind_overdue(*, now: datetime | None = None) -> dict[str, int]:
    """Remind about accepted referrals nobody started or closed: the receiving organization once they are
    REFERRAL_OVERDUE_AFTER_DAYS overdue, the sender once as many days after that reminder. Return how many of
    each were reminded.

    Each referral is locked while it is reminded (SKIP LOCKED), so two runs never remind twice; the email
    goes through the outbox in the same transaction, and do_not_contact suppresses it as every other one."""
    now = now or timezone.now()
    days = timedelta(days=settings.REFERRAL_OVERDUE_AFTER_DAYS)
    counts = {"receiver": 0, "sender": 0}
    # The sender hears as many days after the receiver's reminder, even when the job was down for a while.
    stages = (
        (0, "receiver", Q(answered_at__lt=now - days)),
        (1, "sender", Q(answered_at__lt=now - 2 * days, overdue_reminded_at__lte=now - days)),
    )
    for stage, side, when in stages:
        due = Referral.objects.filter(when, status=Status.ACCEPTED, overdue_reminders=stage)
        for pk in due.values_list("pk", flat=True):
            with transaction.atomic():
                referral = (
                    due.select_for_update(of=("self",), skip_locked=True)
                    .select_related("sender", "receiving_organization")
                    .filter(pk=pk)
                    .first()
                )
                if referral is None:
                    continue  # answered, reminded or locked meanwhile
                notify_overdue(referral, side)
                referral.overdue_reminders, referral.overdue_reminded_at = stage + 1, now
                referral.save(update_fields=["overdue_reminders", "overdue_reminded_at", "updated_at"])
            counts[side] += 1
    return counts


PURGEABLE_STATUSES = (Status.CLOSED, Status.COMPLETED, Status.EXPIRED, Status.WITHDRAWN, Status.DECLINED)


@transaction.atomic
def referrals_purge(*, older_than_days: int, now: datetime | None = None) -> dict[str, int]:
    """Remove client contact, consent, note and free-text reasons from referrals that ended more than
    `older_than_days` ago, and client contact whose consent has expired (whatever the status). The rows,
    their needs, statuses and dates stay, so aggregate reports keep their counts."""
    if older_than_days < 0:
        raise ValidationError({"older_than": "Give a number of days, 0 or more."})
    now = now or timezone.now()
    ended = Referral.objects.filter(
        status__in=PURGEABLE_STATUSES, ended_at__lt=now - timedelta(days=older_than_days), purged_at__isnull=True
    )
    ended_ids = list(ended.values_list("pk", flat=True))
    expired_consents = Consent.objects.filter(expires_at__lte=now).exclude(referral_id__in=ended_ids)
    counts = {
        "referrals": len(ended_ids),
        "expired_consent_contacts": ClientContact.objects.filter(consent__in=expired_consents).count(),
    }
    expired_consents.delete()  # with their client contact (cascade)
    # Consent rows cascade to their ClientContact.
    Consent.objects.filter(referral_id__in=ended_ids).delete()
    ClientContact.objects.filter(referral_id__in=ended_ids).delete()
    # The empty text is stored as the empty string (nothing to encrypt).
    Referral.objects.filter(pk__in=ended_ids).update(note="", reason_text="", purged_at=now)
    ReferralEvent.objects.filter(referral_id__in=ended_ids).update(reason_text="")
    # Idempotency keys only need to outlive client retries.
    IdempotencyKey.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    return counts

"""Writes to the outbox: enqueue inside the caller's transaction; deliver from the worker."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

# Retry backoff: 1, 2, 4, ... minutes, at most six hours between attempts.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


def outbox_enqueue(*, kind: str, to_email: str, subject: str, body: str, secret: bool = False) -> OutboxMessage:
    """Queue one email and the job that delivers it. Call inside the transaction of the change it announces, so
    all or none happen. `secret`: the body holds something like a single-use link; it is blanked once delivered."""
    from notifications import tasks  # the task module imports this one

    with transaction.atomic():
        message = OutboxMessage.objects.create(
            kind=kind, to_email=to_email, subject=subject, body=body, clear_body_after_send=secret
        )
        tasks.defer_in_transaction(tasks.deliver, message_id=message.pk)
    return message


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait before the next attempt after `attempts` failures."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def outbox_deliver(*, now: datetime | None = None, batch_size: int = 100) -> dict[str, int]:
    """Send due pending messages; return counts of sent, retried and failed (given up) messages.

    Each message is sent while its row is locked (SKIP LOCKED), so two workers never send the same one,
    and its new status commits with the attempt: a crash mid-send leaves it pending to be retried.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        with transaction.atomic():
            message = _due_unclaimed(now).order_by("next_attempt_at", "id").first()
            if message is None:
                return counts
            outcome = _attempt(message, now)
        counts[outcome] += 1
        if sum(counts.values()) >= batch_size:
            return counts


def outbox_deliver_one(message_id: int, *, now: datetime | None = None) -> str | None:
    """Send one message if it is still pending and due, and no other worker holds it; return the outcome (sent,
    retry, failed), or None when there was nothing to do. A retry is left to outbox_deliver's sweep."""
    now = now or timezone.now()
    with transaction.atomic():
        message = _due_unclaimed(now).filter(pk=message_id).first()
        return None if message is None else _attempt(message, now)


def _due_unclaimed(now: datetime):
    """Pending messages due by `now` that no other worker holds, locked for this transaction (SKIP LOCKED)."""
    return OutboxMessage.objects.select_for_update(skip_locked=True).filter(
        status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
    )


def _attempt(message: OutboxMessage, now: datetime) -> str:
    message.attempts += 1
    try:
        EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to_email],
        ).send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any delivery failure is retried, whatever the backend raised
        # Without the address: a refusal names the recipient it refused (SMTPRecipientsRefused), and the error
        # outlives the delivery.
        message.last_error = f"{type(exc).__name__}: {exc}".replace(message.to_email, "(recipient)")[:500]
        if message.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
            if message.clear_body_after_send:
                message.body = "(given up; the body held a single-use link and was removed)"
            outcome = "failed"
        else:
            message.next_attempt_at = now + retry_delay(message.attempts)
            outcome = "retry"
        # The id and kind only: addresses are staff addresses, but logs stay free of anything personal.
        logger.warning("outbox message %s (%s) not delivered: attempt %s", message.id, message.kind, message.attempts)
    else:
        message.status = OutboxMessage.Status.SENT
        message.sent_at = now
        message.last_error = ""
        if message.clear_body_after_send:
            message.body = "(delivered; the body held a single-use link and was removed)"
        outcome = "sent"
    message.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at", "last_error", "body"])
    return outcome

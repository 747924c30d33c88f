"""Writes to sends: create one (safety check, limits, idempotency, the job in the same transaction), deliver it
(at most once, however many workers), record what the SMS provider reports, and erase what is no longer needed."""

import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from providers.models import ServiceAtLocation, ServiceStatus
from sends import channels
from sends.models import FINISHED, MAX_OFFERS, Channel, Send, SendEvent, SendPart, SendStatus
from sends.permissions import may_send_lists

logger = logging.getLogger(__name__)

IDEMPOTENCY_CONSTRAINT = "send_idempotency_unique"
# Retries after 1, 2, 4 and 8 minutes; never after GIVE_UP_AFTER: "is it safe to send now?" was asked about now.
BACKOFF_BASE = timedelta(minutes=1)
MAX_ATTEMPTS = 5
GIVE_UP_AFTER = timedelta(minutes=30)
# A send a worker claimed this long ago without an outcome (the worker died mid-send) may or may not have arrived:
# it is not sent again (at most once), it is marked failed.
INTERRUPTED_AFTER = timedelta(minutes=10)
# The per-recipient limit's window; recipients' hashes, idempotency keys and request hashes are erased after it.
DAY = timedelta(days=1)
MAYBE_ARRIVED = "it may or may not have arrived, so it is not sent again"
SWEEP_BUDGET = timedelta(minutes=2)  # a sweep stops after this long; sends it did not reach wait a minute


class LimitReached(Exception):
    """Too many sends by this sender this hour, or to this number or address in a day (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: timedelta):
        super().__init__(message)
        self.retry_after = retry_after


class IdempotencyKeyReused(Exception):
    """The idempotency key was already used for a different send (HTTP 422)."""


def recipient_hash(channel: str, address: str, day: date) -> str:
    """A keyed hash of an address (an email address in any case), keyed by its UTC day too: one day's hashes
    cannot be matched with another's."""
    key = f"sends-recipient:{day.isoformat()}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, f"{channel}:{address.casefold()}".encode(), hashlib.sha256).hexdigest()


def request_hash(*, offers, channel: str, address: str, language: str, day: date) -> str:
    """A keyed hash of what a create request asks for (the services in their order), so a replay is recognised;
    the address enters only as its day's recipient hash, and goes with it."""
    ids = [str(uuid.UUID(str(offer))) for offer in offers]  # as _check made them
    asked = json.dumps([ids, channel, recipient_hash(channel, address, day), language])
    return hmac.new(f"sends-request:{settings.SECRET_KEY}".encode(), asked.encode(), hashlib.sha256).hexdigest()


def ref_hash(provider_ref: str) -> str:
    """A keyed hash of the SMS provider's message id."""
    return hmac.new(f"sends-ref:{settings.SECRET_KEY}".encode(), provider_ref.encode(), hashlib.sha256).hexdigest()


def scrub(text: str, address: str) -> str:
    """Return an error text without the address, whichever way it is quoted (any case; a number with any
    separators), nor an email address's local part."""
    if not address:
        return text
    local = address.partition("@")[0] if "@" in address else ""
    for part in filter(None, (address, local if len(local) >= 3 else "")):
        text = re.sub(re.escape(part), "(recipient)", text, flags=re.IGNORECASE)
    digits = re.sub(r"\D", "", address)
    if "@" not in address and len(digits) >= 7:
        for tail in (digits[-10:], digits[-7:]):  # the whole number, then its local seven digits
            text = re.sub(r"\+?1?\D{0,5}" + r"\D{0,5}".join(tail), "(recipient)", text)
    return text


def send_create(
    *,
    sender,
    offers: Sequence[uuid.UUID],
    channel: str,
    address: str,
    language: str,
    safety_confirmed: bool,
    idempotency_key: str,
    now: datetime | None = None,
) -> tuple[Send, bool]:
    """Queue a list of services for a survivor; return (send, created). `address` is a normalised number (E.164)
    or email address. The same idempotency key and request return the first send."""
    now = now or timezone.now()
    if not may_send_lists(sender):
        raise PermissionDenied("Only hotline staff and specialists may send a list of services to a survivor.")
    asked = {"offers": offers, "channel": channel, "address": address, "language": language}
    try:
        with transaction.atomic():
            earlier = _replay(sender, idempotency_key, asked)  # a replay is answered even if a service closed since
            if earlier is not None:
                return earlier, False
            offers = _check(offers=offers, safety_confirmed=safety_confirmed)
            _lock(sender=sender, hashed=recipient_hash(channel, address, now.date()))
            # After the locks: a twin request that held them has committed, and is answered, not counted.
            earlier = _replay(sender, idempotency_key, asked)
            if earlier is not None:
                return earlier, False
            _check_limits(sender=sender, channel=channel, address=address, now=now)
            send = Send.objects.create(
                sender=sender, created_at=now, channel=channel, language=language, offers=offers,
                safety_confirmed_at=now, address=address, recipient_hash=recipient_hash(channel, address, now.date()),
                next_attempt_at=now, idempotency_key=idempotency_key,
                request_hash=request_hash(**{**asked, "offers": offers}, day=now.date()),
            )  # fmt: skip
            SendEvent.objects.create(
                send=send, at=now, actor=sender, action=SendEvent.Action.CREATED,
                detail=f"{channel}, {language}, {len(offers)} service(s)",
            )  # fmt: skip
            from sends import tasks  # the task module imports this one

            tasks.defer_delivery(send.pk)
            return send, True
    except IntegrityError as exc:
        if IDEMPOTENCY_CONSTRAINT not in str(exc):
            raise
    earlier = _replay(sender, idempotency_key, asked)
    if earlier is None:  # pragma: no cover - the twin's row is committed by the time the constraint fails
        raise IdempotencyKeyReused()
    return earlier, False


def _replay(sender, key: str, asked: dict) -> Send | None:
    earlier = Send.objects.filter(sender=sender, idempotency_key=key).first()
    if earlier is None:
        return None
    expected = request_hash(**asked, day=earlier.created_at.date())
    if not hmac.compare_digest(earlier.request_hash, expected):
        raise IdempotencyKeyReused()
    return earlier


def _check(*, offers: Sequence[uuid.UUID], safety_confirmed: bool) -> list[uuid.UUID]:
    """Return the offers as ids once the request passes; a ValidationError naming the field otherwise."""
    if safety_confirmed is not True:
        raise ValidationError({"safety_confirmed": ["Confirm that it is safe to send this to the person now."]})
    if not 1 <= len(offers) <= MAX_OFFERS:
        raise ValidationError({"offers": [f"Choose 1 to {MAX_OFFERS} services."]})
    try:
        offers = [uuid.UUID(str(offer)) for offer in offers]
    except ValueError:
        raise ValidationError({"offers": ["Each service is a service at location's id (a UUID)."]}) from None
    if len(set(offers)) != len(offers):
        raise ValidationError({"offers": ["A service is chosen twice."]})
    found = set(
        ServiceAtLocation.objects.filter(pk__in=offers, service__status=ServiceStatus.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    missing = [str(offer) for offer in offers if offer not in found]
    if missing:
        raise ValidationError({"offers": [f"No such active service at location: {', '.join(missing)}."]})
    return offers


def _lock(*, sender, hashed: str) -> None:
    """Advisory locks (the sender's, then the recipient's): two concurrent requests count one after the other."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sends-sender:{sender.pk}"])
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sends-recipient:{hashed}"])


def _check_limits(*, sender, channel: str, address: str, now: datetime) -> None:
    """Refuse a send over the sender's hourly limit or the recipient's limit in the last 24 hours (counted on
    today's and yesterday's keyed hashes)."""
    hour_ago = now - timedelta(hours=1)
    recent = list(Send.objects.filter(sender=sender, created_at__gt=hour_ago).values_list("created_at", flat=True))
    if len(recent) >= settings.SENDS_PER_SENDER_HOUR:
        raise LimitReached(
            f"You have sent {len(recent)} lists in the last hour, the most allowed; give the list on paper.",
            retry_after=sorted(recent)[len(recent) - settings.SENDS_PER_SENDER_HOUR] - hour_ago,
        )
    day_ago = now - DAY
    hashes = [recipient_hash(channel, address, day) for day in {now.date(), day_ago.date()}]
    earlier = list(
        Send.objects.filter(recipient_hash__in=hashes, created_at__gt=day_ago).values_list("created_at", flat=True)
    )
    if len(earlier) >= settings.SENDS_PER_RECIPIENT_DAY:
        raise LimitReached(
            f"This number or address was sent {len(earlier)} lists in the last 24 hours, the most allowed; give the "
            "list on paper.",
            retry_after=sorted(earlier)[len(earlier) - settings.SENDS_PER_RECIPIENT_DAY] - day_ago,
        )


def send_deliver_one(send_id, *, now: datetime | None = None) -> str | None:
    """Try to deliver one send if it is waiting and due and no other worker holds it; return the outcome (sent,
    retry, failed), or None when there was nothing to do. The claim commits before the message leaves, so a
    send is never sent twice: a worker that dies mid-send leaves it to settle_interrupted."""
    now = now or timezone.now()
    with transaction.atomic():
        send = _due_unclaimed(now).filter(pk=send_id).first()
        if send is None:
            return None
        if now - send.created_at > GIVE_UP_AFTER:
            _finish(send, SendStatus.FAILED, "too late: not sent within 30 minutes of the safety check", now)
            return "failed"
        send.status, send.attempts, send.claimed_at = SendStatus.SENDING, send.attempts + 1, now
        send.save(update_fields=["status", "attempts", "claimed_at"])
    return _attempt(send, now)


def sends_deliver_due(*, now: datetime | None = None, batch_size: int = 100) -> int:
    """Deliver what is due again after a failed attempt, and settle interrupted sends; return how many were tried."""
    started, start = timezone.now(), now or timezone.now()
    settle_interrupted(now=start)
    tried, seen = 0, set()
    while tried < batch_size:
        now = start + (timezone.now() - started)  # each send on the clock (an outage makes attempts slow)
        if now - start > SWEEP_BUDGET:
            break  # the next minute's sweep goes on
        with transaction.atomic():
            due = _due_unclaimed(now).exclude(pk__in=seen).order_by("next_attempt_at").values_list("pk", flat=True)
            due = due.first()
        if due is None:
            break
        seen.add(due)
        if send_deliver_one(due, now=now) is not None:  # None: another worker took it meanwhile
            tried += 1
    return tried


def _due_unclaimed(now: datetime):
    return Send.objects.select_for_update(skip_locked=True).filter(status=SendStatus.QUEUED, next_attempt_at__lte=now)


def _attempt(send: Send, now: datetime) -> str:
    handed = False  # True while a message is with the mail server or provider and its fate is not known here
    sent_parts, parts = send.parts_sent, []
    try:
        parts = channels.message_parts(send)
        if not parts:
            return _settle(send.pk, SendStatus.FAILED, _parts_note("none of the chosen services is listed now",
                                                                   sent_parts, parts), now)  # fmt: skip
        if send.channel == Channel.EMAIL:
            subject = channels.message_subject(send.language)
            handed = True
            channels.send_email(to=send.address, subject=subject, body=parts[0])
        else:
            backend, callback = channels.sms_backend(), channels.status_callback_url()
            for number in range(send.parts_sent, len(parts)):
                handed = True
                provider_ref = backend.send(to=send.address, body=parts[number], status_callback=callback)
                with transaction.atomic():  # each accepted part at once: a retry goes on from the next
                    SendPart.objects.create(send_id=send.pk, number=number, ref_hash=ref_hash(provider_ref))
                    Send.objects.filter(pk=send.pk).update(parts_sent=number + 1)
                handed, sent_parts = False, number + 1
    except channels.Refused as exc:
        return _settle(send.pk, SendStatus.FAILED, _parts_note(scrub(str(exc), send.address), sent_parts, parts), now)
    except Exception as exc:  # noqa: BLE001 - any failure is settled: tried again only if nothing can have left
        detail = _parts_note(scrub(f"{type(exc).__name__}: {exc}", send.address), sent_parts, parts)
        logger.warning("send %s not delivered: attempt %s (%s)", send.pk, send.attempts, type(exc).__name__)
        if handed and not isinstance(exc, channels.NotSent):
            return _settle(send.pk, SendStatus.FAILED, f"{detail[:200]}; {MAYBE_ARRIVED}", now)
        next_at = now + BACKOFF_BASE * 2 ** (send.attempts - 1)
        if send.attempts >= MAX_ATTEMPTS or next_at - send.created_at > GIVE_UP_AFTER:
            return _settle(send.pk, SendStatus.FAILED, detail, now)
        return _settle(send.pk, SendStatus.QUEUED, detail, now, next_attempt_at=next_at)
    return _settle(send.pk, SendStatus.SENT, "", now)


def _parts_note(detail: str, sent_parts: int, parts: list) -> str:
    """A failure's detail, saying which text-message parts had already gone (the survivor has those)."""
    return f"{detail} ({sent_parts} of {len(parts) or '?'} parts were sent)" if sent_parts else detail


def _settle(send_id, status: str, detail: str, now: datetime, next_attempt_at: datetime | None = None) -> str | None:
    """Record an attempt's outcome; nothing if the send is no longer this worker's (settled as interrupted)."""
    with transaction.atomic():
        send = Send.objects.select_for_update().get(pk=send_id)
        if send.status != SendStatus.SENDING:
            return None
        if status == SendStatus.QUEUED:
            send.status, send.detail, send.claimed_at = status, detail[:300], None
            send.next_attempt_at = next_attempt_at
            send.save(update_fields=["status", "detail", "next_attempt_at", "claimed_at"])
            SendEvent.objects.create(send=send, at=now, action=SendEvent.Action.ATTEMPT_FAILED, detail=detail[:300])
            return "retry"
        _finish(send, status, detail, now)
        return "sent" if status == SendStatus.SENT else "failed"


def _finish(send: Send, status: str, detail: str, now: datetime) -> None:
    """End a send (the row locked): its outcome, the audit of it, and the address erased."""
    events = [SendEvent(send=send, at=now, action=SendEvent.Action.GAVE_UP, detail=detail[:300])]
    if status == SendStatus.SENT:
        events = [SendEvent(send=send, at=now, action=SendEvent.Action.SENT)]
        status = _outcome_from_parts(send, SendStatus.SENT)  # a fast provider may have reported already
        if status != SendStatus.SENT:
            events.append(SendEvent(send=send, at=now, action=SendEvent.Action(status), detail=_part_errors(send)))
    send.status, send.detail, send.finished_at, send.claimed_at, send.address = status, detail[:300], now, None, ""
    send.save(update_fields=["status", "detail", "finished_at", "claimed_at", "address"])
    events.append(SendEvent(send=send, at=now, action=SendEvent.Action.ADDRESS_ERASED))
    SendEvent.objects.bulk_create(events)


def settle_interrupted(*, now: datetime | None = None) -> int:
    """Mark failed the sends a worker claimed and never settled (it died mid-send); return how many."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stuck = Send.objects.select_for_update(skip_locked=True).filter(
            status=SendStatus.SENDING, claimed_at__lt=now - INTERRUPTED_AFTER
        )
        for send in stuck:
            _finish(send, SendStatus.FAILED, f"interrupted while sending: {MAYBE_ARRIVED}", now)
            count += 1
    return count


# What an SMS provider's status report means for a part (Twilio's MessageStatus values); others are on the way.
REPORTED = {
    "delivered": SendPart.Status.DELIVERED,
    "undelivered": SendPart.Status.UNDELIVERED,
    "failed": SendPart.Status.UNDELIVERED,
}


def send_status_report(*, provider_ref: str, status: str, error_code: str = "", now: datetime | None = None) -> bool:
    """Record the SMS provider's report on one message; return False when no part has that id."""
    now = now or timezone.now()
    with transaction.atomic():
        part = SendPart.objects.select_related("send").filter(ref_hash=ref_hash(provider_ref)).first()
        if part is None:
            return False
        if status not in REPORTED:
            return True
        send = Send.objects.select_for_update().get(pk=part.send_id)
        part.status, part.error_code = REPORTED[status], error_code[:16]
        part.save(update_fields=["status", "error_code", "updated_at"])
        if send.status in (SendStatus.SENT, SendStatus.DELIVERED, SendStatus.UNDELIVERED):
            outcome = _outcome_from_parts(send, send.status)
            if outcome != send.status:
                send.status = outcome
                send.save(update_fields=["status"])
                detail = _part_errors(send) if outcome == SendStatus.UNDELIVERED else ""
                SendEvent.objects.create(send=send, at=now, action=SendEvent.Action(outcome), detail=detail)
    return True


def _part_errors(send: Send) -> str:
    """The provider's error codes of the parts it could not deliver, e.g. "error 30003"."""
    codes = sorted(set(send.parts.exclude(error_code="").values_list("error_code", flat=True)))
    return f"error {', '.join(codes)}"[:300] if codes else ""


def _outcome_from_parts(send: Send, otherwise: str) -> str:
    """Undelivered if a part was not delivered, delivered if every part was, else `otherwise`."""
    statuses = list(send.parts.values_list("status", flat=True))
    if SendPart.Status.UNDELIVERED in statuses:
        return SendStatus.UNDELIVERED
    if statuses and len(statuses) >= send.parts_sent and all(s == SendPart.Status.DELIVERED for s in statuses):
        return SendStatus.DELIVERED
    return otherwise


def sends_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Erase what outlived its use: after a day, recipients' hashes, idempotency keys and request hashes; and (as
    a safeguard) an address a send still holds past its give-up time."""
    now = now or timezone.now()
    old = Send.objects.filter(created_at__lt=now - DAY)
    hashes = old.exclude(recipient_hash="").update(recipient_hash="")
    keys = old.exclude(idempotency_key="").update(idempotency_key="", request_hash="")
    late = 0
    with transaction.atomic():
        for send in (
            Send.objects.select_for_update(skip_locked=True)
            .filter(created_at__lt=now - GIVE_UP_AFTER - INTERRUPTED_AFTER)
            .exclude(status__in=FINISHED)
        ):
            _finish(send, SendStatus.FAILED, "not settled in time", now)
            late += 1
    return {"recipient_hashes": hashes, "idempotency_keys": keys, "unsettled": late}

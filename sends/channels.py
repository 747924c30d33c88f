"""How a list reaches a survivor: the message's words (the handout, in parts for text messages) and the channels'
backends. Email goes through Django's mail backends; text messages through SMS_BACKEND (Twilio in production, the
console in development).

A backend says what became of a message it could not hand over: Refused when trying again cannot help (a bad
number, a refused address), NotSent when it certainly did not leave (no connection, the provider answered an error).
Anything else (a timeout waiting for the answer, a connection lost mid-way) may have been delivered: it is not
tried again, so a survivor never gets a list twice."""

import smtplib
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from providers.handout import handout_items, handout_text
from providers.models import ServiceAtLocation, ServiceStatus
from sends.models import MAX_OFFERS, Channel

# Twilio's limit for one message body; a longer list goes in several messages, split between services.
SMS_MAX_CHARS = 1600


class Refused(Exception):
    """The mail server or SMS provider refused the message for good (its words, never the address)."""


class NotSent(Exception):
    """The message certainly did not leave (no connection, an error answer): it may be tried again."""


def message_subject(language: str) -> str:
    """An email's subject: neutral, since a lock screen or someone else may see it."""
    with translation.override(language):
        return _("Information you asked for")


def message_parts(send) -> list[str]:
    """The message of a send, written now from the services' public view: one text for email, parts of at most
    SMS_MAX_CHARS for a text message. Services closed or removed since the safety check are left out; empty when
    none is left."""
    active = set(
        ServiceAtLocation.objects.filter(pk__in=send.offers, service__status=ServiceStatus.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    items = handout_items([offer for offer in send.offers if offer in active], limit=MAX_OFFERS)
    if not items:
        return []
    text = handout_text(items, language=send.language)
    if send.channel == Channel.EMAIL:
        return [text]
    with translation.override(send.language):
        return split_sms(text, SMS_MAX_CHARS, continued=_("More of the information you asked for"))


MARK_ROOM = len("\n (999/999)")


def split_sms(text: str, limit: int, *, continued: str) -> list[str]:
    """Split a message between its paragraphs (a service is one) into parts of at most `limit` characters. When
    there are several, each is marked (1/3), (2/3), ... and each after the first opens with the neutral line
    `continued`, since each is a message of its own on a lock screen. A paragraph longer than a part is split
    between lines, then cut."""
    room = limit - len(continued) - MARK_ROOM
    if room < 40:
        raise ValueError(f"a text message part of {limit} characters has no room for a service")
    blocks = []
    for block in text.split("\n\n"):
        while len(block) > room:
            cut = block.rfind("\n", 0, room)
            cut = cut if cut > 0 else room
            blocks.append(block[:cut])
            block = block[cut:].lstrip("\n")
        blocks.append(block)
    parts: list[str] = []
    for block in blocks:
        if parts and len(parts[-1]) + 2 + len(block) <= room:
            parts[-1] += "\n\n" + block
        else:
            parts.append(block)
    if len(parts) > 1:
        count = len(parts)
        parts = [f"{parts[0]} (1/{count})"] + [
            f"{continued} ({number}/{count})\n{part}" for number, part in enumerate(parts[1:], start=2)
        ]
    return parts


def send_email(*, to: str, subject: str, body: str) -> None:
    """Send one plain-text email (no markup, so no tracking pixel or link can hide in it). The server's answers are
    kept as codes only: a refusal quotes the address."""
    sender = formataddr((settings.HANDOUT_SENDER_NAME, settings.SENDS_FROM_EMAIL))
    connection = get_connection(fail_silently=False)
    message = EmailMessage(subject=subject, body=body, from_email=sender, to=[to], connection=connection)
    try:  # everything that can fail before the server is given the message
        message.message()
        connection.open()
        if getattr(connection, "connection", None) is not None:  # SMTP: greet now, not inside the send
            connection.connection.ehlo_or_helo_if_needed()
    except (OSError, smtplib.SMTPException) as exc:
        connection.close()
        raise NotSent(f"no connection to the mail server ({type(exc).__name__})") from None
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        _refusal("the mail server refused the address", sorted({code for code, _text in exc.recipients.values()}))
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:  # answered before taking the message
        _refusal("the mail server refused the message", [exc.smtp_code])
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001, S110 - the message was taken or refused; a failing goodbye changes neither
            pass


def _refusal(what: str, codes: list[int]):
    """Raise NotSent for temporary (4xx) answers, Refused for permanent ones, with the codes only."""
    text = f"{what} (SMTP {', '.join(map(str, codes))})"
    if all(400 <= code < 500 for code in codes):
        raise NotSent(text) from None  # a mailbox busy or a greylisting server: try again later
    raise Refused(text) from None


class SmsBackend:
    """The interface of a text-message backend: send one message, return the provider's id for it."""

    def send(self, *, to: str, body: str, status_callback: str | None) -> str:
        raise NotImplementedError


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def status_callback_url() -> str | None:
    """Where the SMS provider reports delivery: SMS_STATUS_CALLBACK_URL, or the site's own route."""
    from django.urls import reverse

    if settings.SMS_STATUS_CALLBACK_URL:
        return settings.SMS_STATUS_CALLBACK_URL
    return settings.SITE_URL + reverse("send-sms-status")


def check_sms_settings(app_configs=None, **kwargs) -> list:
    """System check: the Twilio backend needs its account, token and a sender; production needs a real backend."""
    from django.core import checks

    errors = []
    if settings.SMS_BACKEND == "sends.twilio_sms.TwilioBackend":
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(settings, name)]
        if not (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID):
            missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            errors.append(checks.Error(f"SMS_BACKEND is Twilio but {', '.join(missing)} is not set.", id="sends.E001"))
    elif settings.SMS_BACKEND == "sends.console.ConsoleBackend" and settings.IS_PRODUCTION:
        errors.append(checks.Warning(
            "SMS_BACKEND prints text messages to the console: nothing reaches a survivor's phone.",
            hint="Set SMS_BACKEND=sends.twilio_sms.TwilioBackend and the TWILIO_* settings.", id="sends.W001",
        ))  # fmt: skip
    return errors

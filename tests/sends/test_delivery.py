"""Delivering a send: by email to a local SMTP server, by text message to a local stand-in of Twilio's Messages API
(with its signed status callbacks); retries, giving up, at most once; the address erased after the last attempt;
no error, event or log line holds it."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from sends import channels, services, tasks
from sends.models import Send, SendEvent, SendPart
from tests.sends.fixtures import EMAIL, NUMBER

pytestmark = pytest.mark.django_db
SENSITIVE = ("trafficking", "victim", "shelter", "refugio", "trata", "víctima")


def create(personas, chosen, *, channel="sms", to=NUMBER, language="en", key="k", now=None) -> Send:
    send, created = services.send_create(
        sender=personas["hotline"], offers=chosen, channel=channel, address=to, language=language,
        safety_confirmed=True, idempotency_key=key, now=now,
    )  # fmt: skip
    assert created
    return send


def events(send) -> list[str]:
    return list(SendEvent.objects.filter(send=send).values_list("action", flat=True))


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_email_reaches_the_smtp_server_neutral_plain_and_public(personas, chosen, smtp, settings, language):
    settings.HANDOUT_SENDER_NAME = "Community list"
    send = create(personas, chosen, channel="email", to=EMAIL, language=language)

    tasks.deliver(send_id=str(send.pk))

    (message,) = smtp.messages
    assert message.recipients == [EMAIL] and message["From"].addresses[0].display_name == "Community list"
    subject = message["Subject"]
    assert subject == {"en": "Information you asked for", "es": "La información que pidió"}[language]
    assert not any(word in subject.lower() for word in SENSITIVE)
    assert message.get_content_type() == "text/plain" and not message.is_multipart()  # no markup, no pixel
    text = message.get_content()
    assert "http" not in text and "500 Main St" in text and "Pasadena, TX 77506" in text
    assert "Hidden Lane" not in text and "6008" not in text and "555-0111" not in text
    assert not any(word in text.splitlines()[0].lower() for word in SENSITIVE)
    send.refresh_from_db()
    assert send.status == "sent" and send.address == "" and send.finished_at is not None
    assert events(send) == ["created", "sent", "address_erased"]


def test_a_text_message_reaches_twilio_and_its_delivery_report_is_recorded(personas, chosen, twilio, client, settings):
    settings.SITE_URL = "http://testserver"
    send = create(personas, chosen, language="es")

    tasks.deliver(send_id=str(send.pk))

    (message,) = twilio.messages
    assert message.to == NUMBER and message.sender == "+15005550006"
    assert message.status_callback == "http://testserver/api/sends/sms-status/"
    assert message.body.startswith("Aquí está la información que pidió.") and "Hidden Lane" not in message.body
    send.refresh_from_db()
    assert send.status == "sent" and send.address == "" and send.parts_sent == 1
    part = SendPart.objects.get(send=send)
    assert message.sid not in part.ref_hash  # the provider's id is kept only as a keyed hash

    # Twilio's signed callback, as its servers post it; a forged one is refused.
    params, signature = _signed(twilio, message, "delivered")
    assert client.post("/api/sends/sms-status/", params, HTTP_X_TWILIO_SIGNATURE="forged").status_code == 403
    assert client.post("/api/sends/sms-status/", params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 204
    send.refresh_from_db()
    assert send.status == "delivered" and events(send)[-1] == "delivered"


def _signed(twilio, message, status, **extra):
    from twilio.request_validator import RequestValidator

    params = {"MessageSid": message.sid, "MessageStatus": status, "To": message.to, **extra}
    return params, RequestValidator(twilio.auth_token).compute_signature(message.status_callback, params)


def test_a_carriers_failure_report_marks_the_send_undelivered(personas, chosen, twilio, client, settings):
    settings.SITE_URL = "http://testserver"
    send = create(personas, chosen)
    tasks.deliver(send_id=str(send.pk))
    (message,) = twilio.messages

    params, signature = _signed(twilio, message, "undelivered", ErrorCode="30003")
    assert client.post("/api/sends/sms-status/", params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 204

    send.refresh_from_db()
    assert send.status == "undelivered" and SendEvent.objects.filter(send=send, detail="error 30003").exists()


def test_a_refused_number_is_given_up_at_once_and_the_error_does_not_quote_it(personas, chosen, twilio, caplog):
    twilio.fail_next(400, 21211)  # Twilio's "invalid 'To' phone number", which quotes the number
    send = create(personas, chosen)

    with caplog.at_level(logging.DEBUG):
        tasks.deliver(send_id=str(send.pk))

    send.refresh_from_db()
    assert send.status == "failed" and send.address == "" and "21211" in send.detail
    assert events(send) == ["created", "gave_up", "address_erased"]
    assert "0199" not in send.detail + " ".join(SendEvent.objects.values_list("detail", flat=True)) + caplog.text
    assert twilio.messages == []


def test_a_passing_failure_is_retried_with_backoff_then_sent_once(personas, chosen, twilio):
    twilio.fail_next(503, 20503)
    start = timezone.now()
    send = create(personas, chosen, now=start)

    assert services.send_deliver_one(send.pk, now=start) == "retry"
    send.refresh_from_db()
    assert send.status == "queued" and send.address == NUMBER and send.next_attempt_at == start + timedelta(minutes=1)
    assert services.sends_deliver_due(now=start + timedelta(seconds=30)) == 0  # not due yet

    assert services.sends_deliver_due(now=start + timedelta(minutes=1)) == 1
    assert services.sends_deliver_due(now=start + timedelta(minutes=5)) == 0  # sent: nothing left to do
    send.refresh_from_db()
    assert send.status == "sent" and len(twilio.messages) == 1 and send.attempts == 2
    assert events(send) == ["created", "attempt_failed", "sent", "address_erased"]


def test_it_gives_up_after_the_last_attempt_or_half_an_hour(personas, chosen, twilio):
    twilio.fail_next(503, 20503, times=10)
    start = timezone.now()
    send = create(personas, chosen, now=start)
    now = start
    while (outcome := services.send_deliver_one(send.pk, now=now)) == "retry":
        send.refresh_from_db()
        now = send.next_attempt_at

    send.refresh_from_db()
    assert outcome == "failed" and send.status == "failed" and send.address == ""
    assert send.attempts == services.MAX_ATTEMPTS and now - start <= services.GIVE_UP_AFTER

    late = create(personas, chosen, to="+17135550198", key="late", now=start)
    assert services.send_deliver_one(late.pk, now=start + timedelta(minutes=31)) == "failed"
    late.refresh_from_db()
    assert late.attempts == 0 and "too late" in late.detail and late.address == ""


def test_a_send_whose_worker_died_mid_send_is_never_sent_again(personas, chosen, twilio):
    start = timezone.now()
    send = create(personas, chosen, now=start)
    Send.objects.filter(pk=send.pk).update(status="sending", attempts=1, claimed_at=start)  # the claim committed

    assert services.send_deliver_one(send.pk, now=start) is None
    assert services.sends_deliver_due(now=start + timedelta(minutes=11)) == 0

    send.refresh_from_db()
    assert send.status == "failed" and "may or may not have arrived" in send.detail and send.address == ""
    assert twilio.messages == []


def test_a_long_list_goes_in_parts_and_a_retry_goes_on_from_the_next(personas, chosen, twilio, monkeypatch):
    monkeypatch.setattr(channels, "SMS_MAX_CHARS", 180)
    twilio.fail_next(429, 20429)
    start = timezone.now()
    send = create(personas, chosen, now=start)
    parts = channels.message_parts(send)
    assert len(parts) >= 3 and all(len(part) <= 180 for part in parts)
    assert parts[0].startswith("Here is the information you asked for.") and parts[0].endswith(f"(1/{len(parts)})")
    assert all(p.startswith("More of the information you asked for (") for p in parts[1:])
    assert not any(word in p.splitlines()[0].lower() for p in parts for word in SENSITIVE)

    # The first part fails: nothing was sent; then all go, each once.
    assert services.send_deliver_one(send.pk, now=start) == "retry"
    assert services.sends_deliver_due(now=start + timedelta(minutes=1)) == 1
    assert [m.body for m in twilio.messages] == parts
    send.refresh_from_db()
    assert send.parts_sent == len(parts) and send.status == "sent"


def test_a_part_accepted_before_a_failure_is_not_sent_again(personas, chosen, twilio, monkeypatch):
    monkeypatch.setattr(channels, "SMS_MAX_CHARS", 180)
    start = timezone.now()
    send = create(personas, chosen, now=start)
    total = len(channels.message_parts(send))
    original = channels.sms_backend

    def failing_after_one():
        backend = original()
        send_one, calls = backend.send, []

        def send_(**kwargs):
            calls.append(1)
            if len(calls) == 2:
                raise channels.NotSent("no connection to Twilio")
            return send_one(**kwargs)

        backend.send = send_
        return backend

    monkeypatch.setattr(channels, "sms_backend", failing_after_one)
    assert services.send_deliver_one(send.pk, now=start) == "retry"
    monkeypatch.setattr(channels, "sms_backend", original)
    assert services.sends_deliver_due(now=start + timedelta(minutes=1)) == 1

    assert len(twilio.messages) == total and len({m.body for m in twilio.messages}) == total


def test_the_split_keeps_services_whole_opens_each_part_neutrally_and_cuts_only_what_is_too_long():
    services_ = [f"{n}. Victim Shelter {n}\n" + "x" * 50 for n in range(1, 6)]
    text = "Here is the information.\n\n" + "\n\n".join(services_) + "\n\nend"
    parts = channels.split_sms(text, 200, continued="More information")

    assert len(parts) > 1 and all(len(part) <= 200 for part in parts)
    assert parts[0].startswith("Here is the information.") and parts[0].endswith(f"(1/{len(parts)})")
    for number, part in enumerate(parts[1:], start=2):  # each is a message of its own on a lock screen
        assert part.splitlines()[0] == f"More information ({number}/{len(parts)})"
    assert all(sum(service in part for part in parts) == 1 for service in services_)
    assert channels.split_sms("short", 200, continued="More") == ["short"]
    long = channels.split_sms("y" * 500, 100, continued="More")
    assert all(len(p) <= 100 for p in long) and "".join(p.split("\n", 1)[-1] for p in long).count("y") == 500
    with pytest.raises(ValueError):
        channels.split_sms("text", 20, continued="More")


def test_the_purge_erases_hashes_and_keys_after_a_day(personas, chosen, twilio):
    now = timezone.now()
    old = create(personas, chosen, key="old", now=now - timedelta(hours=24, minutes=1))
    new = create(personas, chosen, to="+17135550198", key="new", now=now - timedelta(hours=23))
    Send.objects.filter(pk__in=[old.pk, new.pk]).update(status="sent", address="")

    assert services.sends_purge(now=now) == {"recipient_hashes": 1, "idempotency_keys": 1, "unsettled": 0}
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.recipient_hash == old.idempotency_key == old.request_hash == ""
    assert new.recipient_hash and new.request_hash and new.idempotency_key == "new"


def test_a_send_no_worker_ever_took_loses_its_address(personas, chosen):
    now = timezone.now()
    send = create(personas, chosen, now=now - timedelta(hours=1))

    assert services.sends_purge(now=now)["unsettled"] == 1
    send.refresh_from_db()
    assert send.status == "failed" and send.address == ""


def test_the_twilio_backend_is_checked_at_start(settings):
    settings.SMS_BACKEND = "sends.twilio_sms.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_FROM_NUMBER = ""
    (error,) = channels.check_sms_settings()
    assert error.id == "sends.E001" and "TWILIO_AUTH_TOKEN" in error.msg
    settings.SMS_BACKEND = "sends.console.ConsoleBackend"
    settings.IS_PRODUCTION = True
    assert [e.id for e in channels.check_sms_settings()] == ["sends.W001"]


def test_a_lost_answer_is_not_sent_again(personas, chosen, twilio, monkeypatch):
    """Twilio took the message but its answer never came (a read timeout): it may have arrived, so it is not tried
    again, and the sender is told so."""
    from sends import twilio_sms

    monkeypatch.setattr(twilio_sms, "TIMEOUT_S", 0.5)
    twilio.stall_s = 2
    send = create(personas, chosen)

    assert services.send_deliver_one(send.pk) == "failed"

    send.refresh_from_db()
    assert send.status == "failed" and "may or may not have arrived" in send.detail and send.address == ""
    assert len(twilio.messages) == 1


def test_no_connection_is_tried_again(personas, chosen, settings):
    from tests.standins import free_port

    settings.SMS_BACKEND = "sends.twilio_sms.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = "AC1", "t", "+15005550006"
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    send = create(personas, chosen)

    assert services.send_deliver_one(send.pk) == "retry"
    send.refresh_from_db()
    assert send.status == "queued" and "no connection to Twilio" in send.detail and send.address == NUMBER


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [("550 5.1.1 <{address}>: no such user", "failed"), ("450 4.2.1 <{address}>: mailbox busy", "retry")],
)
def test_a_mail_servers_refusal_is_kept_as_its_code_only(personas, chosen, smtp, answer, outcome):
    smtp.refusal = answer
    send = create(personas, chosen, channel="email", to=EMAIL)

    assert services.send_deliver_one(send.pk) == outcome

    send.refresh_from_db()
    assert answer[:3] in send.detail and "someone" not in send.detail.lower() and smtp.messages == []
    assert "someone" not in " ".join(SendEvent.objects.values_list("detail", flat=True)).lower()


def test_an_attempt_settled_meanwhile_as_interrupted_is_left_alone(personas, chosen, twilio):
    send = create(personas, chosen)
    Send.objects.filter(pk=send.pk).update(status="failed", address="", detail="interrupted")

    assert services._settle(send.pk, "sent", "", timezone.now()) is None
    assert services._settle(send.pk, "queued", "x", timezone.now(), next_attempt_at=timezone.now()) is None
    send.refresh_from_db()
    assert send.status == "failed" and events(send) == ["created"]


def test_a_report_that_came_before_the_attempt_was_settled_is_its_outcome(personas, chosen, twilio, monkeypatch):
    send = create(personas, chosen)
    real_settle = services._settle

    def settle_after_the_report(send_id, status, *args, **kwargs):
        (message,) = twilio.messages  # Twilio's report arrives between its answer and the worker's record
        assert services.send_status_report(provider_ref=message.sid, status="undelivered", error_code="30005")
        return real_settle(send_id, status, *args, **kwargs)

    monkeypatch.setattr(services, "_settle", settle_after_the_report)
    tasks.deliver(send_id=str(send.pk))

    send.refresh_from_db()
    assert send.status == "undelivered"
    assert events(send) == ["created", "sent", "undelivered", "address_erased"]
    assert SendEvent.objects.get(send=send, action="undelivered").detail == "error 30005"
    assert not services.send_status_report(provider_ref="SM-unknown", status="delivered")


@pytest.mark.parametrize("status", [500, 504])
def test_a_twilio_error_that_may_follow_the_message_is_not_sent_again(personas, chosen, twilio, status):
    twilio.fail_next(status, 20500)
    send = create(personas, chosen)

    assert services.send_deliver_one(send.pk) == "failed"
    send.refresh_from_db()
    assert f"HTTP {status}" in send.detail and "may or may not have arrived" in send.detail and send.address == ""


def test_a_connection_lost_once_the_request_went_out_is_not_sent_again(personas, chosen, twilio):
    twilio.drop_next = True  # Twilio reads the request, then the connection breaks before its answer
    send = create(personas, chosen)

    assert services.send_deliver_one(send.pk) == "failed"
    send.refresh_from_db()
    assert "may or may not have arrived" in send.detail and len(twilio.messages) == 1


@pytest.mark.parametrize(("answer", "outcome"), [("554 5.7.1 rejected", "failed"), ("451 4.3.0 try later", "retry")])
def test_a_mail_server_refusing_the_message_itself_is_kept_as_its_code(personas, chosen, smtp, answer, outcome):
    smtp.data_refusal = answer
    send = create(personas, chosen, channel="email", to=EMAIL)

    assert services.send_deliver_one(send.pk) == outcome
    send.refresh_from_db()
    assert f"SMTP {answer[:3]}" in send.detail and "may or may not" not in send.detail


def test_a_service_closed_after_the_safety_check_is_left_out(personas, chosen, twilio):
    from providers.models import Service, ServiceAtLocation

    send = create(personas, chosen)
    Service.objects.filter(pk=ServiceAtLocation.objects.get(pk=chosen[1]).service_id).update(status="inactive")

    assert services.send_deliver_one(send.pk) == "failed"  # both chosen services are that one service
    send.refresh_from_db()
    assert "none of the chosen services is listed now" in send.detail and twilio.messages == []


def test_a_failure_after_some_parts_says_which_arrived(personas, chosen, twilio, monkeypatch):
    monkeypatch.setattr(channels, "SMS_MAX_CHARS", 180)
    send = create(personas, chosen)
    total = len(channels.message_parts(send))
    twilio.failures = [None, (400, 21610)]  # the second part is refused (the number opted out meanwhile)

    assert services.send_deliver_one(send.pk) == "failed"

    send.refresh_from_db()
    assert f"(1 of {total} parts were sent)" in send.detail and len(twilio.messages) == 1

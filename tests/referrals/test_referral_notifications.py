"""Notifications: written to the outbox with the change, delivered by the worker with retries, and never
carrying client data."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.services import outbox_deliver, retry_delay
from tests.referrals.conftest import consent_body

pytestmark = pytest.mark.django_db

CLIENT_DATA = ["Maria", "Example", "555", "0199", "maria@", "bus", "6 pm", "Arrives"]


class FailingBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def failing_mail(settings):
    settings.EMAIL_BACKEND = "tests.referrals.test_referral_notifications.FailingBackend"


def test_new_referral_queues_one_email_to_the_receiving_organization(people, referral_code):
    message = OutboxMessage.objects.get()

    assert message.kind == "referral.created"
    assert message.to_email == "intake@shelter.example.org"
    assert referral_code in message.subject and referral_code in message.body
    assert f"/referrals/{referral_code}/" in message.body
    assert "Housing" in message.body  # the need category, not the need itself


def test_organization_without_a_contact_address_is_told_through_its_provider_staff(people, send, provider_org):
    provider_org.email = ""
    provider_org.save()
    people["receiver"].email = "staff@shelter.example.org"
    people["receiver"].save()

    send(people["sender"])

    assert list(OutboxMessage.objects.values_list("to_email", flat=True)) == ["staff@shelter.example.org"]


def test_sender_is_emailed_on_every_status_change(people, act, referral_code):
    people["sender"].email = "hotline@example.org"
    people["sender"].save()
    receiver = people["receiver"]
    act(receiver, referral_code, "accept")
    act(receiver, referral_code, "start")
    act(receiver, referral_code, "complete", outcome="got_help")

    to_sender = OutboxMessage.objects.filter(to_email="hotline@example.org").order_by("id")
    assert [m.kind for m in to_sender] == ["referral.accepted", "referral.in_progress", "referral.completed"]
    assert all(referral_code in m.subject for m in to_sender)


def test_withdrawal_is_announced_to_the_receiving_organization(people, act, referral_code):
    act(people["sender"], referral_code, "withdraw", reason_text="Maria found a bed elsewhere")

    message = OutboxMessage.objects.get(kind="referral.withdrawn")
    assert message.to_email == "intake@shelter.example.org"
    assert "Maria" not in message.body


def test_emails_hold_no_client_data(people, act, referral_code):
    people["sender"].email = "hotline@example.org"
    people["sender"].save()
    act(people["receiver"], referral_code, "decline", reason="other", reason_text="Maria Example did not fit")
    outbox_deliver()

    assert len(mail.outbox) == 2
    for email in mail.outbox:
        text = email.subject + email.body
        assert referral_code in text
        for fragment in CLIENT_DATA + ["T visa", "t-visa"]:
            assert fragment not in text, fragment


def test_do_not_contact_suppresses_every_message(people, send, act):
    people["sender"].email = "hotline@example.org"
    people["sender"].save()
    code = send(people["sender"], do_not_contact=True).data["code"]
    act(people["receiver"], code, "accept")
    act(people["receiver"], code, "close", reason="could_not_contact")

    assert not OutboxMessage.objects.exists()


def test_a_refused_change_queues_nothing(people, act, referral_code):
    before = OutboxMessage.objects.count()
    act(people["receiver"], referral_code, "complete", outcome="got_help")  # 409: still `sent`

    assert OutboxMessage.objects.count() == before


def test_worker_delivers_due_messages_once(referral_code):
    first = outbox_deliver()
    second = outbox_deliver()

    assert first == {"sent": 1, "retry": 0, "failed": 0}
    assert second == {"sent": 0, "retry": 0, "failed": 0}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["intake@shelter.example.org"]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_a_mail_server_failure_keeps_the_referral_and_retries_the_message(
    people, referral_code, failing_mail, settings, time_machine
):
    now = timezone.now()
    result = outbox_deliver(now=now)

    message = OutboxMessage.objects.get()
    assert result == {"sent": 0, "retry": 1, "failed": 0}
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
    assert message.next_attempt_at == now + retry_delay(1)
    assert "ConnectionRefusedError" in message.last_error
    # Not due yet: nothing is tried again.
    assert outbox_deliver(now=now + timedelta(seconds=30)) == {"sent": 0, "retry": 0, "failed": 0}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver(now=now + retry_delay(1)) == {"sent": 1, "retry": 0, "failed": 0}
    assert len(mail.outbox) == 1 and referral_code in mail.outbox[0].subject
    assert OutboxMessage.objects.get().attempts == 2


def test_worker_gives_up_after_the_configured_attempts(referral_code, failing_mail, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    now = timezone.now()
    for attempt in range(3):
        outbox_deliver(now=now + timedelta(days=attempt))

    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == 3


def test_retry_delay_doubles_up_to_six_hours():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert retry_delay(30) == timedelta(hours=6)


def test_send_notifications_command_reports_what_it_did(referral_code, capsys):
    call_command("send_notifications")

    assert "sent 1, to retry 0, gave up 0" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_emails_link_to_a_page_that_requires_login(people, referral_code, client):
    anonymous = client.get(f"/referrals/{referral_code}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]

    client.force_login(people["other_provider"])
    assert client.get(f"/referrals/{referral_code}/").status_code == 404

    client.force_login(people["receiver"])
    page = client.get(f"/referrals/{referral_code}/")
    assert page.status_code == 200
    assert referral_code in page.content.decode()
    assert people["receiver"] in [access.user for access in page.context["referral"].accesses.all()]


def test_a_referral_to_an_organization_without_any_address_queues_nothing(people, send, provider_org):
    provider_org.email = ""
    provider_org.save()
    assert not people["receiver"].email and not people["receiver_colleague"].email
    response = send(people["sender"], client_contact={"name": "Maria"}, consent=consent_body())

    assert response.status_code == 201
    assert not OutboxMessage.objects.exists()


def test_emails_name_only_the_top_level_need_group(people, send):
    send(people["sender"], needs=["t-visa"])

    body = OutboxMessage.objects.get().body
    assert "Needs: Legal services" in body
    assert "Immigration" not in body and "visa" not in body.lower()

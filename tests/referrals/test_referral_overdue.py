"""Accepted referrals that nobody starts or closes: shown as overdue, the receiver reminded, then the sender;
never closed by the system (referrals.services.referrals_remind_overdue)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import OutboxMessage
from referrals.models import Referral
from tests.referrals.conftest import consent_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(people, send, act, provider_org, settings):
    settings.REFERRAL_OVERDUE_AFTER_DAYS = 7
    people["sender"].email = "hotline@example.org"
    people["sender"].save()
    provider_org.email = "intake@own.example.org"
    provider_org.save()
    code = send(
        people["sender"], client_contact={"name": "Maria Example", "phone": "713-555-0199"}, consent=consent_body()
    ).data["code"]
    act(people["receiver"], code, "accept")
    OutboxMessage.objects.all().delete()
    return code


def reminders() -> list[tuple[str, str]]:
    return sorted(OutboxMessage.objects.values_list("kind", "to_email"))


def test_an_accepted_referral_is_overdue_after_the_set_days_and_reminds_receiver_then_sender(
    accepted, people, as_user, time_machine, capsys
):
    time_machine.move_to(timezone.now() + timedelta(days=6))
    call_command("remind_overdue_referrals")
    assert reminders() == []
    assert as_user(people["sender"]).get(f"/api/referrals/{accepted}/").data["overdue"] is False

    time_machine.move_to(timezone.now() + timedelta(days=2))  # 8 days after the accept
    call_command("remind_overdue_referrals")
    call_command("remind_overdue_referrals")  # a second run the same day reminds nobody again
    assert reminders() == [("referral.overdue.receiver", "intake@own.example.org")]
    assert as_user(people["sender"]).get(f"/api/referrals/{accepted}/").data["overdue"] is True
    listed = as_user(people["receiver"]).get("/api/referrals/").data["results"]
    assert [row["overdue"] for row in listed] == [True]

    time_machine.move_to(timezone.now() + timedelta(days=7))  # 15 days: the sender hears too
    call_command("remind_overdue_referrals")
    assert reminders() == [
        ("referral.overdue.receiver", "intake@own.example.org"),
        ("referral.overdue.sender", "hotline@example.org"),
    ]
    assert "reminded 0 receiver(s) and 1 sender(s)" in capsys.readouterr().out

    time_machine.move_to(timezone.now() + timedelta(days=60))
    call_command("remind_overdue_referrals")
    assert len(reminders()) == 2
    assert Referral.objects.get(code=accepted).status == "accepted"  # nothing is silently closed


def test_the_reminder_holds_no_client_data_and_the_pages_show_overdue(accepted, people, client, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=8))
    call_command("remind_overdue_referrals")
    body = OutboxMessage.objects.get().body
    assert accepted in body and "Maria" not in body and "/referrals/" in body

    client.force_login(people["receiver"])
    assert "Overdue" in client.get("/referrals/").content.decode()
    assert "Overdue" in client.get(f"/referrals/{accepted}/").content.decode()


def test_started_or_do_not_contact_referrals_are_not_reminded(people, send, act, provider_org, time_machine, settings):
    settings.REFERRAL_OVERDUE_AFTER_DAYS = 7
    provider_org.email = "intake@own.example.org"
    provider_org.save()
    started = send(people["sender"]).data["code"]
    quiet = send(people["sender"], do_not_contact=True).data["code"]
    for code in (started, quiet):
        act(people["receiver"], code, "accept")
    act(people["receiver"], started, "start")
    OutboxMessage.objects.all().delete()
    time_machine.move_to(timezone.now() + timedelta(days=30))

    call_command("remind_overdue_referrals")

    assert reminders() == []
    assert not Referral.objects.get(code=started).is_overdue() and Referral.objects.get(code=quiet).is_overdue()


def test_after_the_job_was_down_the_sender_still_hears_days_after_the_receiver(accepted, time_machine):
    """A first run 20 days after the accept reminds the receiver only; the sender 7 days after that reminder."""
    time_machine.move_to(timezone.now() + timedelta(days=20))
    call_command("remind_overdue_referrals")
    assert [kind for kind, _ in reminders()] == ["referral.overdue.receiver"]

    time_machine.move_to(timezone.now() + timedelta(days=6))
    call_command("remind_overdue_referrals")
    assert len(reminders()) == 1
    time_machine.move_to(timezone.now() + timedelta(days=2))
    call_command("remind_overdue_referrals")
    assert [kind for kind, _ in reminders()] == ["referral.overdue.receiver", "referral.overdue.sender"]

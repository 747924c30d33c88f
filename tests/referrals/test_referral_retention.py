"""Expiry of unanswered referrals and purge of client data, keeping anonymous counts."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from notifications.models import OutboxMessage
from referrals.models import ClientContact, Consent, IdempotencyKey, Referral, ReferralEvent
from referrals.reports import referral_report
from tests.referrals.conftest import consent_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def aged(time_machine):
    """Move the clock forward by some days."""

    def move(days: float):
        time_machine.move_to(timezone.now() + timedelta(days=days))

    return move


def test_unanswered_referrals_expire_after_the_configured_days(people, send, act, aged, settings, capsys):
    settings.REFERRAL_EXPIRE_AFTER_DAYS = 14
    people["sender"].email = "hotline@example.org"
    people["sender"].save()
    old = send(people["sender"]).data["code"]
    answered = send(people["sender"]).data["code"]
    act(people["receiver"], answered, "accept")
    aged(10)
    recent = send(people["sender"]).data["code"]
    aged(5)

    call_command("expire_referrals")

    assert "expired 1 referral(s)" in capsys.readouterr().out
    statuses = dict(Referral.objects.values_list("code", "status"))
    assert statuses == {old: "expired", answered: "accepted", recent: "sent"}
    event = ReferralEvent.objects.get(referral__code=old, to_status="expired")
    assert event.actor is None and event.from_status == "sent"
    assert OutboxMessage.objects.filter(kind="referral.expired", to_email="hotline@example.org").count() == 1
    assert Referral.objects.get(code=old).ended_at is not None


def test_expire_days_can_be_given_on_the_command_line(people, send, aged, capsys):
    code = send(people["sender"]).data["code"]
    aged(3)

    call_command("expire_referrals", "--days", "2")

    assert Referral.objects.get(code=code).status == "expired"
    with pytest.raises(CommandError):
        call_command("expire_referrals", "--days", "-1")


def test_an_expired_referral_can_no_longer_be_accepted(people, send, act, aged):
    code = send(people["sender"]).data["code"]
    aged(20)
    call_command("expire_referrals")

    response = act(people["receiver"], code, "accept")

    assert response.status_code == 409 and response.data["allowed"] == []


def full_referral(send, people, **fields):
    return send(
        people["sender"],
        note="Arrives by bus",
        client_contact={"name": "Maria Example", "phone": "713-555-0199"},
        consent=consent_body(days=400),
        **fields,
    ).data["code"]


def test_purge_removes_client_data_from_old_finished_referrals_and_keeps_counts(people, send, act, aged, capsys):
    finished = full_referral(send, people)
    act(people["receiver"], finished, "decline", reason="other", reason_text="Maria Example too young")
    open_one = full_referral(send, people)
    act(people["receiver"], open_one, "accept")
    aged(40)
    recently_finished = full_referral(send, people)
    act(people["sender"], recently_finished, "withdraw", reason_text="Maria moved")
    report_before = referral_report()

    call_command("purge_referrals", "--older-than", "30")

    assert "purged 1 referral(s)" in capsys.readouterr().out
    purged = Referral.objects.get(code=finished)
    assert purged.note == "" and purged.reason_text == "" and purged.purged_at is not None
    assert not Consent.objects.filter(referral=purged).exists()
    assert not ClientContact.objects.filter(referral=purged).exists()
    assert all(event.reason_text == "" for event in ReferralEvent.objects.filter(referral=purged))
    assert purged.status == "declined" and purged.reason == "other"
    # Not finished, or finished too recently: untouched.
    for code in (open_one, recently_finished):
        kept = Referral.objects.get(code=code)
        assert kept.note == "Arrives by bus" and ClientContact.objects.filter(referral=kept).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM referrals_referral WHERE note <> ''")
        assert cursor.fetchone()[0] == 2
    assert referral_report() == report_before


def test_purge_drops_client_contact_whose_consent_expired_whatever_the_status(people, send, aged):
    code = send(people["sender"], client_contact={"name": "Maria"}, consent=consent_body(days=5)).data["code"]
    aged(6)

    call_command("purge_referrals", "--older-than", "365")

    referral = Referral.objects.get(code=code)
    assert referral.status == "sent"
    assert not ClientContact.objects.filter(referral=referral).exists()
    assert not Consent.objects.filter(referral=referral).exists()


def test_purge_forgets_idempotency_keys_after_a_day(people, send, aged):
    send(people["sender"], key="k-1")
    call_command("purge_referrals", "--older-than", "30")
    assert IdempotencyKey.objects.count() == 1
    aged(2)

    call_command("purge_referrals", "--older-than", "30")

    assert not IdempotencyKey.objects.exists()


def test_purge_needs_a_non_negative_age():
    with pytest.raises(CommandError):
        call_command("purge_referrals", "--older-than", "-5")

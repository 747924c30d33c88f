"""Listing freshness: the stale flag, the moderators' queue, one-call re-verification and reminders."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import OutboxMessage
from providers.models import ListingChange, Service
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(timezone.datetime(2026, 11, 29, 12, tzinfo=timezone.get_current_timezone()))


@pytest.fixture
def own_services(provider_org):
    """Two services of the provider persona's organization: one verified 181 days ago, one 10 days ago."""
    provider_org.email = "office@own.example.org"
    provider_org.save()
    stale = factories.service(provider_org, name="Old", last_verified_on=TODAY - timedelta(days=181))
    fresh = factories.service(provider_org, name="New", last_verified_on=TODAY - timedelta(days=10))
    return stale, fresh


@pytest.mark.parametrize(("days", "stale"), [(180, False), (181, True), (None, True)])
def test_a_service_is_stale_past_the_configured_age(api, provider_org, days, stale):
    verified = None if days is None else TODAY - timedelta(days=days)
    service = factories.service(provider_org, last_verified_on=verified)

    assert api.get(f"/api/services/{service.pk}/").data["stale"] is stale


def test_the_stale_age_is_a_setting(api, provider_org, settings):
    settings.LISTING_STALE_AFTER_DAYS = 30
    service = factories.service(provider_org, last_verified_on=TODAY - timedelta(days=31))

    assert api.get(f"/api/services/{service.pk}/").data["stale"] is True


def test_an_inactive_service_is_not_in_the_stale_queue(api, provider_org):
    factories.service(provider_org, last_verified_on=None, status="inactive")

    assert api.get("/api/organizations/", {"stale": "true"}).data["count"] == 0


def test_stale_organizations_form_the_moderators_queue(client_for, own_services, other_org):
    factories.service(other_org, last_verified_on=TODAY)

    stale = client_for("moderator").get("/api/organizations/", {"stale": "true"}).data
    fresh = client_for("moderator").get("/api/organizations/", {"stale": "false"}).data

    assert [org["name"] for org in stale["results"]] == ["Own Shelter Org"]
    assert stale["results"][0]["stale"] is True
    assert "Other Org" in [org["name"] for org in fresh["results"]]
    services = client_for("moderator").get("/api/services/", {"stale": "true"}).data
    assert [s["name"] for s in services["results"]] == ["Old"]


@pytest.mark.parametrize(("persona", "expected"), [("provider", 200), ("moderator", 200), ("other_provider", 403),
                                                   ("hotline", 403), (None, 401)])  # fmt: skip
def test_reverification_is_one_call_by_the_organizations_staff_or_a_moderator(
    client_for, own_services, provider_org, persona, expected
):
    response = client_for(persona).post(f"/api/organizations/{provider_org.pk}/verify/")

    assert response.status_code == expected
    dates = set(Service.objects.filter(organization=provider_org).values_list("last_verified_on", flat=True))
    if expected == 200:
        assert response.data == {"verified_services": 2, "last_verified_on": TODAY.isoformat()}
        assert dates == {TODAY}
    else:
        assert TODAY not in dates


def test_reverification_clears_the_stale_flag_and_is_in_the_history(client_for, own_services, provider_org, personas):
    stale, fresh = own_services
    client_for("provider").post(f"/api/organizations/{provider_org.pk}/verify/")

    assert client_for(None).get(f"/api/organizations/{provider_org.pk}/").data["stale"] is False
    changes = ListingChange.objects.filter(field="last_verified_on").order_by("record_id")
    assert {(c.record_id, c.before, c.after, c.source) for c in changes} == {
        (stale.pk, (TODAY - timedelta(days=181)).isoformat(), TODAY.isoformat(), "verification"),
        (fresh.pk, (TODAY - timedelta(days=10)).isoformat(), TODAY.isoformat(), "verification"),
    }
    assert all(c.changed_by == personas["provider"] for c in changes)


def test_remind_stale_emails_each_stale_organization_once_a_month(own_services, other_org, time_machine, capsys):
    factories.service(other_org, last_verified_on=TODAY)

    call_command("remind_stale")
    call_command("remind_stale")

    messages = list(OutboxMessage.objects.filter(kind="listing.stale"))
    assert [m.to_email for m in messages] == ["office@own.example.org"]
    assert "Own Shelter Org" in messages[0].body and "/verify/" in messages[0].body
    assert "reminded 1 organization(s)" in capsys.readouterr().out
    time_machine.move_to(timezone.now() + timedelta(days=31))
    call_command("remind_stale")
    assert OutboxMessage.objects.filter(kind="listing.stale").count() == 2


def test_remind_stale_uses_staff_addresses_when_the_organization_has_none(own_services, provider_org, personas):
    provider_org.email = ""
    provider_org.save()
    personas["provider"].email = "staff@own.example.org"
    personas["provider"].save()

    call_command("remind_stale")

    assert list(OutboxMessage.objects.values_list("to_email", flat=True)) == ["staff@own.example.org"]

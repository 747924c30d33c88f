"""The provider portal's dated hours: add a closure or other hours, tick the federal holidays the site closes on,
remove a date; bad input is said back naming the field and nothing is written; only the site's own staff."""

from datetime import timedelta

import pytest
from django.utils import timezone

from providers import selectors
from providers.models import HoursException, ListingChange
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(provider_org):
    location = factories.location(provider_org, name="Harbor House")
    factories.offer(factories.service(provider_org, name="Legal Clinic"), location)
    return location


@pytest.fixture
def provider(client, personas):
    client.force_login(personas["provider"])
    return client


def page_text(client) -> str:
    return client.get("/portal/").content.decode()


def test_a_provider_adds_a_closure_and_other_hours_and_removes_one(provider, site):
    ahead = timezone.localdate() + timedelta(days=5)
    url = f"/portal/dates/{site.pk}/"
    service = site.service_at_locations.get().service

    closed = provider.post(url, {"starts_on": ahead.isoformat(), "closed": "on", "note": "Staff training"})
    other = provider.post(url, {"starts_on": (ahead + timedelta(days=1)).isoformat(), "opens_at": "10:00",
                                "closes_at": "14:00", "service_id": str(service.pk)})  # fmt: skip

    assert closed.status_code == other.status_code == 302
    made = list(HoursException.objects.order_by("starts_on").values_list("starts_on", "ends_on", "closed", "service"))
    assert made == [(ahead, ahead, True, None), (ahead + timedelta(days=1), ahead + timedelta(days=1), False,
                                                 service.pk)]  # fmt: skip
    text = page_text(provider)
    assert "Staff training" in text and "10:00–14:00 (Legal Clinic)" in text
    assert ListingChange.objects.filter(field="hours_exceptions").count() == 2

    first = HoursException.objects.get(starts_on=ahead)
    provider.post(url, {"remove": str(first.pk)})
    assert list(HoursException.objects.values_list("starts_on", flat=True)) == [ahead + timedelta(days=1)]


def test_the_federal_holidays_ticked_are_added_as_closures_named_after_them(provider, site):
    ahead = selectors.federal_holidays_ahead(timezone.localdate())
    assert ahead and all(day >= timezone.localdate() for day, _ in ahead)
    (first, name), (second, _) = ahead[0], ahead[1]
    assert first.isoformat() in page_text(provider)

    # Only the calendar's days are taken: not an impossible date, nor an ordinary Tuesday.
    provider.post(f"/portal/dates/{site.pk}/", {"holiday": [first.isoformat(), "2026-02-30", "2026-12-08"]})

    assert list(HoursException.objects.values_list("starts_on", "closed", "note")) == [(first, True, name)]
    assert not HoursException.objects.filter(starts_on=second).exists()


@pytest.mark.parametrize(
    "form, field",
    [
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-01", "closed": "on"}, "ends_on"),
        ({"starts_on": "2026-12-10", "opens_at": "09:00"}, "closes_at"),
        ({"starts_on": "2026-12-10", "closes_at": "17:00"}, "opens_at"),
        ({"starts_on": "2020-12-10"}, "ends_on"),  # passed
        ({"remove": "7d0b0f3c-0000-4000-8000-000000000000"}, "remove"),  # read before another change
        ({"starts_on": "not a date", "closed": "on"}, "starts_on"),
        ({"closed": "on"}, "starts_on"),
        ({"starts_on": "2026-12-10", "closed": "on", "service_id": "7d0b0f3c-0000-4000-8000-000000000000"},
         "service_id"),
    ],
)  # fmt: skip
def test_bad_input_is_said_back_naming_the_field_and_nothing_is_written(provider, site, form, field):
    response = provider.post(f"/portal/dates/{site.pk}/", form, follow=True)

    assert response.status_code == 200
    said = [str(message) for message in response.context["messages"]]
    assert any(field in text for text in said), said
    assert not HoursException.objects.exists()


def test_past_dates_and_a_removed_services_dates_do_not_block_a_new_one(provider, site):
    """The cap and the checks count the dates ahead: years of holidays past, or a service gone from the site,
    neither fill the site's list nor refuse the next date; they leave with the next change, in the history."""
    long_ago = timezone.localdate() - timedelta(days=400)
    for n in range(60):
        HoursException.objects.create(location=site, starts_on=long_ago + timedelta(days=n),
                                      ends_on=long_ago + timedelta(days=n))  # fmt: skip
    offer = site.service_at_locations.get()
    ahead = timezone.localdate() + timedelta(days=3)
    HoursException.objects.create(location=site, service=offer.service, starts_on=ahead, ends_on=ahead)
    offer.delete()
    gone = HoursException.objects.get(service__isnull=False)
    # Still listed, and about to be dropped: removing it is no complaint.
    response = provider.post(f"/portal/dates/{site.pk}/", {"remove": str(gone.pk)}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Saved the dates."]

    provider.post(f"/portal/dates/{site.pk}/", {"starts_on": (ahead + timedelta(days=1)).isoformat()})

    assert list(HoursException.objects.values_list("starts_on", "service")) == [(ahead + timedelta(days=1), None)]


def test_a_holiday_already_given_is_left_as_it_is(provider, site):
    (first, name), (second, second_name) = selectors.federal_holidays_ahead(timezone.localdate())[:2]
    HoursException.objects.create(location=site, starts_on=first, ends_on=first, closed=False, opens_at="10:00",
                                  closes_at="12:00", note="Short day")  # fmt: skip

    assert f'value="{first.isoformat()}"' not in page_text(provider)  # not offered again
    provider.post(f"/portal/dates/{site.pk}/", {"holiday": [first.isoformat(), second.isoformat()]})

    assert list(HoursException.objects.order_by("starts_on").values_list("starts_on", "closed", "note")) == [
        (first, False, "Short day"), (second, True, second_name)
    ]  # fmt: skip


def test_another_organizations_staff_cannot_touch_the_dates(client, personas, site):
    client.force_login(personas["other_provider"])
    response = client.post(f"/portal/dates/{site.pk}/", {"starts_on": "2026-12-10", "closed": "on"})
    assert response.status_code == 403 and not HoursException.objects.exists()

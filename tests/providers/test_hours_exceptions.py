"""Dates a site, or one service there, is closed or keeps other hours (providers.models.HoursException): "open
now" honours them on those dates only, in the listing and in matching (whose index follows them in the same
transaction), providers replace them through the API with history, and a confidential site's note is shown as
its other free texts are."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from providers.hours import exception_periods, open_at
from providers.models import HoursException, ListingChange
from tests import factories

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
WEEKDAYS_9_TO_5 = [(day, time(9), time(17)) for day in range(1, 6)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CHICAGO)


def closed(day: date, last: date | None = None, **fields) -> HoursException:
    return HoursException(starts_on=day, ends_on=last or day, closed=True, **fields)


def kept(day: date, opens: time, closes: time) -> HoursException:
    return HoursException(starts_on=day, ends_on=day, closed=False, opens_at=opens, closes_at=closes)


def is_open(moment, weekly=WEEKDAYS_9_TO_5, site=(), own=(), open_24_7=False):
    periods = [*weekly, *exception_periods(site, own=False), *exception_periods(own, own=True)]
    return open_at(moment, time_zone="America/Chicago", open_24_7=open_24_7, periods=periods)


THANKSGIVING = date(2026, 11, 26)  # a Thursday


def test_a_holiday_closes_that_date_only():
    site = [closed(THANKSGIVING, note="Thanksgiving")]
    assert is_open(at(THANKSGIVING, 10), site=site) is False
    assert is_open(at(THANKSGIVING - timedelta(days=1), 10), site=site) is True
    assert is_open(at(THANKSGIVING + timedelta(days=1), 10), site=site) is True
    assert is_open(at(THANKSGIVING, 10)) is True  # without it


def test_a_closure_of_several_days_and_a_site_open_around_the_clock():
    site = [closed(date(2026, 12, 24), date(2026, 12, 26))]
    for day in (24, 25, 26):
        assert is_open(at(date(2026, 12, day), 3), weekly=[], site=site, open_24_7=True) is False
    assert is_open(at(date(2026, 12, 23), 23, 59), weekly=[], site=site, open_24_7=True) is True
    assert is_open(at(date(2026, 12, 27), 0, 1), weekly=[], site=site, open_24_7=True) is True


def test_other_hours_replace_the_weekly_ones_and_run_past_midnight():
    """A cold snap: open 18:00 to 08:00 on a Thursday instead of 9 to 5."""
    snap = date(2026, 12, 10)
    site = [kept(snap, time(18), time(8))]
    assert is_open(at(snap, 10), site=site) is False  # the weekly hours do not apply that day
    assert is_open(at(snap, 20), site=site) is True
    assert is_open(at(snap + timedelta(days=1), 7), site=site) is True  # carried past midnight
    assert is_open(at(snap + timedelta(days=1), 8, 30), site=site) is False
    assert is_open(at(snap + timedelta(days=1), 10), site=site) is True  # Friday, weekly again


def test_a_services_own_dates_win_over_its_sites():
    site = [closed(THANKSGIVING)]
    own = [kept(THANKSGIVING, time(10), time(14))]  # the hotline answers while the site is closed
    assert is_open(at(THANKSGIVING, 11), site=site, own=own) is True
    assert is_open(at(THANKSGIVING, 15), site=site, own=own) is False


def test_unknown_hours_stay_unknown_but_on_the_dates_given():
    site = [closed(THANKSGIVING)]
    assert is_open(at(THANKSGIVING - timedelta(days=1), 10), weekly=[], site=site) is None
    assert is_open(at(THANKSGIVING, 10), weekly=[], site=site) is False


def test_the_location_honours_its_own_dates_not_a_services():
    location = factories.location(time_zone="America/Chicago")
    for day in range(1, 6):
        factories.schedule(location, day, time(9), time(17))
    service = factories.service(location.organization)
    factories.offer(service, location)
    HoursException.objects.create(location=location, service=service, starts_on=THANKSGIVING, ends_on=THANKSGIVING)
    assert location.is_open_at(at(THANKSGIVING, 10)) is True  # one service's closure is not the site's
    HoursException.objects.create(location=location, starts_on=THANKSGIVING, ends_on=THANKSGIVING, note="Holiday")
    assert location.is_open_at(at(THANKSGIVING, 10)) is False
    assert location.is_open_at(at(THANKSGIVING + timedelta(days=1), 10)) is True


@pytest.fixture
def shelter(provider_org):
    """A site open 9 to 5 every day, one service there, in Houston."""
    location = factories.location(provider_org, name="Harbor House", time_zone="America/Chicago")
    for day in range(1, 8):
        factories.schedule(location, day, time(9), time(17))
    service = factories.service(provider_org, name="Emergency Shelter", needs=("emergency-shelter",))
    factories.offer(service, location)
    return location


def matched_open(api, moment: datetime) -> list:
    with time_machine.travel(moment, tick=False):
        body = {"near": "29.76,-95.37", "needs": ["emergency-shelter"], "open_now": True}
        response = api.post("/api/match/", body, format="json")
    assert response.status_code == 200, response.content
    return [option["location"]["name"] for option in response.json()["results"]]


def test_matching_honours_a_closure_written_by_raw_sql_on_that_date_only(api, shelter):
    """The match index follows the new table in the same transaction, whatever writes it."""
    holiday = date.today() + timedelta(days=3)  # ahead of the database's own date, which keeps recent days
    assert matched_open(api, at(holiday, 10)) == ["Harbor House"]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO providers_hoursexception (id, location_id, starts_on, ends_on, closed, note) "
            "VALUES (gen_random_uuid(), %s, %s, %s, TRUE, '')",
            [shelter.pk, holiday, holiday],
        )
    assert matched_open(api, at(holiday, 10)) == []
    assert matched_open(api, at(holiday + timedelta(days=1), 10)) == ["Harbor House"]
    HoursException.objects.all().delete()
    assert matched_open(api, at(holiday, 10)) == ["Harbor House"]


def test_a_sites_other_hours_are_not_those_of_a_service_keeping_its_own_but_its_closure_is(api, shelter):
    day = date.today() + timedelta(days=3)
    service = shelter.service_at_locations.get().service
    factories.schedule(shelter, day.isoweekday(), time(10), time(12), service=service)  # its own hours there
    HoursException.objects.create(location=shelter, starts_on=day, ends_on=day, closed=False, opens_at=time(18),
                                  closes_at=time(8), note="Cold snap")  # fmt: skip
    assert matched_open(api, at(day, 20)) == []  # the site's night hours are not the service's
    assert matched_open(api, at(day, 11)) == ["Harbor House"]  # its own hours still hold that day
    HoursException.objects.create(location=shelter, starts_on=day + timedelta(days=7), ends_on=day + timedelta(days=7))
    assert matched_open(api, at(day + timedelta(days=7), 11)) == []  # a closure closes every service there


def test_providers_replace_their_dates_with_history_and_readers_see_them(client_for, shelter, api):
    ahead = date.today() + timedelta(days=10)
    body = [
        {"starts_on": ahead.isoformat(), "ends_on": ahead.isoformat(), "note": "Thanksgiving"},
        {"starts_on": (ahead + timedelta(days=1)).isoformat(), "ends_on": (ahead + timedelta(days=2)).isoformat(),
         "closed": False, "opens_at": "10:00", "closes_at": "14:00"},
    ]  # fmt: skip
    response = client_for("provider").put(f"/api/locations/{shelter.pk}/hours-exceptions/", body, format="json")

    assert response.status_code == 200, response.content
    assert [(e.starts_on, e.closed, e.opens_at) for e in HoursException.objects.order_by("starts_on")] == [
        (ahead, True, None), (ahead + timedelta(days=1), False, time(10))
    ]  # fmt: skip
    change = ListingChange.objects.get(field="hours_exceptions")
    assert change.before == [] and len(change.after) == 2
    shown = api.get(f"/api/locations/{shelter.pk}/").json()["properties"]["hours_exceptions"]
    assert shown[0] == {"starts_on": ahead.isoformat(), "ends_on": ahead.isoformat(), "closed": True,
                        "opens_at": None, "closes_at": None, "service_id": None, "note": "Thanksgiving",
                        "text_languages": {}}  # fmt: skip
    assert shown[1]["opens_at"] == "10:00" and shown[1]["closed"] is False
    listed = api.get("/api/locations/", {"near": "29.76,-95.37"}).json()["features"]
    assert [f["properties"]["hours_exceptions"] for f in listed] == [shown]


def test_a_services_dates_are_shown_while_it_is_offered_there(api, shelter):
    offer = shelter.service_at_locations.get()
    ahead = date.today() + timedelta(days=2)
    HoursException.objects.create(location=shelter, service=offer.service, starts_on=ahead, ends_on=ahead)
    shown = api.get(f"/api/locations/{shelter.pk}/").json()["properties"]["hours_exceptions"]
    assert [e["service_id"] for e in shown] == [str(offer.service_id)]
    offer.delete()  # no longer offered there: its closure must not read as the whole site's
    assert api.get(f"/api/locations/{shelter.pk}/").json()["properties"]["hours_exceptions"] == []


def test_past_dates_are_not_shown(api, shelter):
    HoursException.objects.create(location=shelter, starts_on=date.today() - timedelta(days=9),
                                  ends_on=date.today() - timedelta(days=8))  # fmt: skip
    assert api.get(f"/api/locations/{shelter.pk}/").json()["properties"]["hours_exceptions"] == []


@pytest.mark.parametrize(
    "entry, field",
    [
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-09"}, "hours_exceptions[0].ends_on"),
        ({"starts_on": "2026-12-10", "ends_on": "2027-06-01"}, "hours_exceptions[0].ends_on"),  # past 92 days
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-10", "opens_at": "09:00"}, "closed"),
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-10", "closed": False, "opens_at": "09:00"}, "closes_at"),
        ({"starts_on": "1999-12-10", "ends_on": "2026-12-10"}, "starts_on"),
        ({"starts_on": "2026-13-40", "ends_on": "2026-12-10"}, "starts_on"),
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-10", "note": "x" * 300}, "note"),
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-10", "note": "a\x00b"}, "note"),
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-10", "service_id": "7d0b0f3c-0000-4000-8000-000000000000"},
         "hours_exceptions[0].service_id"),
        # A misspelt key is refused, not dropped: a service's closure would have become the whole site's.
        ({"starts_on": "2026-12-10", "ends_on": "2026-12-10", "service": "7d0b0f3c-0000-4000-8000-000000000000"},
         "service"),
    ],
)  # fmt: skip
def test_bad_dates_are_a_400_naming_the_field_and_nothing_is_replaced(client_for, shelter, entry, field):
    HoursException.objects.create(location=shelter, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1))
    response = client_for("provider").put(f"/api/locations/{shelter.pk}/hours-exceptions/", [entry], format="json")

    assert response.status_code == 400 and field in str(response.data), response.data
    assert list(HoursException.objects.values_list("starts_on", flat=True)) == [date(2026, 12, 1)]


def test_the_same_date_twice_and_too_many_entries_are_refused(client_for, shelter):
    url = f"/api/locations/{shelter.pk}/hours-exceptions/"
    day = {"starts_on": "2026-12-10", "ends_on": "2026-12-12"}
    again = client_for("provider").put(url, [day, {"starts_on": "2026-12-12", "ends_on": "2026-12-12"}], format="json")
    flood = client_for("provider").put(url, [day] * 500, format="json")
    other = client_for("other_provider").put(url, [day], format="json")

    assert again.status_code == 400 and again.data == {"hours_exceptions[1]": ["Gives 2026-12-12 again (entry 0)."]}
    assert flood.status_code == 400 and "60" in str(flood.data)
    assert other.status_code in (403, 404)
    assert not HoursException.objects.exists()


def test_a_confidential_sites_note_is_withheld_from_those_who_may_not_see_it(client_for, provider_org):
    location = factories.location(provider_org, is_confidential=True, name="Safe House")
    ahead = date.today() + timedelta(days=2)
    HoursException.objects.create(location=location, starts_on=ahead, ends_on=ahead, note="Moving to 12 Quokka Lane")
    notes = {
        who: [e["note"] for e in client_for(who).get(f"/api/locations/{location.pk}/").json()["properties"]
              ["hours_exceptions"]]
        for who in (None, "other_provider", "provider", "hotline")
    }  # fmt: skip
    assert notes == {None: [""], "other_provider": [""], "provider": ["Moving to 12 Quokka Lane"],
                     "hotline": ["Moving to 12 Quokka Lane"]}  # fmt: skip


@pytest.mark.parametrize("language, heading, word", [("en", "Changes to these hours", "closed"),
                                                     ("es", "Cambios en este horario", "cerrado")])  # fmt: skip
def test_the_listing_page_shows_the_dates_ahead(client, shelter, language, heading, word):
    ahead = date.today() + timedelta(days=4)
    HoursException.objects.create(location=shelter, starts_on=ahead, ends_on=ahead, note="Staff training")
    HoursException.objects.create(location=shelter, starts_on=date.today() - timedelta(days=30),
                                  ends_on=date.today() - timedelta(days=30), note="Long gone")  # fmt: skip
    client.cookies["django_language"] = language

    page = client.get(f"/listings/{shelter.pk}/").content.decode()

    assert heading in page and f"<strong>{word}</strong>" in page and "Staff training" in page
    assert "Long gone" not in page

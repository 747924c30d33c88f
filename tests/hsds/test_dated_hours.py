"""HSDS schedules with valid_from/valid_to import as dated hours (hsds/dated.py): other hours when they give times
(as people write them too), closed when they give none; a season's window is reported and left out; a bad date
refuses its record, naming it. The export and its round trip: tests/hsds/test_export.py."""

import copy
import uuid
from datetime import date, time

import pytest

from hsds.importer import import_hsds
from providers.models import HoursException, Schedule

pytestmark = pytest.mark.django_db
PHONE_211 = "3462a1c1-2f3f-5f77-b42b-d16258fbf006"


@pytest.fixture
def one(sf_services):
    """One SF listing with weekly hours and one site."""
    found = next(s for s in sf_services if s["id"] != PHONE_211 and s.get("schedules")
                 and len(s.get("service_at_locations") or []) == 1)  # fmt: skip
    return copy.deepcopy(found)


def dated(valid_from, valid_to, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "valid_from": valid_from, "valid_to": valid_to, **fields}


def test_dated_schedules_become_closures_and_other_hours_and_weekly_ones_stay_weekly(one, write_json):
    weekly = len({(s["byday"], s["opens_at"]) for s in one["schedules"]})
    location = one["service_at_locations"][0]["location"]
    location["schedules"] = [
        dated("2026-12-24", "2026-12-26", description="Holidays"),
        dated("2026-12-31", "2026-12-31", opens_at="9am", closes_at="1pm", byday="MO,TU,WE,TH,FR,SA,SU", freq="WEEKLY"),
        dated("2027-01-01", "2027-05-01", opens_at="10:00", closes_at="14:00"),  # a season
    ]

    report = import_hsds(write_json([one]))

    assert report.applied and not report.problems, report.problems
    rows = list(HoursException.objects.order_by("starts_on").values_list("starts_on", "ends_on", "closed",
                                                                          "opens_at", "closes_at", "note"))  # fmt: skip
    assert rows == [
        (date(2026, 12, 24), date(2026, 12, 26), True, None, None, "Holidays"),
        (date(2026, 12, 31), date(2026, 12, 31), False, time(9), time(13), ""),
    ]
    said = [(w.path, w.reason) for w in report.warnings if "schedules[" in w.path]
    assert ("$.service_at_locations[0].location.schedules[1].opens_at", "'9am' to '1pm' read as 09:00 to 13:00") in said
    assert any(path.endswith("location.schedules[2]") and "more than 92 days" in reason for path, reason in said)
    # The service's weekly hours are untouched, and no dated schedule became weekly hours.
    assert Schedule.objects.count() == weekly
    assert not Schedule.objects.filter(opens_at=time(10), closes_at=time(14)).exists()


@pytest.mark.parametrize(
    "schedule, path",
    [
        (dated("2026-13-01", "2026-12-01"), "valid_from"),
        (dated("2026-12-10", "2026-12-01"), "valid_to"),
        (dated("1999-12-31", "1999-12-31"), "valid_from"),
        (dated("2026-12-10", "2026-12-10", opens_at="after lunch", closes_at="5pm"), "opens_at"),
    ],
)
def test_a_bad_dated_schedule_refuses_its_record_naming_it(one, write_json, schedule, path):
    one["service_at_locations"][0]["location"]["schedules"] = [schedule]

    report = import_hsds(write_json([one]))

    assert not report.applied and report.invalid == 1
    here = "$.service_at_locations[0].location.schedules[0]."
    paths = [p.path for p in report.problems]
    assert f"{here}{path}" in paths and all(p.startswith(here) for p in paths), paths
    assert not HoursException.objects.exists()


def test_a_reimport_replaces_the_dated_hours_with_history(one, write_json):
    location = one["service_at_locations"][0]["location"]
    location["schedules"] = [dated("2026-12-24", "2026-12-24")]
    import_hsds(write_json([one]))
    location["schedules"] = [dated("2026-12-25", "2026-12-25", description="Christmas")]

    report = import_hsds(write_json([one], "again.json"))

    assert report.applied and report.updated == 1
    assert list(HoursException.objects.values_list("starts_on", "note")) == [(date(2026, 12, 25), "Christmas")]


def test_a_reimport_with_other_hours_and_a_new_note_updates_them(one, write_json):
    location = one["service_at_locations"][0]["location"]
    location["schedules"] = [dated("2026-12-31", "2026-12-31", opens_at="09:00", closes_at="13:00")]
    import_hsds(write_json([one]))
    one["description"] = "changed upstream"  # the record is read again
    assert import_hsds(write_json([one], "same.json")).applied  # the same dated hours: compared, not refused
    location["schedules"] = [dated("2026-12-31", "2026-12-31", opens_at="09:00", closes_at="13:00",
                                   description="New Year's Eve")]  # fmt: skip

    report = import_hsds(write_json([one], "again.json"))

    assert report.applied and report.updated == 1
    assert list(HoursException.objects.values_list("opens_at", "note")) == [(time(9), "New Year's Eve")]


def test_a_validity_window_on_some_weekdays_is_weekly_hours_not_dates(one, write_json):
    """HSDS's own example: weekly hours bounded by valid_from and valid_to stay weekly hours."""
    location = one["service_at_locations"][0]["location"]
    location["schedules"] = [
        dated("2026-12-01", "2026-12-31", byday="SA,SU", freq="WEEKLY", opens_at="10:00", closes_at="14:00"),
        {"id": str(uuid.uuid4()), "valid_from": "2026-12-01", "byday": "MO", "opens_at": "08:00", "closes_at": "09:00"},
    ]  # no end: a recurring schedule's start

    report = import_hsds(write_json([one]))

    assert report.applied and not HoursException.objects.exists()
    assert Schedule.objects.filter(weekday__in=(6, 7), opens_at=time(10)).count() == 2
    assert Schedule.objects.filter(weekday=1, opens_at=time(8)).exists()


def test_dated_hours_without_times_are_closed_said_in_a_warning_and_half_given_times_refused(one, write_json):
    location = one["service_at_locations"][0]["location"]
    location["schedules"] = [dated("2026-12-01", "2026-12-20", description="By appointment in December")]
    report = import_hsds(write_json([one]))
    assert report.applied and list(HoursException.objects.values_list("closed", flat=True)) == [True]
    assert any("read as closed: 'By appointment in December'" in w.reason for w in report.warnings)

    location["schedules"] = [dated("2026-12-01", "2026-12-20", opens_at="09:00")]
    report = import_hsds(write_json([one], "half.json"))
    assert not report.applied and [p.path.rsplit(".", 1)[-1] for p in report.problems] == ["closes_at"]


def test_overlapping_dated_hours_are_reported_and_not_imported(one, write_json):
    location = one["service_at_locations"][0]["location"]
    location["schedules"] = [dated("2026-12-24", "2026-12-26"),
                             dated("2026-12-25", "2026-12-25", opens_at="10:00", closes_at="14:00")]  # fmt: skip

    report = import_hsds(write_json([one]))

    assert report.applied and not HoursException.objects.exists()
    assert any("dated hours not imported" in w.reason and "2026-12-25" in w.reason for w in report.warnings)


def test_a_new_offer_id_at_the_same_site_keeps_the_services_dates(one, write_json):
    offer = one["service_at_locations"][0]
    offer["schedules"] = [dated("2026-12-24", "2026-12-24")]
    import_hsds(write_json([one]))
    offer["id"] = str(uuid.uuid4())  # a source that gives its rows new ids on each export
    one["description"] = "changed upstream"

    assert import_hsds(write_json([one], "again.json")).applied
    assert list(HoursException.objects.values_list("starts_on", flat=True)) == [date(2026, 12, 24)]


def test_a_sites_dates_past_are_left_out_and_its_cap_counts_every_service(one, write_json):
    location = one["service_at_locations"][0]["location"]
    offer = one["service_at_locations"][0]
    days = [date.fromordinal(date(2027, 1, 1).toordinal() + n).isoformat() for n in range(70)]
    location["schedules"] = [dated("2020-01-01", "2020-01-01")] + [dated(day, day) for day in days[:35]]
    offer["schedules"] = [dated(day, day) for day in days[40:70]]

    report = import_hsds(write_json([one]))

    assert report.applied
    assert HoursException.objects.count() == 35 and not HoursException.objects.filter(starts_on__year=2020).exists()
    assert any("dated hours not imported" in w.reason and "60" in w.reason for w in report.warnings)


def test_a_reimport_that_adds_a_date_keeps_the_spanish_note_of_the_others(one, write_json):
    location = one["service_at_locations"][0]["location"]
    location["schedules"] = [dated("2026-12-24", "2026-12-26", description="Holidays")]
    import_hsds(write_json([one]))
    HoursException.objects.update(i18n={"note_es": "Fiestas"})
    location["schedules"].append(dated("2026-12-31", "2026-12-31", description="Moving"))

    import_hsds(write_json([one], "again.json"))

    assert list(HoursException.objects.order_by("starts_on").values_list("note", "i18n")) == [
        ("Holidays", {"note_es": "Fiestas"}), ("Moving", None)
    ]  # fmt: skip

"""Times of day as real packages write them ("9am", "4:00 PM", "noon", "9-5") are imported as HH:MM, each with a
warning naming the record, the row and what was read; what cannot be read is still refused."""

import copy
import datetime

import pytest
from django.core.management import call_command

from hsds import validation
from hsds.importer import import_hsds
from hsds.times import read_hours
from providers.models import Schedule, Service

pytestmark = pytest.mark.django_db
PHONE_211 = "3462a1c1-2f3f-5f77-b42b-d16258fbf006"


@pytest.mark.parametrize(
    "opens, closes, read",
    [
        ("09:00", "17:00", ("09:00", "17:00")),
        ("09:00:00", "17:30:00", ("09:00", "17:30")),
        ("9am", "5pm", ("09:00", "17:00")),
        ("9 a.m.", "5 p.m.", ("09:00", "17:00")),
        ("4:00 PM", "11:30 PM", ("16:00", "23:30")),
        ("noon", "midnight", ("12:00", "00:00")),
        ("12am", "12pm", ("00:00", "12:00")),
        ("9:00", "17:00", ("09:00", "17:00")),
        ("0900", "1730", ("09:00", "17:30")),
        ("9h30", "18h", ("09:30", "18:00")),
        ("8", "12", ("08:00", "12:00")),
        ("9-5", "", ("09:00", "17:00")),  # a bare closing hour before the opening one: the afternoon
        ("7-7", "", ("07:00", "19:00")),
        ("9am-5pm", "9am-5pm", ("09:00", "17:00")),  # the range in both fields
        ("9 am - 5 pm", "", ("09:00", "17:00")),
        ("9:00 – 17:00", "", ("09:00", "17:00")),
        ("9 to 5", "", ("09:00", "17:00")),
        ("9 a 5", "", ("09:00", "17:00")),  # Spanish
        ("1-5pm", "", ("13:00", "17:00")),
        ("1pm-5", "", ("13:00", "17:00")),
        ("22-6", "", ("22:00", "06:00")),  # overnight stays overnight
        ("11pm-7", "", ("23:00", "07:00")),
        ("18:00", "7:00", ("18:00", "07:00")),  # the 24-hour clock: overnight, not 18:00-19:00
        ("17:00", "9:00", ("17:00", "09:00")),
        ("18-7", "", ("18:00", "07:00")),
        ("1pm-12", "", ("13:00", "00:00")),  # until midnight
        ("11am-12", "", ("11:00", "12:00")),
        ("08:00 AM", "04:00 PM", ("08:00", "16:00")),  # not 08:00-04:00: HH:MM only when nothing follows
        ("09:00", "05:00pm", ("09:00", "17:00")),
        ("09:00-17:00", "09:00-17:00", ("09:00", "17:00")),
        ("banana", "5pm", None),
        ("13pm", "5pm", None),
        ("9:75", "17:00", None),
        ("25", "17:00", None),
        ("9am", "", None),  # no closing time: not hours
        ("closed", "", None),
        ("9-5-7", "", None),
    ],
)
def test_times_people_write_are_read_as_hh_mm_and_the_rest_refused(opens, closes, read):
    assert read_hours(opens, closes) == read


@pytest.fixture
def three(sf_services):
    """Three SF listings with weekly hours, the rest left out."""
    return copy.deepcopy([s for s in sf_services if s["id"] != PHONE_211 and s.get("schedules")][:3])


def test_a_json_import_with_human_times_succeeds_with_a_warning_for_each(three, write_json):
    three[0]["schedules"] = [{**three[0]["schedules"][0], "byday": "MO", "opens_at": "9am", "closes_at": "5:30 PM"}]
    three[1]["schedules"] = [{**three[1]["schedules"][0], "byday": "TU", "opens_at": "9-5"}]
    del three[1]["schedules"][0]["closes_at"]  # the range in one field
    three[2]["schedules"] = [{**three[2]["schedules"][0], "byday": "WE", "opens_at": "noon", "closes_at": "midnight"}]

    report = import_hsds(write_json(three))

    assert report.applied and report.invalid == 0 and report.created == 3, report.problems
    assert set(Schedule.objects.values_list("weekday", "opens_at", "closes_at")) == {
        (1, datetime.time(9), datetime.time(17, 30)),
        (2, datetime.time(9), datetime.time(17)),
        (3, datetime.time(12), datetime.time(0)),
    }
    said = {(w.record, w.path): w.reason for w in report.warnings if "read as" in w.reason}
    assert said == {
        (three[0]["id"], "$.schedules[0].opens_at"): "'9am' to '5:30 PM' read as 09:00 to 17:30",
        (three[1]["id"], "$.schedules[0].opens_at"): "'9-5' read as 09:00 to 17:00",
        (three[2]["id"], "$.schedules[0].opens_at"): "'noon' to 'midnight' read as 12:00 to 00:00",
    }
    assert all(w.level == "warning" for w in report.warnings)


def test_a_time_that_cannot_be_read_still_refuses_its_record(three, write_json):
    three[0]["schedules"][0]["opens_at"] = "after lunch"

    report = import_hsds(write_json(three))

    assert not report.applied and report.invalid == 1
    assert [p.path for p in report.problems] == ["$.schedules[0].opens_at"]
    assert "'after lunch'" in report.problems[0].reason and "9am" in report.problems[0].reason


def test_a_csv_package_with_human_times_names_the_row_of_each_conversion(three, write_json, tmp_path, capsys):
    import_hsds(write_json(three))
    call_command("export_hsds", "--format", "csv", str(tmp_path / "csv"))
    Service.objects.all().delete()
    schedules = tmp_path / "csv" / "schedules.csv"
    lines = schedules.read_text().splitlines()
    header = lines[0].split(",")
    opens, closes = header.index("opens_at"), header.index("closes_at")
    cells = lines[1].split(",")
    cells[opens], cells[closes] = "9am", "4:00 PM"
    lines[1] = ",".join(cells)
    schedules.write_text("\n".join(lines) + "\n")

    call_command("import_hsds", str(tmp_path / "csv"))

    out = capsys.readouterr().out
    assert "warning:" in out and "schedules.csv row 2" in out and "'9am' to '4:00 PM' read as 09:00 to 16:00" in out
    assert Schedule.objects.filter(opens_at=datetime.time(9), closes_at=datetime.time(16)).exists()


def test_a_time_of_day_followed_by_more_is_read_whole_not_cut_to_its_first_five_characters():
    schedules = [{"byday": "MO", "opens_at": "08:00 AM", "closes_at": "04:00 PM"}]
    found = validation._schedules(schedules, "$.schedules", lambda path, reason, level="error": (path, reason, level))
    assert (schedules[0]["opens_at"], schedules[0]["closes_at"]) == ("08:00", "16:00")  # not 08:00 to 04:00
    assert found == [("$.schedules[0].opens_at", "'08:00 AM' to '04:00 PM' read as 08:00 to 16:00", "warning")]

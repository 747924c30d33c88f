"""Opening hours are read in the location's own time zone, including periods past midnight."""

import zoneinfo
from datetime import UTC, datetime, time

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

MONDAY = 1
FRIDAY = 5


def at_utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_open_during_weekday_hours_in_local_time():
    loc = factories.location(time_zone="America/Los_Angeles")
    factories.schedule(loc, MONDAY, time(9), time(17))
    # Monday 2026-11-30 10:00 in Los Angeles is 18:00 UTC; 08:00 there is 16:00 UTC.
    assert loc.is_open_at(at_utc(2026, 11, 30, 18, 0)) is True
    assert loc.is_open_at(at_utc(2026, 11, 30, 16, 0)) is False


def test_same_utc_moment_differs_by_time_zone():
    moment = at_utc(2026, 11, 30, 15, 30)  # 10:30 in New York, 07:30 in Los Angeles
    east = factories.location(time_zone="America/New_York")
    west = factories.location(time_zone="America/Los_Angeles")
    for loc in (east, west):
        factories.schedule(loc, MONDAY, time(9), time(17))
    assert east.is_open_at(moment) is True
    assert west.is_open_at(moment) is False


def test_hours_past_midnight_carry_into_the_next_day():
    loc = factories.location(time_zone="America/Chicago")
    factories.schedule(loc, FRIDAY, time(20), time(2))
    # Saturday 2026-12-05 01:30 Chicago (07:30 UTC): still Friday's evening period.
    assert loc.is_open_at(at_utc(2026, 12, 5, 7, 30)) is True
    # Saturday 02:30 Chicago: closed.
    assert loc.is_open_at(at_utc(2026, 12, 5, 8, 30)) is False
    # Friday 19:00 Chicago: not yet open.
    assert loc.is_open_at(at_utc(2026, 12, 5, 1, 0)) is False
    # Friday 23:00 Chicago: open.
    assert loc.is_open_at(at_utc(2026, 12, 5, 5, 0)) is True


def test_sunday_night_period_carries_into_monday():
    loc = factories.location(time_zone="UTC")
    factories.schedule(loc, 7, time(22), time(3))
    assert loc.is_open_at(at_utc(2026, 11, 30, 2, 0)) is True  # Monday 02:00
    assert loc.is_open_at(at_utc(2026, 11, 30, 4, 0)) is False


def test_open_24_7_is_always_open():
    loc = factories.location(open_24_7=True)
    assert loc.is_open_at(at_utc(2026, 12, 25, 3, 0)) is True


def test_unknown_hours_are_none_not_closed():
    loc = factories.location()
    assert loc.is_open_at(at_utc(2026, 11, 30, 15, 0)) is None


def test_the_repeated_hour_of_a_dst_change_is_two_moments():
    """01:30 in New York happens twice on 2026-11-01 (fold 0: EDT, 05:30 UTC; fold 1: EST, 06:30 UTC); the two
    compare equal as datetimes but are 00:30 and 01:30 in Chicago."""
    new_york = zoneinfo.ZoneInfo("America/New_York")
    first, second = (datetime(2026, 11, 1, 1, 30, tzinfo=new_york, fold=fold) for fold in (0, 1))
    assert first == second  # the trap: same wall time and zone
    chicago = factories.location(time_zone="America/Chicago")
    factories.schedule(chicago, 7, time(1), time(2))  # Sunday 01:00-02:00
    assert chicago.is_open_at(first) is False
    assert chicago.is_open_at(second) is True

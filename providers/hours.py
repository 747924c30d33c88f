"""Opening hours: the one rule for "open at this moment", used by Location.is_open_at and by matching (which
reads hours without model instances).

Hours are periods (day, opens_at, closes_at). A positive day is an ISO weekday: the weekly hours. A negative one is
a date of an exception (providers.models.HoursException) as `exception_day` writes it: on that date its periods
replace the weekly ones, and no period at all (opens and closes None) means closed. A service's own exceptions at
a site win over the site's on the same date.
"""

import functools
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

EPOCH = date(2000, 1, 1)


def period_covers(weekday: int, opens_at: time, closes_at: time, local: datetime) -> bool:
    """Return True when a local moment falls in a weekly period (ISO weekday, opening, closing time).

    A closing time at or before the opening time means the period runs past midnight into the next day;
    00:00-00:00 is the whole day.
    """
    return _covers(weekday, opens_at, closes_at, local.isoweekday(), local.time())


def _covers(weekday: int, opens_at: time, closes_at: time, today: int, now: time) -> bool:
    """period_covers() for a local ISO weekday and a naive local time of day."""
    if closes_at > opens_at:
        return today == weekday and opens_at <= now < closes_at
    previous_day = 7 if today == 1 else today - 1
    return (today == weekday and _started(opens_at, closes_at, now)) or (
        previous_day == weekday and _carried(opens_at, closes_at, now)
    )


def _started(opens_at: time, closes_at: time, now: time) -> bool:
    """Whether a period that starts today covers `now` (today's part of an overnight one)."""
    return opens_at <= now < closes_at if closes_at > opens_at else now >= opens_at


def _carried(opens_at: time, closes_at: time, now: time) -> bool:
    """Whether yesterday's period still covers `now` (an overnight one)."""
    return closes_at <= opens_at and now < closes_at


def exception_day(day: date, *, own: bool) -> int:
    """The negative day of an exception's date: even for a service's own exceptions, odd for its site's."""
    return -(2 * ((day - EPOCH).days + 1) + (0 if own else 1))


def exception_periods(exceptions: Iterable, *, own: bool) -> list[tuple]:
    """The periods of HoursException-like records (starts_on, ends_on, closed, opens_at, closes_at): one a day."""
    periods = []
    for exception in exceptions:
        hours = (None, None) if exception.closed else (exception.opens_at, exception.closes_at)
        day = exception.starts_on
        while day <= exception.ends_on:
            periods.append((exception_day(day, own=own), *hours))
            day += timedelta(days=1)
    return periods


def _by_date(periods) -> tuple[list, dict]:
    """Split periods into the weekly ones and {date ordinal: [(opens, closes), ...]} of the exceptions (a closed
    date: an empty list), a service's own over its site's on the same date."""
    weekly, own, site = [], {}, {}
    for day, opens, closes in periods:
        if day > 0:
            weekly.append((day, opens, closes))
            continue
        number = -day
        days = own if number % 2 == 0 else site
        hours = days.setdefault(EPOCH.toordinal() + number // 2 - 1, [])
        if opens is not None:
            hours.append((opens, closes))
    return weekly, {**site, **own}


@functools.lru_cache(maxsize=256)
def _local_day_and_time(timestamp: float, time_zone: str) -> tuple[int, time, int]:
    """Return the ISO weekday, time of day and date ordinal of a POSIX timestamp in a time zone (matching asks
    once per site for the same moment, and most sites share a few zones). Keyed on the timestamp, not the
    datetime: two aware datetimes an hour apart across a DST change (fold) compare and hash equal."""
    local = datetime.fromtimestamp(timestamp, zoneinfo.ZoneInfo(time_zone))
    return local.isoweekday(), local.time(), local.toordinal()


def open_at(moment: datetime, *, time_zone: str, open_24_7: bool, periods) -> bool | None:
    """Return whether a site is open at `moment` (aware): True/False, or None when no hours are known.

    `periods` are (day, opens_at, closes_at) read in the site's IANA time zone: weekly, and the exceptions' dates
    (module docstring), which replace the weekly hours on their dates (and those of a site open around the clock).
    The one rule for "open now", used by Location.is_open_at and by matching (which reads hours without model
    instances).
    """
    if not isinstance(periods, list | tuple):
        periods = list(periods)
    weekly, special = _by_date(periods) if any(day < 0 for day, _, _ in periods) else (periods, {})
    today, now, ordinal = _local_day_and_time(moment.timestamp(), time_zone)
    # Yesterday's hours past midnight: its exception's if it had one (its weekly ones were replaced), else weekly.
    if ordinal - 1 in special:
        carried = any(_carried(o, c, now) for o, c in special[ordinal - 1])
    else:
        yesterday = 7 if today == 1 else today - 1
        carried = any(day == yesterday and _carried(o, c, now) for day, o, c in weekly)
    # That date's hours replace its weekly ones (and around the clock); the night before still ends as it would.
    if ordinal in special:
        return carried or any(_started(o, c, now) for o, c in special[ordinal])
    if open_24_7:
        return True
    if not weekly:
        return True if carried else None
    return carried or any(day == today and _started(o, c, now) for day, o, c in weekly)

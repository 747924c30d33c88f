"""Opening hours: the one rule for "open at this moment", used by Location.is_open_at and by matching (which
reads hours without model instances)."""

import functools
import zoneinfo
from datetime import datetime, time


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
    started_today = today == weekday and now >= opens_at
    carried_over = previous_day == weekday and now < closes_at
    return started_today or carried_over


@functools.lru_cache(maxsize=256)
def _local_day_and_time(timestamp: float, time_zone: str) -> tuple[int, time]:
    """Return the ISO weekday and time of day of a POSIX timestamp in a time zone (matching asks once per site
    for the same moment, and most sites share a few zones). Keyed on the timestamp, not the datetime: two
    aware datetimes an hour apart across a DST change (fold) compare and hash equal."""
    local = datetime.fromtimestamp(timestamp, zoneinfo.ZoneInfo(time_zone))
    return local.isoweekday(), local.time()


def open_at(moment: datetime, *, time_zone: str, open_24_7: bool, periods) -> bool | None:
    """Return whether a site is open at `moment` (aware): True/False, or None when no hours are known.

    `periods` are (ISO weekday, opens_at, closes_at) read in the site's IANA time zone. The one rule for
    "open now", used by Location.is_open_at and by matching (which reads hours without model instances).
    """
    if open_24_7:
        return True
    if not isinstance(periods, list | tuple):
        periods = list(periods)
    if not periods:
        return None
    today, now = _local_day_and_time(moment.timestamp(), time_zone)
    return any(_covers(weekday, opens, closes, today, now) for weekday, opens, closes in periods)

"""Times of day as real packages write them ("9am", "4:00 PM", "noon", "1730", "9-5"), read as HH:MM.

HSDS asks for HH:MM[:SS]; exports from spreadsheets and 211 systems often hold what a person typed. What can be read
without guessing much is read, and the import reports each conversion (hsds.validation); what cannot is refused.
A bare closing hour at or before a bare opening one is taken as afternoon ("9-5" is 09:00-17:00), as people mean it.
"""

import re
from dataclasses import dataclass

STRICT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?$")
_WORDS = {"noon": (12, 0, None), "midday": (12, 0, None), "mediodia": (12, 0, None), "midnight": (0, 0, None),
          "medianoche": (0, 0, None)}  # fmt: skip
# 9, 9:30, 09.30, 0930, 9h30, 9:30:00; then am/pm with or without dots and a space.
_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2})(?::\d{2})?|(?P<packed>\d{2})|h)?\s*(?P<meridiem>[ap])?\.?\s*(?:m\.?)?$"
)
_RANGE = re.compile(r"^(?P<opens>.+?)\s*(?:-|–|—|\bto\b|\ba\b|\bhasta\b)\s*(?P<closes>.+)$")


@dataclass(frozen=True)
class Clock:
    """A time of day read from text: hour and minute, and whether it said am or pm (None: a bare hour)."""

    hour: int
    minute: int
    meridiem: str | None

    def text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def _plain(text: str) -> str:
    text = " ".join(str(text or "").strip().lower().replace("á", "a").replace("í", "i").split())
    return re.sub(r"\b([ap])\.\s?m\.?", r"\1m", text)  # "a.m." and "p. m." as "am" and "pm"


def read_clock(text: str) -> Clock | None:
    """Read one time of day; None when it is not one."""
    cleaned = _plain(text)
    if cleaned in _WORDS:
        return Clock(*_WORDS[cleaned])
    found = _TIME.match(cleaned)
    if not found:
        return None
    hour, minute = int(found["hour"]), int(found["minute"] or found["packed"] or 0)
    meridiem = found["meridiem"]
    if minute > 59:
        return None
    if meridiem is None:
        return Clock(hour, minute, None) if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    # 12 am is midnight, 12 pm noon.
    return Clock(hour % 12 + (12 if meridiem == "p" else 0), minute, meridiem)


def read_hours(opens: str, closes: str) -> tuple[str, str] | None:
    """Read an opening and a closing time as HH:MM each, or a range written in one of them ("9-5", "9am to 5pm")
    when the other is empty or holds the same text; None when they cannot be read."""
    opens, closes = str(opens or "").strip(), str(closes or "").strip()
    if STRICT.match(opens) and STRICT.match(closes):
        return opens[:5], closes[:5]
    if opens and (not closes or closes == opens):
        found = _RANGE.match(_plain(opens))
        if found is None:
            return None
        opens, closes = found["opens"], found["closes"]
    start, end = read_clock(opens), read_clock(closes)
    if start is None or end is None:
        return None
    start_minutes, end_minutes = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    # A start written on the 24-hour clock ("18:00") means the end is too: "18:00-7:00" is overnight.
    twelve_hour = start.meridiem is not None or start.hour <= 12
    if twelve_hour and end.meridiem is None and end.hour < 12 and end_minutes <= start_minutes < end_minutes + 720:
        end = Clock(end.hour + 12, end.minute, None)  # "9-5", "1pm-5": until the afternoon
    elif start.meridiem == "p" and end.meridiem is None and end.hour == 12:
        end = Clock(0, end.minute, None)  # "1pm-12": until midnight
    elif start.meridiem is None and end.meridiem == "p" and start.hour < 12 and start_minutes + 720 < end_minutes:
        start = Clock(start.hour + 12, start.minute, None)  # "1-5pm": from 13:00
    return start.text(), end.text()

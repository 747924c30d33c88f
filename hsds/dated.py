"""Dated hours in HSDS (providers.models.HoursException): a schedule valid from one date to another on every day
(`valid_from` and `valid_to`, no `byday` or all seven days, weekly or no `freq`) is the dates a site, or a service
there, keeps other hours (`opens_at` and `closes_at`) or is closed (no hours; `notes` "closed" as this directory
writes it, or a warning when its description does not say so). A validity window on some weekdays only, or with no
end, is a recurring schedule's (weekly hours, as before). A window longer than MAX_EXCEPTION_DAYS is a season's
hours, which the registry cannot hold: reported and left out."""

import re
from datetime import date, time

from django.core.exceptions import ValidationError

from providers.models import MAX_EXCEPTION_DAYS, HoursException, ahead_since

CLOSED_NOTE = "closed"  # the `notes` of a dated schedule for days closed
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"
_SAYS_CLOSED = re.compile(r"\b(closed|cerrado|cerrada|closure|cierre)\b")


def is_dated(schedule: dict) -> bool:
    days = {day.strip().upper() for day in str(schedule.get("byday") or "").split(",") if day.strip()}
    return (
        bool(schedule.get("valid_from") and schedule.get("valid_to"))
        and (not days or days == set(ALL_DAYS.split(",")))
        and str(schedule.get("freq") or "WEEKLY").upper() == "WEEKLY"
    )


def _day(text) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


def check(schedule: dict, here: str, problem) -> list:
    """Problems of one dated schedule (its dates as YYYY-MM-DD, in order, 2000 to 2100; both times or none); a
    warning for a season's window (the schedule then marked to be left out) and for no hours with a description
    that does not say closed (read as closed)."""
    found = []
    for name in ("valid_from", "valid_to"):
        day = _day(schedule[name])
        if day is None or not 2000 <= day.year <= 2100:
            found.append(problem(f"{here}.{name}", f"not a date from 2000 to 2100 (YYYY-MM-DD): {schedule[name]!r}"))
    if bool(schedule.get("opens_at")) != bool(schedule.get("closes_at")):
        missing = "closes_at" if schedule.get("opens_at") else "opens_at"
        found.append(problem(f"{here}.{missing}", "dated hours need both opens_at and closes_at, or neither (closed)"))
    if found:
        return found
    first, last = _day(schedule["valid_from"]), _day(schedule["valid_to"])
    if last < first:
        return [problem(f"{here}.valid_to", f"{last} is before valid_from {first}")]
    if (last - first).days >= MAX_EXCEPTION_DAYS:
        schedule["_left_out"] = True
        reason = f"dated hours of more than {MAX_EXCEPTION_DAYS} days (a season's hours) are not imported"
        return [problem(here, reason, "warning")]
    said = f"{schedule.get('notes') or ''} {schedule.get('description') or ''}".lower()
    if not schedule.get("opens_at") and said.strip() and not _SAYS_CLOSED.search(said):
        # Closed is what discloses least harm: a survivor is not sent to a door that may be shut.
        reason = f"no hours on these dates, read as closed: {schedule['description']!r}"
        return [problem(here, reason, "warning")]
    return []


def _clock(text: str) -> time:
    return time.fromisoformat(text[:5])


def entries(schedules) -> list[tuple]:
    """(starts_on, ends_on, closed, opens_at, closes_at, note) of the dated schedules a record keeps (checked)."""
    found = []
    for schedule in schedules or []:
        if not is_dated(schedule) or schedule.get("_left_out"):
            continue
        hours = (_clock(schedule["opens_at"]), _clock(schedule["closes_at"])) if schedule.get("opens_at") else None
        found.append((_day(schedule["valid_from"]), _day(schedule["valid_to"]), hours is None, *(hours or (None, None)),
                      (schedule.get("description") or "")[:255]))  # fmt: skip
    return found


def _text(row: tuple) -> str:
    starts, ends, closed, opens, closes, note = row
    hours = "closed" if closed else f"{opens:%H:%M}-{closes:%H:%M}"
    return f"{starts}{'' if ends == starts else f' to {ends}'} {hours}{f' ({note})' if note else ''}"


def write(writer, location, service, found: list[tuple], record) -> str:
    """Replace the dated hours of a location (service None) or of a service there with an import's, as
    hsds.importer's writer replaces weekly hours (new records' rows in bulk at its end, others' with history).
    Dates the API would refuse (one given twice, more than it keeps) are reported and the hours left as they were."""
    from hsds.validation import Problem  # (validation reads this module's checks)
    from providers.services import MAX_HOURS_EXCEPTIONS, hours_exceptions_check

    key = ("dated", f"{location.pk}:{service.pk if service else ''}")
    if key in writer.done:
        return "unchanged"
    writer.done[key] = True
    since = ahead_since()
    found = sorted(row for row in set(found) if row[1] >= since)  # dates past decide nothing (the portal's rule)
    entries_ = [{"starts_on": s, "ends_on": e, "service_id": None} for s, e, *_ in found]
    # The site's other dates count toward its cap too: those kept and those this import is about to insert.
    others = HoursException.objects.filter(location=location, ends_on__gte=since)
    others = others.exclude(service=service) if service else others.exclude(service__isnull=True)
    pending = [r for r in writer.new_rows if isinstance(r, HoursException) and r.location_id == location.pk]
    try:
        if len(entries_) + others.count() + len(pending) > MAX_HOURS_EXCEPTIONS:
            raise ValidationError({"hours_exceptions": [f"At most {MAX_HOURS_EXCEPTIONS} entries per site."]})
        hours_exceptions_check(entries_, set())
    except ValidationError as exc:
        reason = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        writer.report.warnings.append(Problem(str(record.data["id"]), record.where, "$.schedules",
                                              f"dated hours not imported ({reason})", level="warning"))  # fmt: skip
        return "unchanged"
    rows = [HoursException(location=location, service=service, starts_on=s, ends_on=e, closed=c, opens_at=o,
                           closes_at=t, note=n) for s, e, c, o, t, n in found]  # fmt: skip
    if location.pk in writer.created and (service is None or service.pk in writer.created):
        writer.new_rows.extend(rows)
        return "unchanged"
    current = HoursException.objects.filter(location=location, service=service)
    before = sorted(_text((r.starts_on, r.ends_on, r.closed, r.opens_at, r.closes_at, r.note)) for r in current)
    after = sorted(_text(row) for row in found)
    of = f"{service.name}: " if service else ""  # on the site's history
    if before == after:
        return "unchanged"
    # An entry the source still gives keeps the Spanish form of its note (the source has none to give).
    spanish = {_text((r.starts_on, r.ends_on, r.closed, r.opens_at, r.closes_at, r.note)): r.i18n for r in current}
    for row, given in zip(rows, found, strict=True):
        row.i18n = spanish.get(_text(given))
    current.delete()
    HoursException.objects.bulk_create(rows)
    writer.record_history(location, {"hours_exceptions": ([of + t for t in before], [of + t for t in after])})
    return "updated"

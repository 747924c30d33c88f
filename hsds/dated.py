"""Dated hours in HSDS (providers.models.HoursException): a schedule with `valid_from` and `valid_to` is the dates
a site, or a service there, keeps other hours (`opens_at`/`closes_at`) or is closed (no hours; `notes` "closed"
as this directory writes it). Weekly schedules have no dates; a dated window longer than MAX_EXCEPTION_DAYS is a
season's weekly hours, which the registry cannot hold, and is reported and left out."""

from datetime import date

from providers.models import MAX_EXCEPTION_DAYS, HoursException

CLOSED_NOTE = "closed"  # the `notes` of a dated schedule for days closed
ALL_DAYS = "MO,TU,WE,TH,FR,SA,SU"


def is_dated(schedule: dict) -> bool:
    return bool(schedule.get("valid_from") or schedule.get("valid_to"))


def _day(text) -> date | None:
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def check(schedule: dict, here: str, problem) -> list:
    """Problems of one dated schedule (its dates written as YYYY-MM-DD, in order, from 2000 on); a warning for a
    window too long to be a dated change, which is then marked to be left out."""
    starts, ends = schedule.get("valid_from") or schedule.get("valid_to"), schedule.get("valid_to")
    found = []
    for name, value in (("valid_from", starts), ("valid_to", ends or starts)):
        day = _day(value)
        if day is None or day.year < 2000:
            found.append(problem(f"{here}.{name}", f"not a date from 2000 on (YYYY-MM-DD): {value!r}"))
    if found:
        return found
    first, last = _day(starts), _day(ends or starts)
    if last < first:
        return [problem(f"{here}.valid_to", f"{last} is before valid_from {first}")]
    if (last - first).days >= MAX_EXCEPTION_DAYS:
        schedule["_left_out"] = True
        reason = f"dated hours of more than {MAX_EXCEPTION_DAYS} days (a season's hours) are not imported"
        return [problem(here, reason, "warning")]
    return []


def entries(schedules) -> list[tuple]:
    """(starts_on, ends_on, closed, opens_at, closes_at, note) of the dated schedules a record keeps (checked)."""
    found = []
    for schedule in schedules or []:
        if not is_dated(schedule) or schedule.get("_left_out"):
            continue
        first = _day(schedule.get("valid_from") or schedule.get("valid_to"))
        last = _day(schedule.get("valid_to") or schedule.get("valid_from"))
        opens, closes = schedule.get("opens_at"), schedule.get("closes_at")
        closed = not (opens and closes)
        found.append((first, last, closed, None if closed else opens[:5], None if closed else closes[:5],
                      (schedule.get("description") or "")[:255]))  # fmt: skip
    return found


def write(writer, location, service, found: list[tuple]) -> str:
    """Replace the dated hours of a location (service None) or of a service there with an import's, as
    hsds.importer's writer replaces weekly hours (new records' rows in bulk at its end, others' with history)."""
    key = ("dated", f"{location.pk}:{service.pk if service else ''}")
    if key in writer.done:
        return "unchanged"
    writer.done[key] = True
    rows = [HoursException(location=location, service=service, starts_on=s, ends_on=e, closed=c, opens_at=o,
                           closes_at=t, note=n) for s, e, c, o, t, n in sorted(set(found))]  # fmt: skip
    if location.pk in writer.created and (service is None or service.pk in writer.created):
        writer.new_rows.extend(rows)
        return "unchanged"
    current = HoursException.objects.filter(location=location, service=service)
    before = sorted(str(row) for row in current)
    after = sorted(str(row) for row in rows)
    if before == after:
        return "unchanged"
    current.delete()
    HoursException.objects.bulk_create(rows)
    writer.record_history(service or location, {"hours_exceptions": (before, after)})
    return "updated"

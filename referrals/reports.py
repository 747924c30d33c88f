"""Aggregate referral reports that cannot single out a referral, however often or over whatever windows they are
read (docs/referrals.md, Reports, says how).

- **Closed periods only.** A report counts referrals sent in finished calendar months (UTC), each with its
  status as it stood when the current month began (the cutoff). Nothing that happens after the cutoff (a new
  referral, an accept) shows until the next month begins, when all of it shows at once: two reports read in
  the same month are identical, so polling isolates nothing.
- **Suppression per month, windows as sums.** Each month's cells are suppressed on their own (under
  SUPPRESS_BELOW left out; a lone left-out cell takes the next smallest with it, so it cannot be recovered
  from the month's total). A window's cell is the sum of that key's *shown* month cells, and its total the sum
  of the shown month totals, so any window is a function of the published months: subtracting one window from
  another yields only sums of cells that were shown anyway.
"""

from collections import defaultdict
from datetime import UTC, date, datetime

from django.db.models import (
    Aggregate,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from referrals.models import Referral, ReferralEvent

# Cells counting fewer referrals than this are suppressed (docs/privacy.md: reports are aggregate only).
SUPPRESS_BELOW = 5
# The longest window one report covers (months) and the earliest month any report may name.
MAX_MONTHS = 120
FIRST_MONTH = date(2000, 1, 1)


class Median(Aggregate):
    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months a window from `first` to `last` (both included) covers."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def current_month(now: datetime | None = None) -> date:
    now = (now or timezone.now()).astimezone(UTC)
    return date(now.year, now.month, 1)


def last_finished_month(now: datetime | None = None) -> date:
    return add_months(current_month(now), -1)


def referral_report(*, from_month: date | None = None, to_month: date | None = None, now=None) -> dict:
    """Return counts by status, need, state and month and the median time to first answer, over the finished
    months from `from_month` to `to_month` (default: the twelve months before this one). The caller checks
    the window (ReportQuerySerializer); a month not yet finished is refused there."""
    cutoff = month_start(current_month(now))
    to_month = to_month or last_finished_month(now)
    from_month = from_month or add_months(to_month, -11)
    referrals = Referral.objects.filter(
        created_at__gte=month_start(from_month), created_at__lt=min(month_start(add_months(to_month, 1)), cutoff)
    )
    status_then = Subquery(
        ReferralEvent.objects.filter(referral=OuterRef("pk"), at__lt=cutoff)
        .order_by("-at", "-id")
        .values("to_status")[:1]
    )
    monthly = referrals.annotate(month=TruncMonth("created_at", tzinfo=UTC))
    month_totals = dict(monthly.values_list("month").annotate(n=Count("id")).order_by())
    per_month = {
        "by_status": _rows(monthly.annotate(key=Coalesce(status_then, Value("sent"), output_field=CharField()))),
        "by_need": _rows(monthly.filter(needs__isnull=False).annotate(key=F("needs__code"))),
        "by_state": _rows(monthly.exclude(state_code="").annotate(key=F("state_code"))),
    }
    shown_months = {month: n for month, n in month_totals.items() if n >= SUPPRESS_BELOW}
    report = {
        "suppression_threshold": SUPPRESS_BELOW,
        "from_month": from_month.strftime("%Y-%m"),
        "to_month": to_month.strftime("%Y-%m"),
        "total": sum(shown_months.values()) if shown_months else None,
    }
    suppressed = {}
    for name, rows in per_month.items():
        report[name], suppressed[name] = _window_cells(rows)
    report["by_month"] = [{"key": month.strftime("%Y-%m"), "count": n} for month, n in sorted(shown_months.items())]
    suppressed["by_month"] = len(shown_months) < len(month_totals)
    report["suppressed"] = suppressed
    report["median_hours_to_first_answer"] = _median_hours(referrals, cutoff)
    return report


def _rows(queryset: QuerySet) -> dict:
    """{month: [(key, count), ...]} of a queryset annotated with `month` and `key`."""
    by_month = defaultdict(list)
    for month, key, n in queryset.values_list("month", "key").annotate(n=Count("id", distinct=True)).order_by():
        by_month[month].append((key, n))
    return by_month


def _window_cells(rows: dict) -> tuple[list[dict], bool]:
    """Sum each key's shown month cells over the window; say whether any month left a cell out."""
    sums, suppressed = defaultdict(int), False
    for cells in rows.values():
        shown, hidden = month_cells(cells)
        suppressed = suppressed or hidden
        for key, n in shown:
            sums[key] += n
    return [{"key": key, "count": n} for key, n in sorted(sums.items())], suppressed


def month_cells(cells: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], bool]:
    """Return one month's shown (key, count) cells and whether any was left out. A lone small cell takes the
    next smallest with it, so it cannot be recovered by subtracting the others from the month's total."""
    hidden = {key for key, n in cells if n < SUPPRESS_BELOW}
    shown = [(key, n) for key, n in cells if key not in hidden]
    if len(hidden) == 1 and shown:
        hidden.add(min(shown, key=lambda cell: (cell[1], cell[0]))[0])
    return [(key, n) for key, n in cells if key not in hidden], bool(hidden)


def _median_hours(referrals: QuerySet, cutoff: datetime) -> float | None:
    # The median only, over answers before the cutoff: a count of answered referrals would let the suppressed
    # statuses be subtracted out.
    answered = referrals.filter(answered_at__lt=cutoff).aggregate(
        n=Count("id"),
        median=Median(ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())),
    )
    if answered["n"] < SUPPRESS_BELOW or answered["median"] is None:
        return None
    return round(answered["median"].total_seconds() / 3600, 1)

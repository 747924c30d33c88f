"""Aggregate referral reports that cannot single out a referral, however often or over whatever windows they are
read (docs/referrals.md, Reports, says how).

- **Settled months only.** A month's figures are fixed SETTLE_DAYS after it ends: each referral sent in it is
  counted with its status as it stood then, and only answers given by then enter its median. A month is
  reported only once it has settled, and never changes afterwards, so reading reports again (a minute or a
  month later) shows nothing that happened to any one referral.
- **Suppression per month, windows as sums.** Each month's cells are suppressed on their own (under
  SUPPRESS_BELOW left out; a lone left-out cell takes the next smallest with it, so it cannot be recovered
  from the month's total). Referrals with no state or no need take part in that as a cell of their own that is
  never shown. A window's cell is the sum of that key's *shown* month cells, and its total the sum of the shown
  month totals, so any window is a function of the published months: subtracting one window from another
  yields only sums of cells that were shown anyway.
- **Medians per month**, over at least SUPPRESS_BELOW answers of a shown month; there is no median of a
  window (the median of January-February against January's would place February's single answer).
"""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from django.db.models import (
    Aggregate,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from referrals.models import Referral, ReferralEvent

# Cells counting fewer referrals than this are suppressed (docs/privacy.md: reports are aggregate only).
SUPPRESS_BELOW = 5
# Days after a month ends at which its figures are taken and fixed.
SETTLE_DAYS = 30
# The longest window one report covers (months) and the earliest month any report may name.
MAX_MONTHS = 120
FIRST_MONTH = date(2000, 1, 1)
# The cell of referrals with no state or no need: counted for suppression, never shown.
NONE_KEY = ""


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


def settled_at(month: date) -> datetime:
    return month_start(add_months(month, 1)) + timedelta(days=SETTLE_DAYS)


def last_settled_month(now: datetime | None = None) -> date:
    """The latest month whose figures are fixed (it ended SETTLE_DAYS ago or more)."""
    moment = (now or timezone.now()).astimezone(UTC) - timedelta(days=SETTLE_DAYS)
    return add_months(date(moment.year, moment.month, 1), -1)


# When a referral's figures were fixed: SETTLE_DAYS after the end of the month (UTC) it was sent in.
_SETTLED = RawSQL(
    "((date_trunc('month', referrals_referral.created_at AT TIME ZONE 'UTC') + interval '1 month') "
    "AT TIME ZONE 'UTC') + make_interval(days => %s)",
    [SETTLE_DAYS],
    output_field=DateTimeField(),
)


def referral_report(*, from_month: date | None = None, to_month: date | None = None, now=None) -> dict:
    """Return counts by status, need, state and month and the median hours to first answer per month, over the
    settled months from `from_month` to `to_month` (default: the twelve months to the last settled one). The
    caller checks the window (ReportQuerySerializer); a month not yet settled is refused there."""
    last = last_settled_month(now)
    to_month = min(to_month or last, last)
    from_month = from_month or add_months(to_month, -11)
    monthly = Referral.objects.filter(
        created_at__gte=month_start(from_month), created_at__lt=month_start(add_months(to_month, 1))
    ).annotate(month=TruncMonth("created_at", tzinfo=UTC), settled=_SETTLED)
    status_then = Subquery(
        ReferralEvent.objects.filter(referral=OuterRef("pk"), at__lt=OuterRef("settled"))
        .order_by("-at", "-id")
        .values("to_status")[:1]
    )
    month_totals = dict(monthly.values_list("month").annotate(n=Count("id")).order_by())
    per_month = {
        "by_status": _rows(monthly.annotate(key=Coalesce(status_then, Value("sent"), output_field=CharField()))),
        "by_need": _rows(monthly.annotate(key=Coalesce("needs__code", Value(NONE_KEY)))),
        "by_state": _rows(monthly.annotate(key=F("state_code"))),
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
    report["median_hours_to_first_answer_by_month"] = _medians(monthly, shown_months)
    return report


def _rows(queryset: QuerySet) -> dict:
    """{month: [(key, count), ...]} of a queryset annotated with `month` and `key`."""
    by_month = defaultdict(list)
    for month, key, n in queryset.values_list("month", "key").annotate(n=Count("id", distinct=True)).order_by():
        by_month[month].append((key or NONE_KEY, n))
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
    next smallest with it, so it cannot be recovered by subtracting the others from the month's total. The
    no-state/no-need cell counts here like any other but is never shown."""
    hidden = {key for key, n in cells if n < SUPPRESS_BELOW}
    shown = [(key, n) for key, n in cells if key not in hidden]
    if len(hidden) == 1 and shown:
        hidden.add(min(shown, key=lambda cell: (cell[1], cell[0]))[0])
    return [(key, n) for key, n in cells if key not in hidden and key != NONE_KEY], bool(hidden)


def _medians(monthly: QuerySet, shown_months: dict) -> list[dict]:
    """The median hours to first answer of each shown month with enough answers given before it settled. No
    count of answers is given: it would let the suppressed statuses be subtracted out."""
    rows = (
        monthly.filter(month__in=list(shown_months), answered_at__lt=F("settled"))
        .values_list("month")
        .annotate(
            n=Count("id"),
            median=Median(ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())),
        )
        .order_by("month")
    )
    return [
        {"key": month.strftime("%Y-%m"), "hours": round(median.total_seconds() / 3600, 1)}
        for month, n, median in rows
        if n >= SUPPRESS_BELOW and median is not None
    ]

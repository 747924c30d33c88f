"""Reads of referrals, with the visibility rule from referrals.permissions applied."""

from datetime import UTC, date, datetime

from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404

from referrals.models import Referral, ReferralEvent, normalize_referral_code
from referrals.permissions import receiving_organization_id_for, referrals_visible_q

# Aggregate cells counting fewer referrals than this are suppressed (docs/privacy.md: reports are aggregate
# only, with small counts suppressed), so a report cannot single out a client.
SUPPRESS_BELOW = 5


def referral_list(*, user, direction: str | None = None, statuses: list[str] | None = None) -> QuerySet[Referral]:
    """Return the referrals the user may see, newest first: `sent` by them or `received` by their organization."""
    queryset = Referral.objects.filter(referrals_visible_q(user))
    if direction:
        queryset = queryset.filter(referral_direction_q(user=user, direction=direction))
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    # Lists show no note or reasons: leave the ciphertext unread (and undecrypted).
    return (
        queryset.defer("note", "reason_text")
        .select_related("receiving_organization", "service_at_location__service", "service_at_location__location")
        .prefetch_related("needs")
    )


def referral_direction_q(*, user, direction: str) -> Q:
    """Return a filter for the referrals `sent` by the user or `received` by their organization."""
    if direction == "sent":
        return Q(sender_id=user.id)
    organization_id = receiving_organization_id_for(user)
    return Q(receiving_organization_id=organization_id) if organization_id else Q(pk__in=[])


def referral_get(*, user, code: str) -> Referral:
    """Return one referral the user may see, with what its details need; 404 otherwise (never 403)."""
    referral = (
        Referral.objects.filter(referrals_visible_q(user), code=normalize_referral_code(code))
        .select_related(
            "sender",
            "sender_organization",
            "receiving_organization",
            "service_at_location__service",
            "service_at_location__location",
            "consent__recipient_organization",
            "client_contact__preferred_language",
        )
        .prefetch_related("needs__parent", "service_at_location__location__addresses")
        .first()
    )
    if referral is None:
        raise Http404("No such referral.")
    return referral


def referral_events(*, referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor")


class Median(Aggregate):
    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def referral_report(*, from_month: date | None = None, to_month: date | None = None) -> dict:
    """Return aggregate referral counts by status, need, state and month, and the median time to first
    answer, over whole months (UTC). Cells under SUPPRESS_BELOW are left out (with one more cell when only
    one would be, so it cannot be recovered from the total); `suppressed` says which breakdowns lost cells."""
    referrals = Referral.objects.all()
    if from_month:
        referrals = referrals.filter(created_at__gte=_month_start(from_month))
    if to_month:
        referrals = referrals.filter(created_at__lt=_month_start(_next_month(to_month)))
    total = referrals.count()
    breakdowns = {
        "by_status": referrals.values_list("status").annotate(n=Count("id")).order_by(),
        "by_need": (
            Referral.needs.through.objects.filter(referral__in=referrals)
            .values_list("needterm__code")
            .annotate(n=Count("referral_id"))
            .order_by()
        ),
        "by_state": referrals.exclude(state_code="").values_list("state_code").annotate(n=Count("id")).order_by(),
        "by_month": [
            (month.strftime("%Y-%m"), n)
            for month, n in referrals.annotate(month=TruncMonth("created_at", tzinfo=UTC))
            .values_list("month")
            .annotate(n=Count("id"))
            .order_by()
        ],
    }
    answered = referrals.filter(answered_at__isnull=False).aggregate(
        n=Count("id"),
        median=Median(ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())),
    )
    report = {"suppression_threshold": SUPPRESS_BELOW, "total": total if total >= SUPPRESS_BELOW else None}
    suppressed = {}
    for name, rows in breakdowns.items():
        report[name], suppressed[name] = _cells(rows)
    report["suppressed"] = suppressed
    # The median only: a count of answered referrals would let the suppressed statuses be subtracted out.
    report["median_hours_to_first_answer"] = (
        round(answered["median"].total_seconds() / 3600, 1)
        if answered["n"] >= SUPPRESS_BELOW and answered["median"] is not None
        else None
    )
    return report


def _month_start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _cells(rows) -> tuple[list[dict], bool]:
    """Return the shown {key, count} cells, sorted by key, and whether any were suppressed. A lone small
    cell takes the next smallest with it, so it cannot be recovered by subtracting from the total."""
    cells = sorted(({"key": key, "count": n} for key, n in rows), key=_by_key)
    hidden = {cell["key"] for cell in cells if cell["count"] < SUPPRESS_BELOW}
    shown = [cell for cell in cells if cell["key"] not in hidden]
    if len(hidden) == 1 and shown:
        hidden.add(min(shown, key=lambda cell: (cell["count"], cell["key"]))["key"])
    return [cell for cell in cells if cell["key"] not in hidden], bool(hidden)


def _by_key(cell):
    return cell["key"]

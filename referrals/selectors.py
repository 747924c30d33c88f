"""Reads of referrals, with the visibility rule from referrals.permissions applied."""

from datetime import UTC, date, datetime, time

from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404

from referrals.models import Referral, ReferralEvent, normalize_referral_code
from referrals.permissions import receiving_organization_id_for, referrals_visible_q

# Aggregate cells counting fewer referrals than this are suppressed (DESIGN.md: reports are aggregate
# only, with small counts suppressed), so a report cannot single out a client.
SUPPRESS_BELOW = 5


def referral_list(*, user, direction: str | None = None, statuses: list[str] | None = None) -> QuerySet[Referral]:
    """Return the referrals the user may see, newest first: `sent` by them or `received` by their organization."""
    queryset = Referral.objects.filter(referrals_visible_q(user))
    if direction:
        queryset = queryset.filter(referral_direction_q(user=user, direction=direction))
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset.select_related(
        "receiving_organization", "service_at_location__service", "service_at_location__location"
    ).prefetch_related("needs")


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


def referral_report(*, since: date | None = None, until: date | None = None) -> dict:
    """Return aggregate referral counts by status, need, state and month, and the median time to first
    answer; cells under SUPPRESS_BELOW are suppressed (with one more cell when only one would be)."""
    referrals = Referral.objects.all()
    if since:
        referrals = referrals.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        referrals = referrals.filter(created_at__lt=datetime.combine(until, time.max, tzinfo=UTC))
    total = referrals.count()
    by_status = referrals.values_list("status").annotate(n=Count("id")).order_by()
    by_need = (
        Referral.needs.through.objects.filter(referral__in=referrals)
        .values_list("needterm__code")
        .annotate(n=Count("referral_id"))
        .order_by()
    )
    by_state = referrals.exclude(state_code="").values_list("state_code").annotate(n=Count("id")).order_by()
    by_month = (
        referrals.annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    answered = referrals.filter(answered_at__isnull=False).aggregate(
        n=Count("id"),
        median=Median(ExpressionWrapper(F("answered_at") - F("created_at"), output_field=DurationField())),
    )
    enough = answered["n"] >= SUPPRESS_BELOW
    return {
        "suppression_threshold": SUPPRESS_BELOW,
        "total": total if total >= SUPPRESS_BELOW else None,
        "by_status": _cells(by_status),
        "by_need": _cells(by_need),
        "by_state": _cells(by_state),
        "by_month": _cells((month.strftime("%Y-%m"), n) for month, n in by_month),
        "answered": answered["n"] if enough else None,
        "median_hours_to_first_answer": (
            round(answered["median"].total_seconds() / 3600, 1) if enough and answered["median"] else None
        ),
    }


def _cells(rows) -> list[dict]:
    """Return sorted {key, count, suppressed} cells; a lone suppressed cell takes the next smallest with it,
    so it cannot be recovered by subtracting the others from the total."""
    cells = sorted(({"key": key, "count": n, "suppressed": n < SUPPRESS_BELOW} for key, n in rows), key=_by_key)
    suppressed = [cell for cell in cells if cell["suppressed"]]
    if len(suppressed) == 1:
        shown = [cell for cell in cells if not cell["suppressed"]]
        if shown:
            min(shown, key=lambda cell: (cell["count"], cell["key"]))["suppressed"] = True
    for cell in cells:
        if cell["suppressed"]:
            cell["count"] = None
    return cells


def _by_key(cell):
    return cell["key"]

"""Aggregate referral reports: counts only, small cells suppressed, median time to first answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.selectors import SUPPRESS_BELOW, referral_report

pytestmark = pytest.mark.django_db


def cell(report, dimension, key):
    return next(c for c in report[dimension] if c["key"] == key)


@pytest.fixture
def many(people, send, act, time_machine):
    """Send 12 referrals: 7 for shelter (5 accepted after 2 hours), 5 for shelter + T visa, in one month."""
    start = timezone.now().replace(day=3, hour=9)
    time_machine.move_to(start)
    codes = []
    for index in range(12):
        needs = ["emergency-shelter"] if index < 7 else ["emergency-shelter", "t-visa"]
        codes.append(send(people["sender"], needs=needs).data["code"])
    time_machine.move_to(start + timedelta(hours=2))
    for code in codes[:5]:
        act(people["receiver"], code, "accept")
    time_machine.move_to(start + timedelta(hours=4))
    act(people["receiver"], codes[5], "decline", reason="no_capacity")
    return codes, start


def test_report_counts_by_status_need_state_and_month(client_for, many):
    _, start = many
    response = client_for("moderator").get("/api/reports/referrals/")

    assert response.status_code == 200
    report = response.data
    assert report["total"] == 12
    assert cell(report, "by_need", "emergency-shelter")["count"] == 12
    assert cell(report, "by_need", "t-visa")["count"] == 5
    assert cell(report, "by_state", "TX")["count"] == 12
    assert cell(report, "by_month", start.strftime("%Y-%m"))["count"] == 12
    assert cell(report, "by_status", "sent")["count"] == 6


def test_small_cells_are_suppressed_with_a_second_cell_so_they_cannot_be_subtracted(client_for, many):
    report = client_for("moderator").get("/api/reports/referrals/").data

    declined = cell(report, "by_status", "declined")
    assert declined == {"key": "declined", "count": None, "suppressed": True}
    # With only one small cell, the total would give it away: the smallest shown cell is hidden too.
    assert cell(report, "by_status", "accepted")["suppressed"] is True
    assert cell(report, "by_status", "sent")["count"] == 6
    assert SUPPRESS_BELOW == 5


def test_median_time_to_first_answer_is_reported_only_over_enough_answers(many):
    report = referral_report()

    assert report["answered"] == 6
    assert report["median_hours_to_first_answer"] == 2.0


def test_a_tiny_report_shows_nothing_countable(people, send):
    for _ in range(3):
        send(people["sender"])

    report = referral_report()

    assert report["total"] is None and report["answered"] is None
    assert all(c["count"] is None for dimension in ("by_status", "by_need", "by_state") for c in report[dimension])


def test_report_has_no_referral_level_data(client_for, many):
    codes, _ = many
    text = str(client_for("moderator").get("/api/reports/referrals/").data)

    assert not any(code in text for code in codes)
    assert "note" not in text and "client" not in text


def test_report_period_filters_and_bad_dates(client_for, many):
    _, start = many
    moderator = client_for("moderator")
    later = (start + timedelta(days=40)).date().isoformat()

    assert moderator.get("/api/reports/referrals/", {"since": later}).data["by_status"] == []
    assert moderator.get("/api/reports/referrals/", {"until": start.date().isoformat()}).data["total"] == 12
    bad = moderator.get("/api/reports/referrals/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.data
    backwards = moderator.get("/api/reports/referrals/", {"since": later, "until": start.date().isoformat()})
    assert backwards.status_code == 400 and "until" in backwards.data

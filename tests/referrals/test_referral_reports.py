"""Aggregate referral reports: counts only, small cells left out, whole months, median time to first answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.selectors import SUPPRESS_BELOW, referral_report

pytestmark = pytest.mark.django_db


def counts(report, dimension) -> dict:
    return {cell["key"]: cell["count"] for cell in report[dimension]}


@pytest.fixture
def many(people, send, act, time_machine):
    """Send 12 referrals on one day: 7 for shelter, 5 for shelter + T visa; 5 accepted after 2 hours and
    1 declined after 4."""
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


def test_report_counts_by_need_state_and_month(client_for, many):
    _, start = many
    response = client_for("moderator").get("/api/reports/referrals/")

    assert response.status_code == 200
    report = response.data
    assert report["total"] == 12
    assert counts(report, "by_need") == {"emergency-shelter": 12, "t-visa": 5}
    assert counts(report, "by_state") == {"TX": 12}
    assert counts(report, "by_month") == {start.strftime("%Y-%m"): 12}
    assert report["suppressed"] == {"by_status": True, "by_need": False, "by_state": False, "by_month": False}


def test_small_cells_are_left_out_with_a_second_cell_so_they_cannot_be_subtracted(many):
    report = referral_report()

    # declined (1) is under the threshold; alone it could be recovered as total - accepted - sent, so the
    # smallest shown cell (accepted, 5) goes with it. Their keys are not listed either.
    assert counts(report, "by_status") == {"sent": 6}
    assert SUPPRESS_BELOW == 5


def test_the_report_gives_no_count_that_recovers_a_suppressed_cell(many):
    report = referral_report()

    assert "answered" not in report
    shown = sum(counts(report, "by_status").values())
    assert report["total"] - shown >= 2 * 1  # at least two cells hidden: no single one is determined


def test_median_time_to_first_answer_over_enough_answers(many):
    assert referral_report()["median_hours_to_first_answer"] == 2.0


def test_a_tiny_report_shows_nothing_countable(people, send):
    for _ in range(3):
        send(people["sender"])

    report = referral_report()

    assert report["total"] is None and report["median_hours_to_first_answer"] is None
    assert all(report[dimension] == [] for dimension in ("by_status", "by_need", "by_state", "by_month"))


def test_report_has_no_referral_level_data(client_for, many):
    codes, _ = many
    text = str(client_for("moderator").get("/api/reports/referrals/").data)

    assert not any(code in text for code in codes)
    assert "note" not in text and "client" not in text


def test_reports_come_in_whole_months_only(client_for, many):
    _, start = many
    moderator = client_for("moderator")
    month = start.strftime("%Y-%m")
    next_month = (start.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")

    assert moderator.get("/api/reports/referrals/", {"from_month": month, "to_month": month}).data["total"] == 12
    assert moderator.get("/api/reports/referrals/", {"from_month": next_month}).data["by_status"] == []
    day = moderator.get("/api/reports/referrals/", {"from_month": start.date().isoformat()})
    assert day.status_code == 400 and "from_month" in day.data
    backwards = moderator.get("/api/reports/referrals/", {"from_month": next_month, "to_month": month})
    assert backwards.status_code == 400 and "to_month" in backwards.data

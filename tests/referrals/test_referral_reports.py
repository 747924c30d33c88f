"""Aggregate referral reports: counts only, small cells left out month by month, settled months only, medians per
month; neither polling nor differencing windows isolates a referral (referrals/reports.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Referral
from referrals.reports import SETTLE_DAYS, SUPPRESS_BELOW, referral_report

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
    # Reports count settled months only: read them once this one has settled.
    time_machine.move_to(_settled(start))
    return codes, start


def _next_month(moment):
    return (moment.replace(day=1) + timedelta(days=32)).replace(day=1)


def _settled(moment):
    """A moment just after the month of `moment` settled (SETTLE_DAYS after it ended)."""
    return _next_month(moment) + timedelta(days=SETTLE_DAYS, hours=1)


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
    _, start = many
    assert referral_report()["median_hours_to_first_answer_by_month"] == [
        {"key": start.strftime("%Y-%m"), "hours": 2.0}
    ]


def test_a_tiny_report_shows_nothing_countable(people, send, time_machine):
    for _ in range(3):
        send(people["sender"])
    time_machine.move_to(_settled(timezone.now()))

    report = referral_report()

    assert report["total"] is None and report["median_hours_to_first_answer_by_month"] == []
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
    previous_month = (start.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    assert moderator.get("/api/reports/referrals/", {"from_month": month, "to_month": month}).data["total"] == 12
    assert moderator.get("/api/reports/referrals/", {"to_month": previous_month}).data["by_status"] == []
    day = moderator.get("/api/reports/referrals/", {"from_month": start.date().isoformat()})
    assert day.status_code == 400 and "from_month" in day.data
    backwards = moderator.get("/api/reports/referrals/", {"from_month": month, "to_month": previous_month})
    assert backwards.status_code == 400 and "to_month" in backwards.data


def test_polling_shows_no_new_referral_or_answer_until_the_month_is_over(client_for, people, send, act, many):
    """The probe that found this: two reports seconds apart moved total and by_state by one referral."""
    codes, _ = many
    moderator = client_for("moderator")
    before = moderator.get("/api/reports/referrals/").data

    send(people["sender"])
    act(people["receiver"], codes[6], "accept")

    assert moderator.get("/api/reports/referrals/").data == before


def test_statuses_are_counted_as_they_stood_when_the_month_settled_and_never_change(people, send, act, time_machine):
    start = timezone.now().replace(day=3, hour=9)
    time_machine.move_to(start)
    codes = [send(people["sender"]).data["code"] for _ in range(15)]
    time_machine.move_to(_next_month(start) + timedelta(days=5))  # after the month, before it settled
    for code in codes[:10]:
        act(people["receiver"], code, "accept")
    time_machine.move_to(_settled(start))
    for code in codes[10:]:  # after it settled: not counted, now or ever
        act(people["receiver"], code, "accept")

    assert counts(referral_report(), "by_status") == {"accepted": 10, "sent": 5}
    for code in codes[:5]:
        act(people["receiver"], code, "start")
    time_machine.move_to(_settled(start) + timedelta(days=70))
    month = start.date().replace(day=1)
    assert counts(referral_report(from_month=month, to_month=month), "by_status") == {"accepted": 10, "sent": 5}


def test_subtracting_one_window_from_another_recovers_no_suppressed_cell(people, send, time_machine):
    """Month A: 6 referrals for a T visa. Month B: 3 for a T visa, 5 without. Month B's T-visa cell (3) is
    suppressed; a window A..B counts only what the months showed, so A..B minus A gives 0, not 3."""
    month_a = timezone.now().replace(day=5, hour=9) - timedelta(days=70)
    time_machine.move_to(month_a)
    for _ in range(6):
        send(people["sender"], needs=["t-visa"])
    month_b = _next_month(month_a) + timedelta(days=4)
    time_machine.move_to(month_b)
    for index in range(8):
        send(people["sender"], needs=["t-visa"] if index < 3 else ["emergency-shelter"])
    time_machine.move_to(_settled(month_b))
    a, b = month_a.date().replace(day=1), month_b.date().replace(day=1)

    both = referral_report(from_month=a, to_month=b)
    first = referral_report(from_month=a, to_month=a)
    second = referral_report(from_month=b, to_month=b)

    assert counts(both, "by_need")["t-visa"] - counts(first, "by_need")["t-visa"] == 0
    assert "t-visa" not in counts(second, "by_need") and second["suppressed"]["by_need"]
    assert both["total"] == first["total"] + second["total"] == 14


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to_month": "9999-12"}, "to_month"),
        ({"from_month": "9999-12"}, "from_month"),
        ({"from_month": "1999-12"}, "from_month"),
        ({"to_month": "0000-01"}, "to_month"),
        ({"from_month": "2001-01", "to_month": "2012-01"}, "from_month"),
    ],
)
def test_out_of_range_months_are_a_400_naming_the_field(client_for, query, field):
    response = client_for("moderator").get("/api/reports/referrals/", query)
    assert response.status_code == 400 and field in response.data, response.data


@pytest.mark.parametrize("days_ago", [0, SETTLE_DAYS - 1])
def test_a_month_not_yet_settled_cannot_be_asked_for(client_for, time_machine, days_ago):
    """The current month, and the last one until SETTLE_DAYS have passed since it ended."""
    month_end = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    time_machine.move_to(month_end + timedelta(days=days_ago, hours=12))
    last_month = (month_end - timedelta(days=1)).strftime("%Y-%m")
    response = client_for("moderator").get("/api/reports/referrals/", {"to_month": last_month})
    assert response.status_code == 400
    assert "settled months" in str(response.data["to_month"])


def test_no_median_places_a_single_answer(people, send, act, time_machine):
    """The finding: January's 6 answers had a median of 3.5 h; February's single answer (a hidden month) moved the
    January-February median to exactly its own time. Medians are per shown month only."""
    january = timezone.now().replace(day=5, hour=9) - timedelta(days=100)
    time_machine.move_to(january)
    codes = [send(people["sender"]).data["code"] for _ in range(6)]
    for hours, code in zip([1, 2, 3, 4, 5, 6], codes, strict=True):
        time_machine.move_to(january + timedelta(hours=hours))
        act(people["receiver"], code, "accept")
    february = _next_month(january) + timedelta(days=3)
    time_machine.move_to(february)
    lone = send(people["sender"]).data["code"]
    time_machine.move_to(february + timedelta(hours=3, minutes=36))
    act(people["receiver"], lone, "accept")
    time_machine.move_to(_settled(february))
    first, second = january.date().replace(day=1), february.date().replace(day=1)

    both = referral_report(from_month=first, to_month=second)

    assert both["median_hours_to_first_answer_by_month"] == [{"key": first.strftime("%Y-%m"), "hours": 3.5}]
    assert "median_hours_to_first_answer" not in both


def test_referrals_with_no_state_are_a_hidden_cell_that_suppression_counts(people, send, time_machine):
    """5 referrals to Texas and 1 to a site with no state: showing Texas 5 beside a total of 6 placed the one."""
    start = timezone.now().replace(day=3, hour=9) - timedelta(days=70)
    time_machine.move_to(start)
    codes = [send(people["sender"]).data["code"] for _ in range(6)]
    Referral.objects.filter(code=codes[0]).update(state_code="")
    time_machine.move_to(_settled(start))
    month = start.date().replace(day=1)

    report = referral_report(from_month=month, to_month=month)

    assert report["total"] == 6
    assert counts(report, "by_state") == {} and report["suppressed"]["by_state"]

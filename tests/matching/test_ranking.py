"""The ranking formula, term by term (docs/matching.md)."""

from dataclasses import replace

import pytest

from matching.ranking import RankInput, rank

BASE = RankInput(
    needs_requested=2, needs_met=("emergency-shelter",), distance_m=40_000.0, radius_m=80_000.0,
    in_service_area=False, languages_requested=(), languages_spoken=(), interpretation_offered=False,
    accepting_referrals=True, beds_total=None, beds_available=None, open_now=None, days_since_verified=10,
    stale=False, lgbtq_requested=False, lgbtq_specific=False, language_names={"es": "Spanish"},
)  # fmt: skip


def score(**changes):
    return rank(replace(BASE, **changes))[0]


def test_base_score_is_needs_share_minus_distance_share():
    assert score() == pytest.approx(100 * 1 / 2 - 25 * 0.5)


@pytest.mark.parametrize(
    "changes, delta",
    [
        ({"needs_met": ("emergency-shelter", "medical")}, 50),
        ({"distance_m": 0.0}, 12.5),
        ({"languages_requested": ("es",), "languages_spoken": ("es",)}, 20),
        ({"languages_requested": ("es",), "interpretation_offered": True}, 5),
        ({"languages_requested": ("es",)}, 0),
        ({"accepting_referrals": False}, -30),
        ({"beds_total": 10, "beds_available": 2}, 10),
        ({"beds_total": 10, "beds_available": 0}, -15),
        ({"open_now": True}, 5),
        ({"open_now": False}, -5),
        ({"stale": True}, -10),
        ({"lgbtq_requested": True, "lgbtq_specific": True}, 10),
        ({"lgbtq_requested": True}, 0),
    ],
)
def test_each_term(changes, delta):
    assert score(**changes) - score() == pytest.approx(delta)


def test_beds_only_count_for_housing_needs():
    assert score(needs_met=("medical",), beds_total=10, beds_available=0) == score(needs_met=("medical",))


def test_service_area_reach_counts_as_half_the_radius():
    assert score(distance_m=None, in_service_area=True) == pytest.approx(50 - 12.5)


def test_reasons_read_as_plain_words():
    _, reasons = rank(
        replace(BASE, languages_requested=("es",), languages_spoken=("es",), beds_total=5, beds_available=3,
                open_now=True, days_since_verified=20)
    )  # fmt: skip
    assert reasons == ["offers 1 of 2 needs", "24.9 mi", "Spanish spoken", "3 beds free", "open now",
                       "verified 20 days ago"]  # fmt: skip

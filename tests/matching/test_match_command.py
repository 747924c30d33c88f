"""python manage.py match: a readable table, and clear errors."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.matching.conftest import NEAR

pytestmark = pytest.mark.django_db


def test_prints_a_ranked_table_with_plan_and_specialists(make_offer):
    make_offer(3, needs=["emergency-shelter"], languages=["es"], org=None)
    make_offer(6, needs=["t-visa"])
    out = io.StringIO()
    call_command(
        "match", "--near", NEAR, "--needs", "emergency-shelter,immigration-legal", "--language", "es", stdout=out
    )
    text = out.getvalue()
    assert "needs: emergency-shelter, immigration-legal" in text
    assert text.count("/ Test Service") >= 2  # both options listed as "organization / service"
    assert "offers 1 of 2 needs" in text and "Spanish spoken" in text
    assert "Coverage plan:" in text and "Victim assistance specialists:" in text


def test_unknown_need_is_a_clear_error():
    with pytest.raises(CommandError, match="needs: Unknown need codes: flying"):
        call_command("match", "--near", "77002", "--needs", "flying")


def test_unknown_place_is_a_clear_error():
    with pytest.raises(CommandError, match="near: No place found"):
        call_command("match", "--near", "qqqq zzzz", "--needs", "medical")

"""Defects the API fuzzer (tests/fuzz) found in the referral endpoints, each pinned by a plain test."""

import pytest

from referrals.models import Referral
from tests.referrals.conftest import consent_body

pytestmark = pytest.mark.django_db


def test_nul_character_in_a_need_code_is_a_400_naming_the_field(people, send):
    """PostgreSQL text cannot hold NUL: looking the code up was a database error (500)."""
    response = send(people["sender"], needs=["emergency-shelter\x00"])

    assert response.status_code == 400
    assert response.json() == {"needs[0]": ["Null characters are not allowed."]}
    assert not Referral.objects.exists()


def test_nul_character_in_the_clients_language_is_a_400_naming_the_field(people, send):
    response = send(
        people["sender"], client_contact={"name": "Maria", "preferred_language": "e\x00s"}, consent=consent_body()
    )

    assert response.status_code == 400
    assert response.json() == {"client_contact.preferred_language": ["Null characters are not allowed."]}

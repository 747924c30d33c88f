"""Defects the API fuzzer (tests/fuzz) found in the HSDS endpoints, each pinned by a plain test."""

import pytest

from hsds.models import TaxonomyMapping

pytestmark = pytest.mark.django_db


def test_nul_character_in_a_mappings_need_is_a_400_naming_the_field(client_for):
    """PostgreSQL text cannot hold NUL: looking the need up was a database error (500)."""
    response = client_for("moderator").post(
        "/api/taxonomy-mappings/", {"taxonomy": "linksf", "code": "medical", "need": "medical\x00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"need": ["Null characters are not allowed."]}
    assert not TaxonomyMapping.objects.exists()

"""No browser or proxy keeps a copy of what a signed-in caller saw (core/cache_control.py): exact confidential places
and personal data never sit in a shared hotline computer's cache."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests import factories
from tests.web.test_form_input import PAGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter(provider_org):
    location = factories.location(provider_org, name="Safe House", is_confidential=True)
    factories.address(location, address_1="6432 Secret Rd", city="Houston", state_province="TX", postal_code="77080")
    factories.offer(factories.service(provider_org, needs=("emergency-shelter",)), location)
    return location


def _api_reads(shelter):
    return [
        f"/api/locations/{shelter.pk}/",
        "/api/locations/?near=77002&need=emergency-shelter",
        f"/api/organizations/{shelter.organization_id}/",
        "/api/services/",
        f"/hsds/organizations/{shelter.organization_id}",
        "/hsds/services",
    ]


@pytest.mark.parametrize("persona", ["hotline", "specialist", "moderator", "provider"])
def test_what_a_signed_in_caller_reads_is_never_stored(personas, persona, shelter):
    token = Token.objects.create(user=personas[persona]).key
    by_token = Client(HTTP_AUTHORIZATION=f"Token {token}")
    by_session = Client()
    by_session.force_login(personas[persona])
    for url in _api_reads(shelter):
        assert by_token.get(url)["Cache-Control"] == "no-store, private", url
    for url in [f"/listings/{shelter.pk}/", "/print/", "/", *_api_reads(shelter)]:
        assert by_session.get(url)["Cache-Control"] == "no-store, private", url


def test_every_page_a_signed_in_caller_opens_is_never_stored(personas):
    client = Client()
    client.force_login(personas["moderator"])
    for path in PAGES:
        response = client.get(path)
        assert response["Cache-Control"] == "no-store, private", (path, response.status_code)


def test_writes_are_never_stored_even_anonymous(client):
    response = client.post(
        "/api/match/", {"near": "77002", "needs": ["emergency-shelter"]}, content_type="application/json"
    )
    assert response["Cache-Control"] == "no-store, private"


def test_the_public_view_stays_cacheable(client, shelter):
    """Anonymous reads carry only the generalized site: the rule is about who asks, not every answer."""
    response = client.get(f"/api/locations/{shelter.pk}/")
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Cookie" in response["Vary"] and "Authorization" in response["Vary"]

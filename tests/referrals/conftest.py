"""Referral fixtures: a confidential shelter offer of the provider persona's organization, and helpers that
send and move referrals through the real API."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests import factories


@pytest.fixture
def offer(db, provider_org):
    """Return a ServiceAtLocation of the provider persona's organization at a confidential Houston site."""
    provider_org.email = "intake@shelter.example.org"
    provider_org.save()
    service = factories.service(provider_org, needs=("emergency-shelter",), name="Emergency Shelter")
    location = factories.location(provider_org, name="Safe House 1", is_confidential=True)
    factories.address(location, address_1="6432 Secret Rd", city="Houston", state_province="TX", postal_code="77080")
    return factories.offer(service, location)


@pytest.fixture
def people(personas, provider_org):
    """Personas for the referral role matrix, keyed by their relation to a referral the hotline sent."""
    return {
        "sender": personas["hotline"],
        "colleague": factories.user(Role.HOTLINE),  # another hotline worker, same line
        "receiver": personas["provider"],
        "receiver_colleague": factories.user(Role.PROVIDER, organization=provider_org),
        "other_provider": personas["other_provider"],
        "specialist": personas["specialist"],
        "moderator": personas["moderator"],
        "anonymous": None,
    }


@pytest.fixture
def as_user():
    """Return a function giving an API client for a user (None = anonymous)."""
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def referral_body(offer, **fields) -> dict:
    body = {"service_at_location": str(offer.id), "needs": ["emergency-shelter"], "urgency": "urgent"}
    body.update(fields)
    return body


def consent_body(days: int = 30) -> dict:
    return {"purpose": "intake call", "expires_at": (timezone.now() + timedelta(days=days)).isoformat()}


@pytest.fixture
def send(as_user, offer):
    """Send a referral through the API as a user; return the response."""

    def send_as(user, key: str | None = None, **fields):
        return as_user(user).post(
            "/api/referrals/",
            referral_body(offer, **fields),
            format="json",
            HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
        )

    return send_as


@pytest.fixture
def referral_code(people, send):
    """Return the code of a referral the hotline persona sent to the provider persona's organization."""
    response = send(
        people["sender"],
        note="Arrives by bus at 6 pm",
        client_contact={"name": "Maria Example", "phone": "713-555-0199", "preferred_language": "es"},
        consent=consent_body(),
    )
    assert response.status_code == 201, response.data
    return response.data["code"]


@pytest.fixture
def act(as_user):
    """Take a lifecycle action through the API; return the response."""

    def act_as(user, code: str, action: str, **body):
        return as_user(user).post(f"/api/referrals/{code}/{action}/", body, format="json")

    return act_as

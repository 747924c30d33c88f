"""Shared fixtures: API clients for each persona (docs/privacy.md, Roles), against the real PostGIS database."""

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from tests import factories

pytest_plugins = ["tests.sends.fixtures", "tests.coveragemap.fixtures"]


@pytest.fixture
def api():
    """Return an anonymous API client."""
    return APIClient()


@pytest.fixture
def provider_org(db):
    return factories.organization(name="Own Shelter Org")


@pytest.fixture
def other_org(db):
    return factories.organization(name="Other Org")


@pytest.fixture
def personas(db, provider_org):
    """Return users for every role, plus a provider of another organization."""
    other = factories.organization(name="Another Provider Org")
    return {
        "hotline": factories.user(Role.HOTLINE),
        "specialist": factories.user(Role.SPECIALIST),
        "moderator": factories.user(Role.MODERATOR),
        "provider": factories.user(Role.PROVIDER, organization=provider_org),
        "other_provider": factories.user(Role.PROVIDER, organization=other),
    }


@pytest.fixture
def client_for(personas):
    """Return a function giving an API client authenticated as a persona (None = anonymous)."""

    def make(name: str | None) -> APIClient:
        client = APIClient()
        if name is not None:
            client.force_authenticate(personas[name])
        return client

    return make


@pytest.fixture(autouse=True)
def two_factor_optional(settings):
    """Personas sign in with force_login and tokens, which the default two-factor requirement (hotline,
    specialist, moderator, admin) would refuse; tests of the requirement set the roles themselves, and
    tests/accounts/test_sign_in.py checks the default."""
    settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    """Each test reads the vocabularies afresh: a code another test added was rolled back without a signal, and
    the process's copy (providers/vocabulary.py) would still hold it."""
    from providers import vocabulary

    vocabulary.forget()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords with a fast hasher: argon2 is deliberately slow, and tests create many users.
    Production hashing (argon2) is checked in tests/accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def production_password_hashing(settings):
    """Put back the configured (argon2) hashers for tests about password storage."""
    from config import settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def migration_data_in_transactional_tests(request):
    """Give transactional tests the rows the migrations load (roles, needs, populations, languages).

    Transactional tests end with a flush that empties every table; instead of serializing the whole test
    database to restore it (observed to be unreliable after live-server tests), the migrations' own loaders
    run again when the rows are missing.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps

    from providers.models import NeedTerm

    if not NeedTerm.objects.exists():
        importlib.import_module("providers.migrations.0002_vocabularies").load(apps, None)
        importlib.import_module("providers.migrations.0007_search_words").fill(apps, None)
    importlib.import_module("accounts.migrations.0003_role_groups").create_groups(apps, None)

"""API fuzzing: schemathesis generates requests for every operation in /api/schema/ (under /api/ and /hsds/) and
sends them, as each role (anonymous, hotline, specialist, provider staff, moderator), to the app in-process and
the real database, with a small seeded registry so that some ids name real rows. No answer may be a server
error, and every answer must match the schema (body and content type). A 429 is an answer like any other, but
rate limits are lifted here so they do not hide everything behind them.

The default budget is small so it runs in `make test` (about a minute here); a larger one is a command away:

    .venv/bin/pytest tests/fuzz                                         # 10 examples per operation and role
    FUZZ_MAX_EXAMPLES=100 FUZZ_COVERAGE=1 .venv/bin/pytest tests/fuzz   # thorough: ~10 minutes
    FUZZ_SEED=7 .venv/bin/pytest tests/fuzz                             # other inputs (the default seed is fixed)
    FUZZ_TRACE=/tmp/fuzz.txt .venv/bin/pytest tests/fuzz                # one line per request: operation, role, status

FUZZ_COVERAGE=1 adds schemathesis' coverage phase: boundary and invalid values of every parameter and methods
the operation does not allow. Runs are reproducible: the seed is fixed and Hypothesis is derandomized, with no
example database.
"""

import json
import os
import uuid
from datetime import time

import pytest
import schemathesis
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from accounts.roles import Role
from hsds.models import TaxonomyMapping
from providers import services as provider_services
from providers.models import NeedTerm, VictimAssistanceSpecialist
from referrals import services as referral_services
from stewardship.merge import organizations_merge
from stewardship.models import DuplicateCandidate
from tests import factories

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
SEED = int(os.environ.get("FUZZ_SEED", "20260310"))
ROLES = ["anonymous", "hotline", "specialist", "provider", "moderator"]
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        # Requests hit the database; Hypothesis' speed and fixture health checks do not apply here.
        "suppress-health-check": ["all"],
        # The security schemes' headers are ours to send (each role's token); generated ones would only be 401s.
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "with-security-parameters": False,
        },
        "phases": {
            "stateful": {"enabled": False},
            "coverage": {"enabled": os.environ.get("FUZZ_COVERAGE", "") == "1"},
        },
    }
)


def served_schema() -> dict:
    """Return the document /api/schema/ serves, built in-process by the same generator and renderer.

    Not fetched through the app: the request would count against the anonymous rate limit, whose counters
    live in the database, and there is no database while pytest collects tests.
    """
    generator = SchemaGenerator()
    return json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG).include(path_regex=r"^/(api|hsds)/")
# The WSGI app in-process; not config.wsgi, whose statement limit would then hold for the whole test run.
schema.app = get_wsgi_application()

# Real rows of the current test, so that some generated ids and codes name something that exists.
# The seed fixture fills it; the hooks below read it when Hypothesis draws (after the fixture ran).
REAL: dict[str, list[str]] = {}
# Path parameter values per path prefix: which kind of row the operation's {id} or {code} names.
PATH_KINDS = {
    "/api/applications/": "application",
    "/api/change-requests/": "change_request",
    "/api/languages/": "language",
    "/api/locations/": "location",
    "/api/organizations/": "organization",
    "/api/phones/": "phone",
    "/api/populations/": "population",
    "/api/referrals/": "referral",
    "/api/services/": "service",
    "/api/specialists/": "specialist",
    "/api/suggestions/": "suggestion",
    "/api/taxonomy-mappings/": "taxonomy_mapping",
    "/api/taxonomy/": "need",
    "/api/duplicates/": "duplicate",
    "/api/merges/": "merge",
    "/hsds/organizations/": "organization",
    "/hsds/services/": "service",
}
# Query and body fields (at any depth), by name, and the kind of real value to put in them: rows of this test,
# and places and codes the app knows (without them nearly every match, geocode, application or referral
# request is a 400). One draw puts the same index into every field, so the address fields agree.
FIELD_KINDS = {
    "service_at_location": "offer",
    "organization": "organization",
    "record_id": "any_record",
    "near": "place",
    "q": "place",
    "needs": "needs",
    "need": "needs",
    "language": "languages",
    "languages": "languages",
    "populations": "populations",
    "city": "city",
    "state_province": "state",
    "postal_code": "zip",
}
KNOWN_VALUES = {
    "place": ["Houston, TX", "77002", "29.80,-95.40"],
    "needs": [["emergency-shelter"], ["t-visa", "u-visa"], ["emergency-shelter", "legal"]],
    "languages": [["es"], ["en", "es"], ["vi"]],
    "populations": [["women"], ["minors"], ["labor-trafficking"]],
    "city": ["Houston", "Houston", "Denver"],
    "state": ["TX", "TX", "CO"],
    "zip": ["77002", "77080", "80202"],
}


def _kind_for(path: str) -> str | None:
    return next((kind for prefix, kind in PATH_KINDS.items() if path.startswith(prefix)), None)


def _real(kind: str, index: int, generated):
    """Return one of the current test's values of a kind (by index, wrapping), shaped like the generated value
    (a list, or a comma-separated string); the generated value itself outside a test.

    Looked up when Hypothesis draws, not when the strategy is built: rows are new in every test, and the
    examples phase builds its cases at collection, before there are any.
    """
    values = REAL.get(kind)
    if not values:
        return generated
    value = values[index % len(values)]
    if isinstance(value, list) and isinstance(generated, str):
        return ",".join(value)
    if isinstance(generated, list) and not isinstance(value, list):
        return [value]
    return value


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, name a real row in the path instead of a generated id."""
    kind = _kind_for(context.operation.path)
    if not path_parameters or kind is None:
        return st.just(path_parameters)
    name, generated = next(iter(path_parameters.items()))
    real = st.integers(0, 7).map(lambda index: {**path_parameters, name: _real(kind, index, generated)})
    return st.one_of(st.just(path_parameters), real)


def _substitute(value, index: int):
    """Return the value with every field FIELD_KINDS knows, at any depth, set to real value number `index`."""
    if isinstance(value, list):
        return [_substitute(item, index) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        # A known name holding an object (an application's "organization") is walked into, not replaced.
        key: _real(FIELD_KINDS[key], index, item)
        if key in FIELD_KINDS and not isinstance(item, dict)
        else _substitute(item, index)
        for key, item in value.items()
    }


def _with_real_fields(values):
    """Half the time, put real values into the fields FIELD_KINDS knows (ids of rows, places, codes)."""
    if not isinstance(values, dict | list):
        return st.just(values)
    return st.one_of(st.just(values), st.integers(0, 5).map(lambda index: _substitute(values, index)))


@schema.hook
def flatmap_query(context, query):
    return _with_real_fields(query)


@schema.hook
def flatmap_body(context, body):
    return _with_real_fields(body)


@pytest.fixture
def unthrottled(monkeypatch):
    """Let the fuzzer through rate limits: every scope, including any added later, gets a rate no run reaches.
    DRF's rate throttles read their rates from this class attribute (copied from the settings at import), so
    overriding the setting alone would not reach them. A 429 would still pass the checks: it is an answer,
    not a server error."""

    class Unlimited(dict):
        def __getitem__(self, scope):
            return "1000000/second"

        def __contains__(self, scope):
            return True

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", Unlimited())


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection across requests. Django's WSGI handler closes connections it
    considers obsolete at the end of each request, and one inside the test's transaction counts as obsolete;
    Django's own test client disconnects the same handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def registry(django_db_setup, django_db_blocker):
    """Seed a small, realistic registry once for the module; return an API token per role (None: anonymous).

    Seeding for each of the hundreds of tests took as long as the requests. The rows live in a transaction
    rolled back after the module; each test runs in a savepoint inside it (pytest-django's `db`), so what one
    test's requests change, the next test does not see.
    """
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        tokens = _seed()
        yield tokens
        transaction.set_rollback(True)
    REAL.clear()


@pytest.fixture
def tokens(registry, db, unthrottled, in_process_requests, settings):
    """Return an API token per role (None for anonymous), with the seeded registry in place."""
    settings.GEOCODER = "gazetteer"  # offline
    return registry


def _seed() -> dict[str, str | None]:
    """Create organizations, services, locations, users of every role and the rows moderators and referral
    parties act on; record their ids in REAL; return a token per role."""
    own = factories.organization(name="Harbor House", email="intake@harbor.example.org")
    other = factories.organization(name="Lighthouse Legal", email="help@lighthouse.example.org")
    shelter = factories.service(own, needs=("emergency-shelter",), populations=("women",), languages=("en", "es"))
    legal = factories.service(other, needs=("t-visa", "u-visa"), name="Immigration legal help")
    safe_house = factories.location(own, name="Safe House", is_confidential=True, latitude=29.80, longitude=-95.40)
    factories.address(safe_house, address_1="12 Hidden Way", postal_code="77080")
    office = factories.location(other, name="Lighthouse Office", latitude=32.78, longitude=-96.80)
    hotline = factories.location(
        other, name="Lighthouse Hotline", location_type="virtual", latitude=None, longitude=None
    )
    factories.address(office, address_1="1 Main St", city="Dallas", postal_code="75201")
    offers = [factories.offer(shelter, safe_house), factories.offer(legal, office), factories.offer(legal, hotline)]
    phone = factories.phone(organization=own, number="+17135550142")
    factories.schedule(safe_house, 1, time(9), time(17))  # ISO weekday: Monday

    users = {
        "hotline": factories.user(Role.HOTLINE),
        "specialist": factories.user(Role.SPECIALIST),
        "provider": factories.user(Role.PROVIDER, organization=own),
        "moderator": factories.user(Role.MODERATOR),
    }
    specialist = VictimAssistanceSpecialist.objects.create(
        name="Texas VAS",
        hsi_office="HSI Houston",
        phone="+17135550133",
        coverage_area=MultiPolygon(Polygon.from_bbox((-106.6, 25.8, -93.5, 36.5)), srid=4326),
        user=users["specialist"],
    )
    referral, _ = referral_services.referral_create(
        sender=users["hotline"],
        service_at_location=offers[0],
        needs=NeedTerm.objects.filter(code="emergency-shelter"),
        urgency="urgent",
        idempotency_key=str(uuid.uuid4()),
        request_hash="seed",
    )
    # The provider's own organization receives one referral and sends another.
    sent, _ = referral_services.referral_create(
        sender=users["provider"],
        service_at_location=offers[1],
        needs=NeedTerm.objects.filter(code="t-visa"),
        idempotency_key=str(uuid.uuid4()),
        request_hash="seed",
    )
    change = provider_services.listing_edit(user=users["provider"], instance=own, values={"name": "Harbor Home"})
    suggestion = provider_services.suggestion_create(
        record_type="location", record_id=office.id, message="The office moved to 2 Main St."
    )
    application = provider_services.application_submit(
        details={
            "contact_name": "Dana Director",
            "contact_email": "dana@beacon.example",
            "organization": {"name": "Beacon Shelter", "description": "Shelter.", "email": "intake@beacon.example"},
            "locations": [],
            "services": [{"name": "Emergency shelter", "needs": ["emergency-shelter"]}],
        }
    )
    mapping = TaxonomyMapping.objects.create(taxonomy="linksf", code="medical", name="Medical care")
    # A pair in the duplicate queue, and an organization merged into another (its id answers with a pointer).
    twin_a, twin_b, gone = (factories.organization(name=f"Twin {n}") for n in "ABC")
    pair = DuplicateCandidate.objects.create(
        kind="organization",
        first_id=min(twin_a.pk, twin_b.pk),
        second_id=max(twin_a.pk, twin_b.pk),
        score=0.95,
        found_at=timezone.now(),
    )
    merged = organizations_merge(kept_id=twin_a.pk, merged_id=gone.pk, user=users["moderator"])
    # And a pair of services and one of sites (a confidential one among them), each side of its own shape.
    offer_pairs = [
        DuplicateCandidate.objects.create(kind=kind, first_id=min(a.pk, b.pk), second_id=max(a.pk, b.pk), score=0.7,
                                          found_at=timezone.now())
        for kind, a, b in (("service", shelter, legal), ("location", safe_house, office))
    ]  # fmt: skip

    REAL.clear()
    REAL.update(
        {
            "organization": [str(own.id), str(other.id), str(gone.id)],
            "duplicate": [str(pair.id)] + [str(offer_pair.id) for offer_pair in offer_pairs],
            "merge": [str(merged.id)],
            "service": [str(shelter.id), str(legal.id)],
            "location": [str(safe_house.id), str(office.id), str(hotline.id)],
            "offer": [str(offer.id) for offer in offers],
            "phone": [str(phone.id)],
            "any_record": [str(own.id), str(shelter.id), str(office.id), str(phone.id)],
            "specialist": [str(specialist.id)],
            "referral": [referral.code, sent.code],
            "change_request": [str(change.change_request.id)],
            "suggestion": [str(suggestion.id)],
            "application": [str(application.id)],
            "taxonomy_mapping": [str(mapping.id)],
            "need": ["emergency-shelter", "legal"],
            "population": ["women", "minors"],
            "language": ["es", "en"],
            **KNOWN_VALUES,
        }
    )
    tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    return {"anonymous": None, **tokens}


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
def test_api_answers_within_its_schema(case, role, tokens):
    """No server error, and the answer matches the operation's documented response and content type."""
    headers = {"Authorization": f"Token {tokens[role]}"} if tokens[role] else {}
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    if os.environ.get("FUZZ_TRACE"):
        with open(os.environ["FUZZ_TRACE"], "a") as trace:
            trace.write(f"{case.method} {case.operation.path} {role} {response.status_code} {case.formatted_path}\n")

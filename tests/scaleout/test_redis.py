"""With REDIS_URL set, what is ephemeral lives in Redis: an anonymous search or match writes nothing to PostgreSQL,
rate limits and sign-in lockouts are counted in Redis, sessions stay in PostgreSQL, and with Redis stopped the
directory keeps answering (limits not applied until it is back)."""

import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import RateCounter
from core import throttles
from tests import factories
from tests.scaleout.conftest import redis_stopped, wait_until_replayed

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|COPY|TRUNCATE|MERGE)\b", re.IGNORECASE)
MATCH = {"near": "77002", "needs": ["emergency-shelter"], "radius_mi": 20}


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**rates):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates})

    return set_rates


def writes_during(call) -> list[str]:
    """Every statement that writes, on any database, while `call` runs."""
    contexts = [CaptureQueriesContext(connections[alias]) for alias in settings.DATABASES]
    for context in contexts:
        context.__enter__()
    try:
        response = call()
    finally:
        for context in contexts:
            context.__exit__(None, None, None)
    assert response.status_code == 200, response.status_code
    return [q["sql"] for context in contexts for q in context.captured_queries if WRITES.match(q["sql"] or "")]


def test_an_anonymous_search_and_match_write_nothing_to_postgresql(api, provider_org, settings):
    site = factories.location(provider_org, name="Harbor House")
    factories.offer(factories.service(provider_org, needs=("emergency-shelter",)), site)
    wait_until_replayed()

    assert writes_during(lambda: api.post("/api/match/", MATCH, format="json")) == []
    assert writes_during(lambda: api.get("/api/locations/", {"near": "77002", "need": "emergency-shelter"})) == []
    # Without Redis the same request counts its rate limit in PostgreSQL: what the test above would have seen.
    settings.REDIS_URL = ""
    assert any("accounts_rate_counter" in sql for sql in writes_during(lambda: api.get("/api/locations/")))


@time_machine.travel("2026-12-07 12:00:05Z", tick=False)  # within one minute's window
def test_rate_limits_are_counted_in_redis(api, rates):
    rates(anon="3/minute")
    statuses = [api.get("/api/languages/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    counted = get_redis_connection("default").keys("directory:rate:*")
    assert counted and not RateCounter.objects.exists()


def test_lockouts_are_counted_in_redis_and_sessions_stay_in_postgresql(client, personas):
    from axes.models import AccessAttempt

    username = personas["hotline"].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": username, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": username, "password": factories.TEST_PASSWORD})
    assert locked.status_code == 429 and not AccessAttempt.objects.exists()

    client.post("/accounts/login/", {"username": personas["specialist"].username, "password": factories.TEST_PASSWORD})
    assert Session.objects.exists()


@time_machine.travel("2026-12-07 12:00:05Z", tick=False)
def test_with_redis_stopped_the_directory_keeps_answering(api, rates, monkeypatch):
    monkeypatch.setattr(throttles, "REDIS_RETRY_AFTER_S", 0)  # ask Redis again at once once it is back
    rates(anon="2/minute")
    with redis_stopped():
        statuses = [api.get("/api/languages/").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]  # the limit is not applied while Redis is away (fails open)
    assert [api.get("/api/languages/").status_code for _ in range(3)] == [200, 200, 429]


def test_with_redis_stopped_a_wrong_password_is_refused_not_a_500(client, api, personas):
    """django-axes counts failures in the cache; with Redis away its counts are not kept (fails open), and a
    wrong password is answered as ever."""
    username = personas["hotline"].username
    with redis_stopped():
        page = client.post("/accounts/login/", {"username": username, "password": "wrong"})
        assert page.status_code == 200 and b"password" in page.content.lower()
        token = api.post("/api/auth/token/", {"username": username, "password": "wrong"}, format="json")
        assert token.status_code in (400, 401), token.status_code
        signed_in = client.post("/accounts/login/", {"username": username, "password": factories.TEST_PASSWORD})
        assert signed_in.status_code == 302

"""With REDIS_URL set, what is ephemeral lives in Redis: an anonymous search or match writes nothing to PostgreSQL,
rate limits and sign-in lockouts are counted in Redis, sessions stay in PostgreSQL, and with Redis stopped the
directory keeps answering (limits not applied until it is back)."""

import re
import subprocess

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connections
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import SimpleRateThrottle

from core import throttles
from tests import factories
from tests.scaleout.conftest import wait_until_replayed

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
    port = re.search(r":(\d+)/", settings.REDIS_URL).group(1)
    subprocess.run(["redis-cli", "-p", port, "shutdown", "nosave"], check=False, capture_output=True)
    try:
        statuses = [api.get("/api/languages/").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]  # the limit is not applied while Redis is away (fails open)
    finally:
        subprocess.run(["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--daemonize", "yes"], check=True)  # fmt: skip
    import time

    for _ in range(50):
        if subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    assert [api.get("/api/languages/").status_code for _ in range(3)] == [200, 200, 429]

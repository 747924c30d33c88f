"""Read replicas (core/routing.py) against a real streaming standby: which database served which request, a caller
who wrote reads from the primary, a lagging or stopped standby is skipped, and its answers are the primary's."""

import subprocess
import time
from contextlib import contextmanager

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import DatabaseError, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core import routing
from geo.models import Boundary
from matching.models import UnmetNeedCount
from matching.taxonomy import vocabulary
from tests import factories
from tests.scaleout.conftest import REPLICA, redis_stopped, registry_reads, standby_sql, wait_until_replayed

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
MATCH = {"near": "29.76,-95.37", "needs": ["emergency-shelter"], "radius_mi": 20}


@pytest.fixture
def listed(provider_org):
    service = factories.service(provider_org, name="Harbor Shelter", needs=("emergency-shelter",))
    site = factories.location(provider_org, name="Harbor House", beds_total=10, beds_available=4)
    factories.address(site, postal_code="77002")
    factories.offer(service, site)
    wait_until_replayed()
    vocabulary()  # the needs, read once per process from the primary (matching/taxonomy.py)
    return site


def served(call) -> dict[str, int]:
    """The registry's reads each database did for one request."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = call()
    assert response.status_code < 400, (response.status_code, getattr(response, "data", None))
    return {"primary": registry_reads(primary.captured_queries), "replica": registry_reads(replica.captured_queries)}


def test_search_matching_the_hsds_api_and_listing_pages_read_from_the_replica(api, client, listed):
    for call in (
        lambda: api.get("/api/locations/", {"near": "77002"}),
        lambda: api.post("/api/match/", MATCH, format="json"),
        lambda: api.get("/api/match/", {**MATCH, "needs": "emergency-shelter", "q": "harbor"}),
        lambda: api.get("/api/suggest/", {"q": "harb"}),
        lambda: api.get("/hsds/services"),
        lambda: client.get(f"/listings/{listed.pk}/"),
    ):
        reads = served(call)
        assert reads["replica"] > 0 and reads["primary"] == 0, reads


def test_a_match_the_replica_answers_counts_its_unmet_need_on_the_primary(api, listed):
    harris = MultiPolygon(Polygon.from_bbox((-96.0, 29.0, -95.0, 30.0)), srid=4326)
    Boundary.objects.create(kind="county", fips="48201", name="Harris", state_code="TX", geometry=harris)
    wait_until_replayed()

    reads = served(lambda: api.post("/api/match/", {**MATCH, "needs": ["t-visa"]}, format="json"))

    assert reads["replica"] > 0 and reads["primary"] == 0, reads  # (the count is a write, not a read)
    assert list(UnmetNeedCount.objects.values_list("county_fips", "requests")) == [("48201", 1)]


def test_what_is_not_marked_for_replicas_reads_the_primary(client_for, listed):
    factories.organization(name="Waiting for review")
    moderator = client_for("moderator")
    for url in ("/api/change-requests/", "/api/applications/", "/api/referrals/"):
        reads = served(lambda url=url: moderator.get(url))
        assert reads["replica"] == 0, url
    reads = served(lambda: moderator.get("/api/applications/"))
    assert reads["primary"] > 0  # it read the registry, from the primary


def test_a_provider_who_set_beds_reads_them_back_from_the_primary(personas, provider_org, listed, client):
    client.force_login(personas["provider"])
    standby_sql("SELECT pg_wal_replay_pause()")  # the replica will not see the change
    try:
        changed = client.patch(f"/api/locations/{listed.pk}/capacity/", {"beds_available": 0},
                               content_type="application/json")  # fmt: skip
        assert changed.status_code == 200 and routing.PIN_COOKIE in changed.cookies

        reads = served(lambda: client.get(f"/api/locations/{listed.pk}/"))
        assert reads == {"primary": reads["primary"], "replica": 0} and reads["primary"] > 0
        assert client.get(f"/api/locations/{listed.pk}/").json()["properties"]["beds_available"] == 0
    finally:
        standby_sql("SELECT pg_wal_replay_resume()")


def test_a_token_client_who_wrote_reads_from_the_primary_too(personas, listed):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=personas["provider"]).key
    wait_until_replayed()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert served(lambda: client.get(f"/api/locations/{listed.pk}/"))["replica"] > 0
    changed = client.patch(f"/api/locations/{listed.pk}/capacity/", {"beds_available": 1}, format="json")
    assert changed.status_code == 200
    client.cookies.clear()  # a token client keeps no cookie: the pin is found by its Authorization header
    assert served(lambda: client.get(f"/api/locations/{listed.pk}/"))["replica"] == 0


def test_a_replica_lagging_past_the_limit_is_skipped(api, listed, settings):
    settings.REPLICA_MAX_LAG_S = 0.2
    standby_sql("SELECT pg_wal_replay_pause()")
    try:
        factories.organization(name="Written after the pause")  # the primary moves on; the standby does not
        time.sleep(0.5)
        assert routing.replica_lag(REPLICA, routing.primary_position()) > 0.2
        reads = served(lambda: api.get("/api/locations/", {"near": "77002"}))
        assert reads["replica"] == 0 and reads["primary"] > 0
    finally:
        standby_sql("SELECT pg_wal_replay_resume()")
    wait_until_replayed()
    settings.REPLICA_MAX_LAG_S = 10
    routing.forget_health()
    assert served(lambda: api.get("/api/locations/", {"near": "77002"}))["replica"] > 0


def differing(page: dict, other: dict) -> dict:
    """The properties of the first feature that differ between two pages (the message of a failed comparison)."""
    if len(page["features"]) != len(other["features"]) or not page["features"]:
        return {"features": (len(page["features"]), len(other["features"]))}
    ours, theirs = page["features"][0], other["features"][0]
    found = {key: (ours[key], theirs[key]) for key in ("id", "geometry") if ours[key] != theirs[key]}
    ours, theirs = ours["properties"], theirs["properties"]
    return found | {key: (ours.get(key), theirs.get(key)) for key in ours.keys() | theirs.keys()
                    if ours.get(key) != theirs.get(key)}  # fmt: skip


def wait_until_healthy(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        routing.forget_health()
        if routing.healthy_replica() == REPLICA:
            return
        time.sleep(0.2)
    raise AssertionError("the standby did not come back")


@contextmanager
def standby_stopped():
    subprocess.run(["pg_ctlcluster", "15", "rigstandby", "stop", "-m", "fast"], check=True)
    try:
        yield
    finally:
        subprocess.run(["pg_ctlcluster", "15", "rigstandby", "start"], check=True)
        connections[REPLICA].close()
        wait_until_healthy()


def test_a_stopped_replica_is_skipped_at_its_check_and_the_answer_is_the_same(api, listed):
    before = api.get("/api/locations/", {"near": "77002"}).json()
    with standby_stopped():
        routing.forget_health()
        response = api.get("/api/locations/", {"near": "77002"})
        assert response.status_code == 200
        assert response.json() == before, differing(response.json(), before)
        assert routing.healthy_replica() is None


def test_a_replica_that_stops_between_checks_is_answered_around(api, listed, settings):
    """Checked healthy a moment ago, then stopped: the request that meets it answers from the primary (it only
    reads), and the replica is skipped from then on."""
    settings.REPLICA_CHECK_EVERY_S = 3600
    before = api.get("/api/locations/", {"near": "77002"})
    assert before.status_code == 200 and routing.healthy_replica() == REPLICA
    with standby_stopped():
        response = api.get("/api/locations/", {"near": "77002"})
        assert response.status_code == 200 and response.json() == before.json()
        assert routing.healthy_replica() is None  # marked by the failure, without waiting for its next check
        page = api.get(f"/api/locations/{listed.pk}/")
        assert page.status_code == 200


def test_with_the_primary_down_anonymous_reads_are_answered_from_the_replica(api, listed):
    """Nothing commits while the primary is down, so a replica healthy at its last check is as current as it was:
    anonymous search and matching keep answering (the load benchmark's primary restart found them failing)."""
    before = api.get("/api/locations/", {"near": "77002"})
    matched = api.post("/api/match/", MATCH, format="json")
    assert before.status_code == 200 and matched.status_code == 200 and routing.healthy_replica() == REPLICA
    subprocess.run(["pg_ctlcluster", "15", "rigprimary", "stop", "-m", "fast"], check=True)
    try:
        assert routing.primary_position() is None
        response = api.get("/api/locations/", {"near": "77002"})
        assert response.status_code == 200 and response.json() == before.json()
        again = api.post("/api/match/", MATCH, format="json")
        assert again.status_code == 200 and again.json()["results"] == matched.json()["results"]
        # A need met nowhere near: its count is lost, never the answer.
        assert api.post("/api/match/", {**MATCH, "needs": ["t-visa"]}, format="json").status_code == 200
        # A signed-in client needs the primary (its token is there): a 503, which does not take the replica out.
        token_client = APIClient(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
        assert token_client.get("/api/locations/", {"near": "77002"}).status_code == 503
        assert api.get("/api/locations/", {"near": "77002"}).json() == before.json()
    finally:
        subprocess.run(["pg_ctlcluster", "15", "rigprimary", "start"], check=True)
        connections.close_all()
        wait_until_healthy()


def test_a_token_client_who_wrote_reads_from_the_primary_while_redis_is_down(personas, listed):
    """The token's pin is a cache entry: when Redis cannot say, the primary (the safe side)."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=personas["provider"])
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert served(lambda: client.get(f"/api/locations/{listed.pk}/"))["replica"] > 0
    with redis_stopped():
        assert served(lambda: client.get(f"/api/locations/{listed.pk}/"))["replica"] == 0


def test_an_error_of_the_query_does_not_take_the_replica_out(api, listed):
    response = api.get("/api/locations/", {"near": "77002", "q": "shelter"})
    assert response.status_code == 200 and routing.healthy_replica() == REPLICA
    with connections[REPLICA].cursor() as cursor:
        try:
            cursor.execute("SELECT 1/0")
        except DatabaseError as exc:  # the division's DataError, as a request's query would raise it
            routing._READS.set(REPLICA)
            try:
                assert routing.replica_failed(exc) is False
            finally:
                routing._READS.set(routing.PRIMARY)
    assert routing.healthy_replica() == REPLICA


def test_with_the_primary_unreachable_longer_than_the_lag_limit_the_replica_is_skipped(api, listed, settings):
    """Another app server may still reach the primary and write: a verdict is kept at most REPLICA_MAX_LAG_S."""
    settings.REPLICA_MAX_LAG_S = 0.5
    assert routing.healthy_replica() == REPLICA
    subprocess.run(["pg_ctlcluster", "15", "rigprimary", "stop", "-m", "fast"], check=True)
    try:
        assert routing.is_healthy(REPLICA)
        time.sleep(0.6)
        assert not routing.is_healthy(REPLICA)
    finally:
        subprocess.run(["pg_ctlcluster", "15", "rigprimary", "start"], check=True)
        connections.close_all()
        settings.REPLICA_MAX_LAG_S = 10
        wait_until_healthy()

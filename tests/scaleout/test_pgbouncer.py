"""PgBouncer in transaction mode in front of the primary (the rig's, Debian's pgbouncer 1.18): with
DATABASE_POOLER_TRANSACTION_MODE the app runs its search, matching and a referral through it, with the answers it
gives on a direct connection."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections
from rest_framework.test import APIClient

from tests import factories
from tests.scaleout.conftest import wait_until_replayed

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
MATCH = {"near": "29.76,-95.37", "needs": ["emergency-shelter"], "radius_mi": 30}
THROUGH_PGBOUNCER = """
import json
from accounts.models import User
from rest_framework.test import APIClient
from providers.models import ServiceAtLocation
anonymous, hotline = APIClient(), APIClient()
hotline.force_authenticate(User.objects.get(username=USERNAME))
match = anonymous.post("/api/match/", MATCH, format="json")
search = anonymous.get("/api/locations/", {"q": "harbor", "near": "77002"})
offer = ServiceAtLocation.objects.get(service__name="Harbor Shelter")
referral = hotline.post("/api/referrals/", {"service_at_location": str(offer.pk), "needs": ["emergency-shelter"]},
                        format="json", HTTP_IDEMPOTENCY_KEY="through-pgbouncer")
print(json.dumps({"match": [match.status_code, [r["service_at_location_id"] for r in match.json()["results"]]],
                  "search": [search.status_code, [f["id"] for f in search.json()["features"]]],
                  "referral": referral.status_code}))
"""


def pgbouncer_admin(command: str) -> str:
    """Run a command on PgBouncer's admin console."""
    port = os.environ["RIG_PGBOUNCER_URL"].rsplit(":", 1)[1].split("/")[0]
    return subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "pgbouncer", "-tAF,",
                           "-c", command], check=True, capture_output=True, text=True).stdout  # fmt: skip


def pgbouncer_stats(database: str) -> int:
    """Transactions PgBouncer has carried to this database so far (its admin console's SHOW STATS)."""
    rows = [line.split(",") for line in pgbouncer_admin("SHOW STATS").splitlines() if line]
    return sum(int(row[1]) for row in rows if row[0] == database)


@pytest.fixture
def harbor(provider_org):
    service = factories.service(provider_org, name="Harbor Shelter", needs=("emergency-shelter",))
    site = factories.location(provider_org, name="Harbor House")
    factories.address(site, postal_code="77002")
    factories.offer(service, site)
    other = factories.location(provider_org, name="Second House", latitude=29.8, longitude=-95.4)
    factories.offer(factories.service(provider_org, name="Bayou Shelter", needs=("emergency-shelter",)), other)
    wait_until_replayed()  # the direct match below reads from the standby


def test_search_matching_and_a_referral_through_pgbouncer_answer_as_directly(harbor, personas):
    if "RIG_PGBOUNCER_URL" not in os.environ:
        pytest.skip("PgBouncer is started by scripts/replica_rig.sh (make test's scale-out pass)")
    database = connections["default"].settings_dict["NAME"]
    direct = APIClient().post("/api/match/", MATCH, format="json").json()["results"]
    before = pgbouncer_stats(database)
    env = dict(
        os.environ, DATABASE_URL=os.environ["RIG_PGBOUNCER_URL"].rsplit("/", 1)[0] + f"/{database}",
        DATABASE_POOLER_TRANSACTION_MODE="1", DATABASE_CONN_MAX_AGE="0", DATABASE_REPLICA_URLS="",
        TWO_FACTOR_REQUIRED_ROLES="", LOG_LEVEL="WARNING",
    )  # fmt: skip
    script = THROUGH_PGBOUNCER.replace("USERNAME", repr(personas["hotline"].username)).replace("MATCH", repr(MATCH))
    try:
        result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=settings.BASE_DIR, env=env,
                                capture_output=True, text=True, timeout=120)  # fmt: skip
        after = pgbouncer_stats(database)
    finally:  # PgBouncer's server connections would keep the test database from being dropped
        pgbouncer_admin(f"KILL {database}")
        pgbouncer_admin(f"RESUME {database}")
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])

    assert answers["match"] == [200, [r["service_at_location_id"] for r in direct]] and len(direct) == 2
    assert answers["search"][0] == 200 and len(answers["search"][1]) == 1
    assert answers["referral"] == 201
    assert after > before  # it went through PgBouncer

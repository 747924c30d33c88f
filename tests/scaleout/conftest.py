"""The scale-out tests run against a real streaming standby and a real Redis: `make test` runs them in a second
pass (scripts/scaleout_tests.sh) with the rig of scripts/replica_rig.sh. Anywhere else they are skipped, saying so."""

import re
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connections

from core import routing

REPLICA = "replica_0"


def pytest_collection_modifyitems(config, items):
    if REPLICA in settings.DATABASES and settings.REDIS_URL:
        return
    skip = pytest.mark.skip(
        reason="needs a streaming standby and Redis: run by `make test`'s scale-out pass (scripts/scaleout_tests.sh, "
        "which starts them with scripts/replica_rig.sh)"
    )
    for item in items:
        if "tests/scaleout/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fresh_health_and_redis(settings):
    settings.REPLICA_CHECK_EVERY_S = 0  # every request checks the replicas again
    routing.forget_health()
    if settings.REDIS_URL:
        from django.core.cache import cache

        cache.clear()  # the rig's own Redis: counts and pins from an earlier test are not this one's
    yield
    routing.forget_health()


def standby_sql(sql: str) -> str:
    """Run SQL on the standby as the superuser (pausing replay needs one)."""
    replica = settings.DATABASES[REPLICA]
    return subprocess.run(
        ["psql", "-X", "-q", "-h", replica["HOST"], "-p", str(replica["PORT"]), "-U", "postgres", "-d", "postgres",
         "-tAc", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def wait_until_replayed(timeout: float = 10) -> None:
    """Wait until the standby has replayed everything the primary wrote so far. The rig's primary commits without
    waiting for its WAL to be written (synchronous_commit = off): its insert position, not its write position, is
    where the last commit ends (the write position can lag it by the WAL writer's delay)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the standby did not catch up")


def registry_reads(queries) -> int:
    """Statements that read the registry: by the tables they name, or matching's prepared statement (which the
    query log records without its text)."""
    # (Not the count of an unmet need, which a match writes on the primary: a write, not a read.)
    texts = [q["sql"] for q in queries if not (q["sql"] or "").startswith("INSERT INTO matching_unmetneedcount")]
    return sum(1 for sql in texts if sql is None or any(f"{app}_" in sql for app in ("providers", "matching", "geo",
                                                                                       "hsds")))  # fmt: skip


@contextmanager
def redis_stopped():
    """Stop the rig's Redis for the block, then start it again (empty) and wait until it answers."""
    port = re.search(r":(\d+)/", settings.REDIS_URL).group(1)
    subprocess.run(["redis-cli", "-p", port, "shutdown", "nosave"], check=False, capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                        "--daemonize", "yes"], check=True)  # fmt: skip
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)

"""make backup / make restore: a backup restored into a scratch database holds the same referrals and
listings (pg_dump/pg_restore run for real against PostgreSQL)."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from tests import factories
from tests.referrals.conftest import consent_body, referral_body

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
SCRATCH = "directory_restore_check"
TABLES = ("providers_organization", "providers_location", "referrals_referral", "referrals_clientcontact",
          "matching_matchcandidate")  # fmt: skip


def run(*args, database: str):
    db = settings.DATABASES["default"]
    url = f"postgis://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "scripts/db_backup.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def counts(dbname: str) -> dict:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=dbname
    ) as conn:
        found = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}  # noqa: S608
        found["codes"] = sorted(row[0] for row in conn.execute("SELECT code FROM referrals_referral"))
        return found


@pytest.fixture
def scratch_database():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        cursor.execute(f"CREATE DATABASE {SCRATCH} TEMPLATE {settings.DATABASES['default']['TEST']['TEMPLATE']}")
    yield SCRATCH
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")


def test_a_restored_backup_has_the_same_referrals_and_listings(personas, tmp_path, scratch_database):
    org = personas["provider"].organization
    service = factories.service(org, needs=("emergency-shelter",))
    offer = factories.offer(service, factories.location(org, is_confidential=True))
    hotline = APIClient()
    hotline.force_authenticate(personas["hotline"])
    for _ in range(2):
        body = {**referral_body(offer), "client_contact": {"name": "M"}, "consent": consent_body()}
        response = hotline.post("/api/referrals/", body, format="json", HTTP_IDEMPOTENCY_KEY=os.urandom(8).hex())
        assert response.status_code == 201
    live = settings.DATABASES["default"]["NAME"]
    path = tmp_path / "backup.dump"

    backup = run("backup", str(path), database=live)
    assert backup.returncode == 0, backup.stderr
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    restore = run("restore", str(path), database=scratch_database)
    assert restore.returncode == 0, restore.stderr

    restored = counts(scratch_database)
    assert restored == counts(live)
    assert restored["referrals_referral"] == 2 and restored["providers_location"] == 1

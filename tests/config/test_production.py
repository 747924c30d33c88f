"""Production posture: `check --deploy` is clean with production settings, and /healthz answers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def production_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="production-like-secret-" + "x7Kq9" * 12,
        DJANGO_ALLOWED_HOSTS="directory.example.org",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        **extra,
    )
    for name in ("DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the browser tests set the latter for themselves
        env.pop(name, None)
    return env


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed command, our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    env = production_env()
    env.pop(missing)

    result = manage("check", env=env)

    assert result.returncode != 0 and missing in result.stderr


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok", "database": True}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    from django.db.utils import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("core.health.connection.cursor", broken)

    response = client.get("/healthz")

    assert response.status_code == 503 and response.json()["database"] is False

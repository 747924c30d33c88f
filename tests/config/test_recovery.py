"""The served app (gunicorn, as `make serve` runs it) survives its database connections being cut, as happens
when PostgreSQL restarts or a pooler recycles connections: the next request reconnects instead of failing.

The full restart under load (PostgreSQL itself restarted while traffic runs) is bench/fault_restart.py; it
disrupts every session on the server, so it is a script to run on purpose, not part of `make test`.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own local server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def served_app():
    """gunicorn with one worker, production settings, on the test database; yields its base URL."""
    db = settings.DATABASES["default"]
    port = free_port()
    env = dict(
        os.environ,
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="recovery-test-" + "k3y" * 20,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=f"postgis://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        LOG_LEVEL="WARNING",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(  # noqa: S603 - fixed command
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def cut_app_connections() -> int:
    """Terminate every other session on the test database (the served app's); return how many."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_next_request_after_the_connection_is_cut_succeeds(served_app):
    assert get(f"{served_app}/healthz") == 200
    assert get(f"{served_app}/api/taxonomy/") == 200  # the worker now holds a persistent connection

    assert cut_app_connections() >= 1

    assert get(f"{served_app}/api/taxonomy/") == 200
    assert get(f"{served_app}/healthz") == 200


@pytest.mark.django_db
def test_an_api_call_while_the_database_is_unavailable_is_a_503_to_retry(client, monkeypatch):
    from django.db import OperationalError

    import matching.api

    def unavailable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(matching.api, "match", unavailable)

    response = client.get("/api/match/", {"near": "77002", "needs": "emergency-shelter"})

    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("The directory is briefly unavailable")

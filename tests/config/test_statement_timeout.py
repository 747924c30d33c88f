"""The web server's statements end after DATABASE_STATEMENT_TIMEOUT_MS; management commands have no such limit."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from config.settings import BASE_DIR

pytestmark = pytest.mark.django_db

SHOW = (
    "from django.db import connection; c = connection.cursor(); c.execute('SHOW statement_timeout'); "
    "print(c.fetchone()[0])"
)


def output(entry: str, **env) -> str:
    db = settings.DATABASES["default"]
    url = f"postgis://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    result = subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "-c", f"{entry}\n{SHOW}"], cwd=BASE_DIR, capture_output=True, text=True, check=True,
        env=dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING", **env),
    )  # fmt: skip
    return result.stdout.strip()


def timeout_seen(entry: str, **env) -> str:
    return output(entry, **env).splitlines()[-1]


def test_the_web_servers_connections_end_a_long_statement():
    assert timeout_seen("import config.wsgi") == "30s"
    assert timeout_seen("import config.asgi", DATABASE_STATEMENT_TIMEOUT_MS="1500") == "1500ms"
    sleep = (
        "from django.db import connection, OperationalError\n"
        "try:\n    connection.cursor().execute('SELECT pg_sleep(2)')\nexcept OperationalError as e:\n    print(e)"
    )
    assert "statement timeout" in output(f"import config.wsgi\n{sleep}", DATABASE_STATEMENT_TIMEOUT_MS="200")


def test_management_commands_and_a_pooler_in_transaction_mode_get_no_startup_limit():
    assert timeout_seen("import django; django.setup()") == "0"
    assert timeout_seen("import config.wsgi", DATABASE_POOLER_TRANSACTION_MODE="1") == "0"

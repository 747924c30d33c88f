"""A cursor for the few hot statements worth planning once per connection instead of once per request, and the
web server's limit on a statement's time."""

from contextlib import contextmanager

import psycopg
from django.conf import settings

from core.routing import read_connection


def limit_statement_time() -> None:
    """Give the web server's connections DATABASE_STATEMENT_TIMEOUT_MS as a startup option (before any is opened).

    Not behind a pooler in transaction mode, which refuses startup options: set it on the role there."""
    for database in settings.DATABASES.values():  # the primary and the replicas
        if settings.DATABASE_STATEMENT_TIMEOUT_MS and not database.get("DISABLE_SERVER_SIDE_CURSORS"):
            options = database.setdefault("OPTIONS", {})
            timeout = f"-c statement_timeout={settings.DATABASE_STATEMENT_TIMEOUT_MS}"
            options["options"] = f"{options.get('options', '')} {timeout}".strip()


@contextmanager
def prepared_cursor():
    """Yield a Django cursor whose statements PostgreSQL prepares, plans once and reuses.

    Django's own cursors bind parameters on the client, so nothing they run is ever prepared. Matching runs
    one large statement per request whose planning took as long as running it; this cursor binds parameters
    on the server, so psycopg prepares each statement text the first time a connection runs it
    (OPTIONS["prepare_threshold"] in config/settings.py) and later requests only execute it. Behind a pooler
    in transaction mode (DATABASE_POOLER_TRANSACTION_MODE) nothing is prepared and the statement is planned
    on every run, as before. Query logging and execute wrappers see it like any other statement.
    """
    connection = read_connection()  # the request's replica for the reads a replica may serve, else the primary
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = psycopg.Cursor(connection.connection)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor

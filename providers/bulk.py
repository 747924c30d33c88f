"""Bulk writes to the registry: COPY into a table and foreign keys checked once per load. The bulk loaders (the demo
data) write through these; the database keeps everything derived from the registry current by itself."""

from contextlib import contextmanager

from django.db import connection


def copy_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Write rows into a model's table with COPY (columns given as field attnames)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def copy_m2m(field, rows: list[tuple]) -> None:
    """Write (owner id, target id) pairs into a many-to-many table with COPY."""
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    copy_rows(through, [f"{source}_id" if not source.endswith("_id") else source, f"{target}_id"], rows)


@contextmanager
def foreign_keys_validated_after(models):
    """Drop the tables' foreign keys for a bulk load and add them back, validated in one pass per key.

    Row-by-row foreign-key checks made large loads slow at COMMIT (docs/benchmarks.md); re-adding a key
    checks all rows with one join. Runs inside the caller's transaction, so a failed load (or a row that
    breaks a key) rolls back the data and the dropped keys together.
    """
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Fire checks still pending from earlier in this transaction: ALTER TABLE refuses to run over them. Then
        # back to deferred at once, so that nothing the load queues (say, a deferred refresh) runs per statement.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")

"""The database schema the migrations build."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

# Indexes of one table with the same columns, operator classes, expressions and predicate.
DUPLICATE_INDEXES = """
    SELECT i.indrelid::regclass::text, array_agg(i.indexrelid::regclass::text ORDER BY i.indexrelid::regclass::text)
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = 'public'
    GROUP BY i.indrelid, i.indkey::text, i.indclass::text, i.indisunique,
             coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), '')
    HAVING count(*) > 1
"""


def test_no_table_has_the_same_index_twice():
    """A second copy of an index costs every insert and update (the match index is rewritten on every listing
    edit) and answers nothing the first does not."""
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATE_INDEXES)
        assert cursor.fetchall() == []

"""Every statement matching renders from matching/sql/, as PostgreSQL gets it, is kept in tests/matching/golden/:
a change to the SQL (or to what fills its markers: the eligibility rule, the columns of the index) shows in a
review's diff as the final text. After an intended change, regenerate them:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/matching/test_golden_sql.py
"""

import os
import re
from pathlib import Path

import pytest
from django.db import connection

from matching import index, statements, triggers
from matching.sqlfiles import compact

pytestmark = pytest.mark.django_db  # rendering the index's DDL asks the database backend how to quote it

GOLDEN = Path(__file__).with_name("golden")
NAMES = ["match_public_point.sql", "match_point.sql", "match_public_point_own_sites.sql", "beyond_public_point.sql",
         "beyond_point.sql", "candidates_public_point.sql", "maintenance.sql", "triggers.sql"]  # fmt: skip


def rendered() -> dict[str, str]:
    texts = {
        "match_public_point.sql": statements.match_statement("public_point", False),
        "match_point.sql": statements.match_statement("point", False),
        "match_public_point_own_sites.sql": statements.match_statement("public_point", True),
        "beyond_public_point.sql": statements.beyond_statement("public_point"),
        "beyond_point.sql": statements.beyond_statement("point"),
        "candidates_public_point.sql": statements.candidate_statement("public_point"),
        "maintenance.sql": index.maintenance_sql(),
    }
    trigger_sql = []
    for source in triggers.SOURCES:
        model = triggers.source_model(source)
        for trigger in triggers.source_triggers(source):
            # What each trigger runs (django-pgtrigger wraps it in a function and creates the trigger).
            trigger_sql.append(f"-- {model._meta.db_table}: {trigger.name}\n{trigger.func}\n")
    texts["triggers.sql"] = "\n".join(trigger_sql)
    return {name: text.rstrip() + "\n" for name, text in texts.items()}


@pytest.mark.parametrize("name", NAMES)
def test_the_rendered_sql_is_the_golden_copy(name):
    text = rendered()[name]
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden copy of {name}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{name} changed: review the diff, then run with UPDATE_GOLDEN=1"


def test_no_golden_copy_is_left_over():
    assert set(rendered()) == set(NAMES)
    assert {path.name for path in GOLDEN.glob("*.sql")} == set(NAMES)


def test_what_runs_is_the_golden_text_on_one_line():
    sql, _ = statements.match_sql(statements.MatchRequest(needs=("emergency-shelter",)), column="point", need_pairs=[])
    assert sql == compact((GOLDEN / "match_point.sql").read_text())
    assert "--" not in sql and "\n" not in sql


def test_the_database_runs_the_functions_of_this_code():
    """The maintenance functions are installed after every migrate from the same rendering."""
    bodies = dict(re.findall(r"FUNCTION (\w+)\(\).*?AS \$fn\$(.*?)\$fn\$", index.maintenance_sql(), re.S))
    assert set(bodies) == {"matching_pending_noted", "matching_flush", "matching_rebuild"}
    with connection.cursor() as cursor:
        for name, body in bodies.items():
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [name])
            assert cursor.fetchone() == (body,)

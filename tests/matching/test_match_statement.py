"""How matching reads the database: one prepared statement with a generic plan, and the one case that needs
a second statement (a need met in reach only by options that checks made after the statement leave out)."""

import re
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from matching.models import OfferCard
from tests import factories
from tests.matching.conftest import NEAR

pytestmark = pytest.mark.django_db

URL = "/api/match/"
MONDAY_NOON_HOUSTON = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def get(client, **params):
    params.setdefault("near", NEAR)
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


class Statements:
    """Record the statements that read a table, by default the match index (None: every statement; an execute
    wrapper sees the SQL as it was given)."""

    def __init__(self, table: str | None = "matching_matchcandidate"):
        self.table = table
        self.sql = []

    def __call__(self, execute, sql, params, many, context):
        if self.table is None or self.table in sql:
            self.sql.append(sql)
        return execute(sql, params, many, context)


def forget_prepared_statements():
    """Deallocate this connection's prepared statements, so the next request prepares its own afresh."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()  # psycopg's record of what it prepared, now deallocated


def test_a_need_met_in_reach_only_by_closed_options_names_the_nearest_open_one_beyond(api, make_offer):
    closed = make_offer(3, needs=["medical"])
    factories.schedule(closed.location, 1, time(20), time(22))  # Monday evenings only
    far_open = make_offer(120, needs=["medical"], org=factories.organization(name="Far Open Clinic"))
    factories.schedule(far_open.location, 1, time(8), time(18))
    far_closed_nearer = make_offer(100, needs=["medical"])
    factories.schedule(far_closed_nearer.location, 1, time(20), time(22))

    statements = Statements()
    with time_machine.travel(MONDAY_NOON_HOUSTON, tick=False), connection.execute_wrapper(statements):
        body = get(api, needs="medical", open_now="true")

    assert body["results"] == []
    (uncovered,) = body["coverage_plan"]["uncovered"]
    # The first statement saw a medical option in reach, so it named nothing beyond; the second one did.
    assert uncovered["nearest"]["service_at_location_id"] == str(far_open.pk)
    assert uncovered["message"].startswith("no medical care open now within 50 mi; nearest is Far Open Clinic")
    assert len(statements.sql) == 2


def test_a_need_nothing_in_reach_meets_is_answered_by_the_one_statement(api, make_offer):
    make_offer(3, needs=["medical"])
    far = make_offer(120, needs=["dental"])

    statements = Statements()
    with connection.execute_wrapper(statements):
        body = get(api, needs="medical,dental")

    assert body["coverage_plan"]["uncovered"][0]["nearest"]["service_at_location_id"] == str(far.pk)
    assert len(statements.sql) == 1


def test_the_statement_is_prepared_once_and_reused_with_its_generic_plan(api, make_offer):
    make_offer(3, needs=["medical"])
    forget_prepared_statements()

    for age in (10, 30, 50, 70):  # different parameters, one statement text
        get(api, needs="medical", age=age)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%matching_matchcandidate%"],
        )
        assert cursor.fetchall() == [(4, 0)]


@pytest.mark.skipif(
    settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"], reason="nothing is prepared behind a pooler"
)
@pytest.mark.parametrize(("persona", "index"), [(None, "match_need_cit_pub_point_gist"),
                                                ("hotline", "match_need_cit_point_gist")])  # fmt: skip
def test_the_walks_search_their_index_by_need_and_citizenship(client_for, make_offer, persona, index):
    """Citizenship is a key of the walks' GiST indexes (providers.eligibility.CITIZENSHIP_EXCLUDED): the walk
    must use it as an index condition, which prunes whole subtrees, not as a filter on rows already read (a
    condition whose type differs from the column's, say ::int on a smallint, silently becomes a filter).
    Anonymous callers walk the public points, hotline staff the exact ones."""
    make_offer(3, needs=["t-visa"], populations=["foreign-nationals"])
    forget_prepared_statements()
    with connection.cursor() as cursor:
        # The test registry is a few rows, which earlier tests' rebuilds may have told the planner (ANALYZE's
        # row counts outlive a rolled-back test): reading it whole, or all of a need's rows, would look cheaper.
        # At a real registry's size the walk is the cheapest plan; this test is about its index condition.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
    get(client_for(persona), needs="t-visa", citizenship="us_citizen_or_lpr")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, parameter_types FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%matching_matchcandidate%"])  # fmt: skip
        ((name, types),) = cursor.fetchall()
        cursor.execute(f"EXPLAIN EXECUTE {name}({', '.join(['NULL'] * len(types))})")  # the generic plan
        plan = [row[0].strip() for row in cursor.fetchall()]
    walks = [i for i, line in enumerate(plan) if f"Index Scan using {index} " in line]
    assert walks, "\n".join(plan)
    for walk in walks:
        condition = plan[walk + 1]
        assert re.match(r"Index Cond: \(\(need_id = q(_\d+)?\.need_id\) AND \(citizenship <> ", condition), plan
        assert re.search(r"citizenship <> \(?\$\d+\)?(::smallint)?\)", condition), plan
    assert not [line for line in plan if line.startswith("Filter:") and "citizenship <>" in line], plan


def test_unprepared_runs_give_the_same_answer(api, make_offer):
    """Behind a pooler in transaction mode (DATABASE_POOLER_TRANSACTION_MODE) nothing is prepared. This turns
    preparation off on the test's connection only (its startup options stay), so it checks the statements'
    answers without preparation, not the pooler's configuration."""
    make_offer(3, needs=["medical", "emergency-shelter"], location_fields={"beds_total": 4, "beds_available": 1})
    make_offer(9, needs=["medical"], languages=("es",))
    make_offer(150, needs=["dental"])
    params = {"needs": "medical,emergency-shelter,dental", "language": "es", "age": 30}
    prepared = get(api, **params)

    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        unprepared = get(api, **params)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            before = cursor.fetchone()[0]
        get(api, **params)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == before  # nothing new was prepared
    finally:
        raw.prepare_threshold = threshold

    assert unprepared == prepared
    assert len(prepared["results"]) == 2 and prepared["coverage_plan"]["uncovered"][0]["need"] == "dental"


@pytest.mark.skipif(
    settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"], reason="no startup options behind a pooler"
)
def test_app_connections_reuse_generic_plans_and_never_jit_compile(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode'), current_setting('jit')")
        assert cursor.fetchone() == ("force_generic_plan", "off")


def test_options_come_with_their_cards_and_no_statement_reads_the_registrys_names(api, make_offer):
    make_offer(2)
    make_offer(3)
    statements = Statements(table=None)
    with connection.execute_wrapper(statements):
        body = get(api, needs="emergency-shelter")

    assert len(body["results"]) == 2 and all(row["organization"]["name"] for row in body["results"])
    assert [sql for sql in statements.sql if "matching_offercard" in sql]
    assert not [sql for sql in statements.sql if "providers_address" in sql or "providers_phone" in sql]


def test_an_offer_without_a_card_is_left_out_not_shown_nameless(api, make_offer):
    kept, carded_by_hand = make_offer(2), make_offer(3)
    OfferCard.objects.filter(pk=carded_by_hand.pk).delete()  # nothing but a hand edit of the derived table does this
    body = get(api, needs="emergency-shelter")

    assert [row["service_at_location_id"] for row in body["results"]] == [str(kept.pk)]
    assert [row["service_at_location_id"] for row in body["coverage_plan"]["options"]] == [str(kept.pk)]

"""The match index and the offer cards (matching.models), derived from the registry by the database itself.

The derivations are SQL files in matching/sql/: index_rows.sql and card_rows.sql say what the rows are;
maintenance.sql holds the functions that refresh the rows of what a transaction wrote, or rebuild everything.
Triggers on every source table call them (matching.triggers), so the index follows any write: ORM saves,
update(), bulk_create, COPY, raw SQL, the admin, migrations. Nothing in the application refreshes it.

`install()` renders the functions from those files and this project's eligibility rule (providers.eligibility)
and creates them; it runs after every migrate, so the database never holds another version than the code.
"""

from contextlib import contextmanager
from functools import cache

from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db import connection

from matching.models import MatchCandidate, SearchDocument
from matching.sqlfiles import indented, render
from providers import eligibility

INDEX_COLUMNS = (
    "need_id, service_at_location_id, service_id, location_id, organization_id, point, public_point, "
    "is_confidential, is_virtual, min_age, max_age, genders, trafficking_types, citizenship, lgbtq_specific, "
    "languages, accepting_referrals, accessibility, location_type, latitude, longitude, public_latitude, "
    "public_longitude, time_zone, open_24_7, beds_total, beds_available, last_verified_on, interpretation, "
    "service_needs, hours"
)
CARD_COLUMNS = (
    "service_at_location_id, service_id, location_id, organization_id, service_name, organization_name, "
    "location_name, address_type, attention, address_1, address_2, city, region, state_province, postal_code, "
    "country, site_phone, site_phone_extension, site_phone_type, site_phone_is_front_door, service_phone, "
    "service_phone_extension, service_phone_type, service_phone_is_front_door, organization_phone, "
    "organization_phone_extension, organization_phone_type, organization_phone_is_front_door"
)
SEARCH_COLUMNS = (
    "service_at_location_id, service_id, location_id, organization_id, point, public_point, is_confidential, "
    "names, name_words, document, withheld"
)
# What the derivations read (the rebuild refreshes their planner statistics first).
SOURCE_TABLES = (
    "providers_service", "providers_service_populations", "providers_population", "providers_service_languages",
    "providers_service_needs", "providers_schedule", "providers_serviceatlocation", "providers_location",
    "providers_organization", "providers_address", "providers_phone", "providers_needterm", "providers_language",
)  # fmt: skip

# Past this many records written in one transaction, rebuilding everything is faster than refreshing them.
REBUILD_ABOVE = 5000
REFRESH_LOCK = 0x6D61746368  # an application-wide advisory lock key ("match")


def _gist_sql(create: bool) -> str:
    """The statements that drop or create the derived tables' GiST and GIN indexes (built once after a rebuild's
    load)."""
    bulk = [
        (model, index)
        for model in (MatchCandidate, SearchDocument)
        for index in model._meta.indexes
        if isinstance(index, GistIndex | GinIndex)
    ]
    with connection.schema_editor(collect_sql=True) as editor:
        if create:
            statements = [str(index.create_sql(model, editor)) for model, index in bulk]
        else:
            statements = [f"DROP INDEX IF EXISTS {editor.quote_name(index.name)}" for _, index in bulk]
    return "\n".join(f"    {statement};" for statement in statements)


@cache
def maintenance_sql() -> str:
    """Return the CREATE FUNCTION statements of matching/sql/maintenance.sql, rendered."""
    derivations = {}
    for name in ("index_rows", "card_rows", "search_rows"):
        fragments = eligibility.index_fragments()
        derivations[f"{name}_scoped"] = indented(render(name, scoped=True, **fragments), 4)
        derivations[f"{name}_all"] = indented(render(name, scoped=False, **fragments), 8)
    return render(
        "maintenance",
        index_columns=INDEX_COLUMNS,
        card_columns=CARD_COLUMNS,
        search_columns=SEARCH_COLUMNS,
        rebuild_above=REBUILD_ABOVE,
        lock=REFRESH_LOCK,
        analyze_sources="\n".join(f"    ANALYZE {table};" for table in SOURCE_TABLES),
        drop_gist_indexes=_gist_sql(create=False),
        create_gist_indexes=_gist_sql(create=True),
        **derivations,
    )


def install() -> None:
    """Create (or replace) the maintenance functions and the triggers that call them."""
    from matching import triggers

    with connection.cursor() as cursor:
        cursor.execute(render("search_functions"))
        cursor.execute(maintenance_sql())
        cursor.execute(render("search_words"))
    triggers.install()


def match_index_rebuild() -> int:
    """Derive the whole index and every card again (a repair; bulk loads get it by themselves); return the
    number of index rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT matching_rebuild()")
        return cursor.fetchone()[0]


@contextmanager
def match_index_deferred():
    """Refresh the derived rows of what the block writes once at its end instead of after every statement.

    Only a speed-up for bulk writes made of many statements (an import saving records one by one): without it
    the index is just as current, one statement at a time. Use inside the writes' transaction.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('directory.match_index_deferred', true)")
        enclosing = cursor.fetchone()[0] == "on"
    if enclosing:  # an enclosing block defers already, and refreshes at its end
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('directory.match_index_deferred', 'on', true)")
    # Left by an error, the block's transaction is rolled back or, if the caller goes on, stays deferred until it
    # commits (the flush request's trigger then refreshes everything noted).
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('directory.match_index_deferred', 'off', true)")
        cursor.execute("SELECT matching_flush()")

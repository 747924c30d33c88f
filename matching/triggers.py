"""The triggers that keep the match index and the offer cards a function of the registry (django-pgtrigger).

Every source table the derivations read (matching/sql/index_rows.sql, card_rows.sql) gets statement-level
triggers for INSERT, UPDATE, DELETE and TRUNCATE. Each notes, in matching_pending, the records whose derived rows
the statement may have changed — read from the statement's transition tables, so one COPY of a million rows is one
set-based note — and calls matching_pending_noted() (matching/sql/maintenance.sql), which refreshes them. An
UPDATE notes only rows whose watched columns changed (an edit of a description refreshes nothing), under their
old and new owners (an address moved to another site changes both sites' cards).

Installed after every migrate (PGTRIGGER_INSTALL_ON_MIGRATE) together with the functions (matching.index.install).
"""

from dataclasses import dataclass

import pgtrigger
from django.apps import apps

from matching.models import Pending

SERVICE, LOCATION, OFFER, ORGANIZATION = (Pending.Kind.SERVICE, Pending.Kind.LOCATION, Pending.Kind.OFFER,
                                          Pending.Kind.ORGANIZATION)  # fmt: skip


@dataclass(frozen=True)
class Source:
    """A table the derivations read: which of its columns they use, and which records a changed row touches."""

    model: str  # "app.Model", or "app.Model.field" for a many-to-many table
    watched: tuple[str, ...]
    # (kind, column): the records a row belongs to. A kind with SQL instead of a column reads them elsewhere.
    notes: tuple[tuple[str, str], ...]
    key: str = "id"  # the primary key, which pairs a row's old and new versions


SOURCES = (
    # i18n: the Spanish forms of the texts the search documents hold (providers.translations).
    Source("providers.Organization", ("name", "alternate_name", "description", "i18n"), ((ORGANIZATION, "id"),)),
    Source(
        "providers.Service",
        (
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "eligibility_description",
            "application_process",
            "status",
            "minimum_age",
            "maximum_age",
            "last_verified_on",
            "interpretation_services",
            "i18n",
        ),
        ((SERVICE, "id"),),
    ),  # fmt: skip
    Source(
        "providers.Location",
        (
            "organization_id",
            "name",
            "location_type",
            "latitude",
            "longitude",
            "is_confidential",
            "public_latitude",
            "public_longitude",
            "time_zone",
            "open_24_7",
            "beds_total",
            "beds_available",
            "accepting_referrals",
            "accessibility",
            "safe_texts",
        ),
        ((LOCATION, "id"),),
    ),  # fmt: skip
    # Derived rows are per service at location: its own id finds them, before and after a move.
    Source("providers.ServiceAtLocation", ("service_id", "location_id"), ((OFFER, "id"),)),
    Source(
        "providers.Address",
        (
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
        ((LOCATION, "location_id"),),
    ),  # fmt: skip
    Source(
        "providers.Phone",
        ("location_id", "service_id", "organization_id", "number", "extension", "type", "is_front_door"),
        ((LOCATION, "location_id"), (SERVICE, "service_id"), (ORGANIZATION, "organization_id")),
    ),
    Source(
        "providers.Schedule",
        ("location_id", "service_id", "weekday", "opens_at", "closes_at"),
        ((LOCATION, "location_id"),),
    ),
    Source(
        "providers.HoursException",
        ("location_id", "service_id", "starts_on", "ends_on", "closed", "opens_at", "closes_at"),
        ((LOCATION, "location_id"),),
    ),
    Source("providers.Service.needs", ("service_id", "needterm_id"), ((SERVICE, "service_id"),)),
    Source("providers.Service.populations", ("service_id", "population_id"), ((SERVICE, "service_id"),)),
    Source("providers.Service.languages", ("service_id", "language_id"), ((SERVICE, "service_id"),)),
    # A need's and a language's words are in the search documents of every service listing them.
    # (A document holds its needs' parents' words too: a term's children's services are noted with its own.)
    Source(
        "providers.NeedTerm",
        ("name", "search_words", "parent_id"),
        (
            (
                SERVICE,
                "SELECT service_id FROM providers_service_needs WHERE needterm_id = r.id OR needterm_id IN "
                "(SELECT id FROM providers_needterm WHERE parent_id = r.id)",
            ),
        ),
    ),
    Source(
        "providers.Language",
        ("name", "search_words"),
        ((SERVICE, "SELECT service_id FROM providers_service_languages WHERE language_id = r.code"),),
        key="code",
    ),
    # A population's code and dimension decide how every service listing it is encoded.
    Source(
        "providers.Population",
        ("code", "dimension"),
        ((SERVICE, "SELECT service_id FROM providers_service_populations WHERE population_id = r.id"),),
    ),
)


def source_model(source: Source):
    app_label, model_name, *field = source.model.split(".")
    model = apps.get_model(app_label, model_name)
    return model._meta.get_field(field[0]).remote_field.through if field else model


def _notes_sql(source: Source, rows: str) -> str:
    """Return the statement noting the records of the rows in `rows` (a table or CTE, aliased r)."""
    selects = []
    for kind, column in source.notes:
        if column.startswith("SELECT"):
            selects.append(f"SELECT '{kind}', x.service_id FROM {rows} r, LATERAL ({column}) x")
        else:
            selects.append(f"SELECT '{kind}', r.{column} FROM {rows} r WHERE r.{column} IS NOT NULL")
    return "INSERT INTO matching_pending (kind, record_id)\n" + "\nUNION\n".join(selects)


NOTED = "IF FOUND THEN\n    PERFORM matching_pending_noted();\nEND IF;\nRETURN NULL;"


def _update_sql(source: Source) -> str:
    """The UPDATE trigger's body: note the rows whose watched columns changed, under their old and new values."""
    new = ", ".join(f"n.{column}" for column in source.watched)
    old = ", ".join(f"o.{column}" for column in source.watched)
    key = source.key
    changed = f"(n.{key} IS NULL OR o.{key} IS NULL OR ({new}) IS DISTINCT FROM ({old}))"
    both = (
        f"(SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.{key} = n.{key}\n WHERE {changed}\n"
        f" UNION ALL\n SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.{key} = o.{key}\n WHERE {changed})"
    )
    return f"{_notes_sql(source, both)};\n{NOTED}"


def source_triggers(source: Source) -> list[pgtrigger.Trigger]:
    statement = {"level": pgtrigger.Statement, "when": pgtrigger.After}
    return [
        pgtrigger.Trigger(
            name="match_index_insert", operation=pgtrigger.Insert, referencing=pgtrigger.Referencing(new="new_rows"),
            func=f"{_notes_sql(source, 'new_rows')};\n{NOTED}", **statement,
        ),
        pgtrigger.Trigger(
            name="match_index_update", operation=pgtrigger.Update,
            referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"), func=_update_sql(source), **statement,
        ),
        pgtrigger.Trigger(
            name="match_index_delete", operation=pgtrigger.Delete, referencing=pgtrigger.Referencing(old="old_rows"),
            func=f"{_notes_sql(source, 'old_rows')};\n{NOTED}", **statement,
        ),
        pgtrigger.Trigger(
            name="match_index_truncate", operation=pgtrigger.Truncate,
            func="INSERT INTO matching_pending (kind) VALUES ('*');\nPERFORM matching_pending_noted();\nRETURN NULL;",
            **statement,
        ),
    ]  # fmt: skip


# A deferring transaction's one FlushRequest row runs the refresh as it commits.
FLUSH_ON_COMMIT = pgtrigger.Trigger(
    name="match_index_flush_on_commit",
    level=pgtrigger.Row,
    when=pgtrigger.After,
    operation=pgtrigger.Insert,
    timing=pgtrigger.Deferred,
    func="DELETE FROM matching_flushrequest; PERFORM matching_flush(); RETURN NULL;",
)


def register() -> None:
    """Register every trigger with its model (MatchingConfig.ready)."""
    for source in SOURCES:
        pgtrigger.register(*source_triggers(source))(source_model(source))
    pgtrigger.register(FLUSH_ON_COMMIT)(apps.get_model("matching", "FlushRequest"))


def install() -> None:
    """Install (or replace) every registered trigger of the project."""
    pgtrigger.install()

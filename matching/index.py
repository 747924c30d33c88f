"""Deriving the match index (matching.models.MatchCandidate) from the registry, in set-based SQL.

`match_index_rebuild()` replaces every row (after bulk loads); `match_index_refresh(...)` replaces the rows
of some services or locations (after an edit; see matching.signals). Both run the same SELECT, so the
eligibility encoding below exists once. The offer cards (matching.models.OfferCard: what a match result shows
of an offer) are derived with them, by one SELECT too (card_rows).
"""

import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction

from matching.eligibility import CITIZENSHIP_BITS, GENDER_BITS, TRAFFICKING_BITS, mask_sql
from matching.models import MatchCandidate, OfferCard
from providers.models import ADULT_AGE_YEARS

COLUMNS = (
    "need_id, service_at_location_id, service_id, location_id, organization_id, point, public_point, "
    "is_confidential, is_virtual, min_age, max_age, genders, trafficking_types, citizenship, lgbtq_specific, "
    "languages, accepting_referrals, location_type, latitude, longitude, public_latitude, public_longitude, "
    "time_zone, open_24_7, beds_total, beds_available, last_verified_on, interpretation, service_needs, hours"
)


# What select_rows() reads.
SOURCE_TABLES = (
    "providers_service", "providers_service_populations", "providers_population", "providers_service_languages",
    "providers_service_needs", "providers_schedule", "providers_serviceatlocation", "providers_location",
)  # fmt: skip


def _bits(dimension: str, bits: dict[str, int]) -> str:
    return f"bit_or(CASE WHEN p.dimension = '{dimension}' THEN {mask_sql(bits)} ELSE 0 END)"


def _seconds(column: str) -> str:
    # Truncated, not rounded: 23:59:59.6 must not become 24:00:00, which no time of day is.
    return f"floor(EXTRACT(EPOCH FROM sc.{column}))::int"


def select_rows(scoped: bool = False) -> str:
    """Return the SELECT producing index rows: of every active service at location, or (scoped) of the
    services at location in %(offer_ids)s, whose services and locations are in %(service_ids)s and
    %(location_ids)s (match_index_refresh works them out).

    Per-service attributes (populations, languages, needs) and per-site hours are aggregated once each
    (hash aggregates), then joined to each service at location and need, so the rebuild stays linear in the
    number of rows; scoped, every aggregate reads only the rows of the given ids through their indexes, so a
    refresh costs the same at 10k rows as at 1M. Age groups narrow the numeric limits: adults-only means at
    least 18, minors-only at most 17 (GREATEST/LEAST ignore NULLs).
    """

    def scope(column: str, ids: str) -> str:
        return f"{column} = ANY(%({ids})s::uuid[])" if scoped else "TRUE"

    return f"""
    WITH pop AS (
        SELECT sp.service_id,
               bool_or(p.code = 'adults') AS adults,
               bool_or(p.code = 'minors') AS minors,
               bool_or(p.code = 'lgbtq') AS lgbtq,
               {_bits("gender", GENDER_BITS)} AS genders,
               {_bits("trafficking_type", TRAFFICKING_BITS)} AS trafficking_types,
               {_bits("citizenship", CITIZENSHIP_BITS)} AS citizenship
        FROM providers_service_populations sp
        JOIN providers_population p ON p.id = sp.population_id
        WHERE {scope("sp.service_id", "service_ids")}
        GROUP BY sp.service_id
    ),
    lang AS (
        SELECT service_id, array_agg(language_id ORDER BY language_id) AS codes
        FROM providers_service_languages WHERE {scope("service_id", "service_ids")} GROUP BY service_id
    ),
    need AS (
        SELECT service_id, array_agg(needterm_id ORDER BY needterm_id) AS ids
        FROM providers_service_needs WHERE {scope("service_id", "service_ids")} GROUP BY service_id
    ),
    hours AS (
        SELECT sc.location_id, sc.service_id,
               array_agg(ARRAY[sc.weekday, {_seconds("opens_at")}, {_seconds("closes_at")}]
                         ORDER BY sc.weekday, sc.opens_at, sc.closes_at) AS periods
        FROM providers_schedule sc
        WHERE {scope("sc.location_id", "location_ids")}
        GROUP BY sc.location_id, sc.service_id
    ),
    svc AS (
        SELECT s.id,
               GREATEST(s.minimum_age,
                        CASE WHEN pop.adults AND NOT pop.minors THEN {ADULT_AGE_YEARS} END) AS min_age,
               LEAST(s.maximum_age,
                     CASE WHEN pop.minors AND NOT pop.adults THEN {ADULT_AGE_YEARS - 1} END) AS max_age,
               COALESCE(pop.genders, 0) AS genders,
               COALESCE(pop.trafficking_types, 0) AS trafficking_types,
               COALESCE(pop.citizenship, 0) AS citizenship,
               COALESCE(pop.lgbtq, FALSE) AS lgbtq_specific,
               COALESCE(lang.codes, '{{}}') AS languages,
               s.last_verified_on,
               btrim(s.interpretation_services) <> '' AS interpretation,
               need.ids AS needs
        FROM providers_service s
        JOIN need ON need.service_id = s.id
        LEFT JOIN pop ON pop.service_id = s.id
        LEFT JOIN lang ON lang.service_id = s.id
        WHERE s.status = 'active' AND {scope("s.id", "service_ids")}
    )
    SELECT n.need_id, sal.id, svc.id, l.id, l.organization_id, l.point, l.public_point,
           l.is_confidential, l.location_type = 'virtual', svc.min_age, svc.max_age, svc.genders,
           svc.trafficking_types, svc.citizenship, svc.lgbtq_specific, svc.languages, l.accepting_referrals,
           l.location_type, l.latitude, l.longitude, l.public_latitude, l.public_longitude,
           l.time_zone, l.open_24_7, l.beds_total, l.beds_available, svc.last_verified_on, svc.interpretation,
           svc.needs,
           -- The service's own hours at this site win over the site's.
           COALESCE(own.periods, site.periods, '{{}}')
    FROM svc
    JOIN providers_serviceatlocation sal ON sal.service_id = svc.id
    JOIN providers_location l ON l.id = sal.location_id
    LEFT JOIN hours own ON own.location_id = l.id AND own.service_id = svc.id
    LEFT JOIN hours site ON site.location_id = l.id AND site.service_id IS NULL
    CROSS JOIN unnest(svc.needs) AS n(need_id)
    WHERE {scope("sal.id", "offer_ids")}
    """


CARD_COLUMNS = (
    "service_at_location_id, service_id, location_id, organization_id, service_name, organization_name, "
    "location_name, address_type, attention, address_1, address_2, city, region, state_province, postal_code, "
    "country, site_phone, site_phone_extension, site_phone_type, site_phone_is_front_door, service_phone, "
    "service_phone_extension, service_phone_type, service_phone_is_front_door, organization_phone, "
    "organization_phone_extension, organization_phone_type, organization_phone_is_front_door"
)
CARD_SOURCE_TABLES = (
    "providers_serviceatlocation", "providers_service", "providers_organization", "providers_location",
    "providers_address", "providers_phone",
)  # fmt: skip


def card_rows(scoped: bool = False) -> str:
    """Return the SELECT producing offer cards: of every service at location, or (scoped) of those in
    %(offer_ids)s, whose services, sites and the services' organizations are in %(service_ids)s,
    %(location_ids)s and %(organization_ids)s.

    A site's first address is its first physical one, else its first postal one (by type, then id); an
    owner's first phone is its first front door, else its first other number, faxes left out.
    """

    def scope(column: str, ids: str) -> str:
        return f"{column} = ANY(%({ids})s::uuid[])" if scoped else "TRUE"

    def first_phone(owner: str, ids: str) -> str:
        return f"""
            SELECT DISTINCT ON (p.{owner}) p.{owner} AS owner, p.number, p.extension, p.type, p.is_front_door
            FROM providers_phone p
            WHERE p.{owner} IS NOT NULL AND p.type <> 'fax' AND {scope(f"p.{owner}", ids)}
            ORDER BY p.{owner}, p.is_front_door DESC, p.id
        """

    return f"""
    WITH addr AS (
        SELECT DISTINCT ON (a.location_id) a.*
        FROM providers_address a
        WHERE {scope("a.location_id", "location_ids")}
        ORDER BY a.location_id, a.address_type, a.id
    ),
    site AS ({first_phone("location_id", "location_ids")}),
    svc AS ({first_phone("service_id", "service_ids")}),
    own AS ({first_phone("organization_id", "organization_ids")})
    SELECT sal.id, s.id, l.id, org.id, s.name, org.name, l.name,
           addr.address_type, addr.attention, addr.address_1, addr.address_2, addr.city, addr.region,
           addr.state_province, addr.postal_code, addr.country,
           site.number, site.extension, site.type, site.is_front_door,
           svc.number, svc.extension, svc.type, svc.is_front_door,
           own.number, own.extension, own.type, own.is_front_door
    FROM providers_serviceatlocation sal
    JOIN providers_service s ON s.id = sal.service_id
    JOIN providers_organization org ON org.id = s.organization_id
    JOIN providers_location l ON l.id = sal.location_id
    LEFT JOIN addr ON addr.location_id = l.id
    LEFT JOIN site ON site.owner = l.id
    LEFT JOIN svc ON svc.owner = s.id
    LEFT JOIN own ON own.owner = org.id
    WHERE {scope("sal.id", "offer_ids")}
    """


@transaction.atomic
def match_index_rebuild() -> int:
    """Replace the whole index from the registry; return the number of rows.

    The GiST indexes are dropped for the load and built afterwards: one bulk build is much faster than
    millions of insertions into a GiST tree.
    """
    table = MatchCandidate._meta.db_table
    gist_indexes = [index for index in MatchCandidate._meta.indexes if index.name.endswith("_gist")]
    with connection.schema_editor() as editor:
        for index in gist_indexes:
            editor.remove_index(MatchCandidate, index)
    with connection.cursor() as cursor:
        # Rebuilds follow bulk loads (COPY, imports), when the planner's statistics of the source tables may
        # describe tables a thousandth of their size: a nested loop over the per-site hours then took longer
        # than ten minutes at 1M rows. Fresh statistics, and hash joins only (this is a whole-table
        # derivation; refreshes, which read a few rows by key, are not affected).
        for source in dict.fromkeys(SOURCE_TABLES + CARD_SOURCE_TABLES):
            cursor.execute(f"ANALYZE {source}")
        cursor.execute("SELECT current_setting('enable_nestloop'), set_config('enable_nestloop', 'off', true)")
        (nestloop, _) = cursor.fetchone()
        cursor.execute(f"TRUNCATE {table}")
        # Stored by need, then by place (geohash order): the rows one walk returns (the nearest of one need)
        # then sit on a few pages instead of one page each. Rows refreshed later are appended at the end.
        cursor.execute(
            f"INSERT INTO {table} ({COLUMNS}) SELECT * FROM ({select_rows()}) derived "
            "ORDER BY 1, ST_GeoHash(COALESCE(derived.public_point, derived.point)::geometry)"
        )
        count = cursor.rowcount
        cursor.execute(f"TRUNCATE {OfferCard._meta.db_table}")
        cursor.execute(f"INSERT INTO {OfferCard._meta.db_table} ({CARD_COLUMNS}) {card_rows()}")
        cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [nestloop])
    with connection.schema_editor() as editor:
        for index in gist_indexes:
            editor.add_index(MatchCandidate, index)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"ANALYZE {OfferCard._meta.db_table}")
    return count


_deferred = threading.local()
# Past this many touched records, rebuilding the whole index is faster than refreshing them one by one.
REBUILD_ABOVE = 5000
REFRESH_LOCK = 0x6D61746368  # an application-wide advisory lock key ("match")


@contextmanager
def match_index_deferred():
    """Collect index refreshes (from signals and services) and apply them once at the end of the block.

    For bulk writes such as imports: thousands of saves would otherwise refresh the index thousands of
    times. Use inside the bulk write's transaction, so the index still commits with the data.
    """
    if getattr(_deferred, "pending", None) is not None:
        yield  # already deferring: the outer block applies everything
        return
    _deferred.pending = {"services": set(), "locations": set(), "offers": set(), "organizations": set()}
    try:
        yield
        pending = _deferred.pending
    finally:
        _deferred.pending = None
    if sum(len(ids) for ids in pending.values()) > REBUILD_ABOVE:
        match_index_rebuild()
    else:
        match_index_refresh(
            service_ids=pending["services"], location_ids=pending["locations"], offer_ids=pending["offers"],
            organization_ids=pending["organizations"],
        )  # fmt: skip


@transaction.atomic
def match_index_refresh(
    *,
    service_ids: Iterable = (),
    location_ids: Iterable = (),
    offer_ids: Iterable = (),
    organization_ids: Iterable = (),
) -> None:
    """Replace the index rows and offer cards of these services, locations, services-at-location and every
    service of these organizations (whose name and phones are on their cards) with their current state."""
    service_ids, location_ids = [str(i) for i in service_ids], [str(i) for i in location_ids]
    offer_ids, organization_ids = [str(i) for i in offer_ids], [str(i) for i in organization_ids]
    pending = getattr(_deferred, "pending", None)
    if pending is not None:
        pending["services"].update(service_ids)
        pending["locations"].update(location_ids)
        pending["offers"].update(offer_ids)
        pending["organizations"].update(organization_ids)
        return
    if not service_ids and not location_ids and not offer_ids and not organization_ids:
        return
    table = MatchCandidate._meta.db_table
    with connection.cursor() as cursor:
        # One refresh at a time, until its transaction ends. Two concurrent refreshes touching the same rows
        # (an edit of a service and one of its site) would otherwise each delete what their snapshot saw and
        # insert their own copy: duplicate rows, one derived from data the other changed. Waiting here, each
        # statement below sees what the previous refresh committed.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
        if organization_ids:
            cursor.execute(
                "SELECT id FROM providers_service WHERE organization_id = ANY(%s::uuid[])", [organization_ids]
            )
            service_ids += [str(service_id) for (service_id,) in cursor.fetchall()]
        ids = {"services": service_ids, "locations": location_ids, "offers": offer_ids}
        for derived in (table, OfferCard._meta.db_table):
            cursor.execute(
                f"DELETE FROM {derived} WHERE service_id = ANY(%(services)s::uuid[]) "
                "OR location_id = ANY(%(locations)s::uuid[]) OR service_at_location_id = ANY(%(offers)s::uuid[])",
                ids,
            )
        # The services at location to derive again, with their services, sites and the services'
        # organizations (through indexes).
        cursor.execute(
            "SELECT COALESCE(array_agg(sal.id), '{}'), COALESCE(array_agg(DISTINCT sal.service_id), '{}'), "
            "COALESCE(array_agg(DISTINCT sal.location_id), '{}'), "
            "COALESCE(array_agg(DISTINCT s.organization_id), '{}') "
            "FROM providers_serviceatlocation sal JOIN providers_service s ON s.id = sal.service_id "
            "WHERE sal.service_id = ANY(%(services)s::uuid[]) OR sal.location_id = ANY(%(locations)s::uuid[]) "
            "OR sal.id = ANY(%(offers)s::uuid[])",
            ids,
        )
        offers, services, locations, organizations = cursor.fetchone()
        if offers:
            scope = {"offer_ids": offers, "service_ids": services, "location_ids": locations}
            cursor.execute(f"INSERT INTO {table} ({COLUMNS}) {select_rows(scoped=True)}", scope)
            cursor.execute(
                f"INSERT INTO {OfferCard._meta.db_table} ({CARD_COLUMNS}) {card_rows(scoped=True)}",
                dict(scope, organization_ids=organizations),
            )

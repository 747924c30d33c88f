"""Unmet requests, counted without identifying anyone: when a match finds nothing for a need within its radius,
one more for that need in the county of the place searched from, this week (matching.models.UnmetNeedCount).
Read by the coverage map; shown only where a cell holds at least UNMET_MIN_SHOWN (docs/privacy.md)."""

import logging
from datetime import date, timedelta

from django.db import DatabaseError, OperationalError, connections, transaction
from django.utils import timezone

from core.routing import PRIMARY, primary_failed, primary_failed_lately, read_connection
from matching.models import UnmetNeedCount
from matching.results import MatchResult
from matching.taxonomy import vocabulary

logger = logging.getLogger(__name__)

# The county is found where the match read (a replica may serve it); the count is written on the primary.
COUNTY_SQL = (
    "SELECT fips FROM geo_boundary WHERE kind = 'county' "
    "AND ST_Covers(geometry, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) ORDER BY id LIMIT 1"
)
COUNT_SQL = (
    "INSERT INTO matching_unmetneedcount (need_id, county_fips, week, requests) "
    "SELECT need_id, %s, %s, 1 FROM unnest(%s::bigint[]) need_id "
    "ON CONFLICT (need_id, county_fips, week) DO UPDATE SET requests = matching_unmetneedcount.requests + 1"
)


def this_week(today: date | None = None) -> date:
    """The Monday (UTC) of the week under way: the week a count goes to, and the one not shown until it is over."""
    today = today or timezone.now().date()
    return today - timedelta(days=today.weekday())


def unmet_needs(result: MatchResult) -> list[str]:
    """The requested needs the match found nothing for within the radius, as counted: none when words were given
    (a search for names, not for a need)."""
    if result.request.keywords:
        return []
    return [need.need.code for need in result.coverage_plan.uncovered]


def count_unmet(result: MatchResult) -> None:
    """Count the result's unmet needs against the county of its origin and this week. Never fails the match: a
    primary that does not answer (replicas keep serving matches) loses the count, with a warning."""
    codes = unmet_needs(result)
    terms = vocabulary().terms
    need_ids = [terms[code].id for code in codes if code in terms]
    if not need_ids or primary_failed_lately():
        return
    try:
        with read_connection().cursor() as cursor:
            cursor.execute(COUNTY_SQL, [result.origin.longitude, result.origin.latitude])
            county = cursor.fetchone()
    except DatabaseError:
        logger.warning("an unmet request was not counted: its county was not read")
        return
    if county is None:
        return  # offshore, or outside the loaded counties
    try:
        with transaction.atomic(using=PRIMARY), connections[PRIMARY].cursor() as cursor:
            cursor.execute(COUNT_SQL, [county[0], this_week(), need_ids])
    except OperationalError:
        primary_failed()  # the next counts wait for it to answer again rather than each for a connect timeout
        logger.warning("an unmet request was not counted: the primary did not answer")
    except DatabaseError:
        logger.warning("an unmet request was not counted: the primary refused the write")


def unmet_purge(before) -> int:
    """Remove the counts of weeks before `before` (the coverage map's nightly job: only the period it shows is kept,
    docs/privacy.md). Returns how many cells were removed."""
    removed, _ = UnmetNeedCount.objects.filter(week__lt=before).delete()
    return removed

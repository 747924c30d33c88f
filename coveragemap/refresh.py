"""Writes of the coverage map: one need's distances computed again (a statement of one index walk per county and
term, coveragemap/sql/nearest.sql), every map at night, and every map when much of the registry changed since."""

import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.sqlfiles import compact, render
from coveragemap.models import CoverageMap
from matching.taxonomy import vocabulary
from providers.eligibility import INDEX_CONDITIONS
from providers.models import ListingChange, NeedTerm
from providers.vocabulary import forget

SQL_DIR = Path(__file__).with_name("sql")
AGE_CONDITION = next(c for c in INDEX_CONDITIONS if "%(age)s" in c)  # the eligibility rule's, on an index row
COUNTIES = render(SQL_DIR, "counties")
NEAREST = render(SQL_DIR, "nearest", counties=COUNTIES)
REFRESH = compact(render(SQL_DIR, "refresh", nearest=NEAREST))
COUNT_COUNTIES = compact(render(SQL_DIR, "count_counties", counties=COUNTIES))
VARIANT_POINTS = [compact(part) for part in render(SQL_DIR, "variant_points", age_condition=AGE_CONDITION).split(";")]
NEAREST_IN_VARIANT = render(SQL_DIR, "nearest_in_variant", counties=COUNTIES)
REFRESH_IN_VARIANT = compact(render(SQL_DIR, "refresh", nearest=NEAREST_IN_VARIANT))


def _history_now() -> int:
    return ListingChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _terms(need: NeedTerm) -> list[int]:
    """The need's term ids and those of the terms under it, from a copy of the vocabulary read again when it does
    not know the need yet (added by another process since)."""
    try:
        return [term_id for term_id, _ in vocabulary().need_pairs([need.code])]
    except KeyError:
        forget()
        return [term_id for term_id, _ in vocabulary().need_pairs([need.code])]


def coverage_refresh(need: NeedTerm, language: str = "", age: int | None = None, *, unless_since=None) -> CoverageMap:
    """Compute one need's map (in `language`, '' for any; for a person of `age`, None for any) again and replace the
    old one whole, in one transaction: a reader sees the old map or the new one. With `unless_since`, a map computed
    since that time (by another request or job while this one waited for it) is kept as it is."""
    seen = _history_now()  # before reading: changes made while it runs count as not seen
    need_ids = _terms(need)
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        coverage, created = CoverageMap.objects.select_for_update().get_or_create(
            need=need, language=language, age=age, defaults={"computed_at": now, "seconds": 0}
        )
        if not created and unless_since is not None and coverage.computed_at >= unless_since:
            return coverage
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM coveragemap_countydistance WHERE map_id = %s", [coverage.pk])
            params = {"map_id": coverage.pk, "need_ids": need_ids, "language": language, "age": age}
            if coverage.is_variant:
                for statement in VARIANT_POINTS:
                    cursor.execute(statement, params)
                cursor.execute(REFRESH_IN_VARIANT, params)
                coverage.counties_computed = cursor.rowcount
                cursor.execute("DROP TABLE coverage_variant_points")  # (a caller's transaction may run another)
            else:
                cursor.execute(REFRESH, params)
                coverage.counties_computed = cursor.rowcount
        coverage.computed_at, coverage.history_seen = now, seen
        coverage.seconds = round(time.perf_counter() - started, 3)
        coverage.save(update_fields=["computed_at", "history_seen", "seconds", "counties_computed"])
    return coverage


def coverage_refresh_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Every need's map (and every variant, in a language or for an age, asked for lately) computed again; variants
    nobody asked for in COVERAGE_LANGUAGE_MAP_DAYS (or never, computed that long ago) are dropped. Returns how many
    maps were computed."""
    cutoff = timezone.now() - timezone.timedelta(days=settings.COVERAGE_LANGUAGE_MAP_DAYS)
    unasked = Q(asked_at__lt=cutoff) | Q(asked_at__isnull=True, computed_at__lt=cutoff)
    variants = CoverageMap.objects.exclude(language="", age=None)
    variants.filter(unasked).delete()
    wanted = [(need, "", None) for need in NeedTerm.objects.order_by("code")]
    wanted += [(m.need, m.language, m.age) for m in variants.select_related("need")]
    for done, (need, language, age) in enumerate(wanted, start=1):
        coverage_refresh(need, language, age)
        if progress:
            progress(done, len(wanted))
    return len(wanted)


def coverage_refresh_if_changed() -> int:
    """Every map computed again when COVERAGE_REFRESH_CHANGES listing changes were written since the oldest was
    computed, or a need has no map yet, or the counties loaded are not those a map was computed for; else nothing.
    Returns how many maps were computed."""
    maps = list(CoverageMap.objects.filter(language="", age=None))
    oldest = min((m.history_seen for m in maps), default=None)
    with connection.cursor() as cursor:
        cursor.execute(COUNT_COUNTIES)  # the counties a map is computed for (counties.sql), not another rule for them
        counties = cursor.fetchone()[0]
    missing = NeedTerm.objects.exclude(pk__in=[m.need_id for m in maps]).exists() or any(
        m.counties_computed != counties for m in maps
    )
    if not missing and oldest is not None:
        changed = ListingChange.objects.filter(id__gt=oldest)[: settings.COVERAGE_REFRESH_CHANGES].count()
        if changed < settings.COVERAGE_REFRESH_CHANGES:
            return 0
    return coverage_refresh_all()

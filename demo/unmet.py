"""Fictional unmet-request counts for the coverage page (demo data only): a few needs in counties drawn at random over
the last whole weeks, some cells under the 10 shown and some over, so the page's column and its suppression show."""

import random
from datetime import timedelta

from geo.models import Boundary
from matching.models import UnmetNeedCount
from matching.unmet import this_week
from providers.models import NeedTerm

NEEDS = ("t-visa", "emergency-shelter", "interpretation")
COUNTIES = 12  # per need
WEEKS = 8


def plant_unmet(seed: int = 1) -> int:
    """Write the demo's counts; return how many cells (nothing when no counties are loaded)."""
    rng = random.Random(seed)
    counties = list(Boundary.objects.filter(kind=Boundary.Kind.COUNTY).order_by("fips").values_list("fips", flat=True))
    if not counties:
        return 0
    monday = this_week()
    rows = []
    for need in NeedTerm.objects.filter(code__in=NEEDS).order_by("code"):
        for county in rng.sample(counties, min(COUNTIES, len(counties))):
            for week in range(1, WEEKS + 1):
                rows.append(UnmetNeedCount(need=need, county_fips=county, week=monday - timedelta(weeks=week),
                                           requests=rng.randint(4, 18)))  # fmt: skip
    UnmetNeedCount.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)

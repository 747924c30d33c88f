"""Reads of the coverage map: one need's counties with their distance and their unmet requests (counted cells of
at least UNMET_MIN_SHOWN of whole weeks only), for the page, the API and its downloads."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Sum

from coveragemap.models import CountyDistance, CoverageMap
from geo.models import Boundary
from matching.models import UnmetNeedCount
from matching.unmet import this_week
from providers.models import NeedTerm

METRES_PER_MILE = 1609.344


@dataclass(frozen=True)
class CountyRow:
    fips: str
    name: str
    state: str
    distance_m: float | None  # None: no provider anywhere meets the need
    unmet_requests: int | None  # None: no week of the period reached UNMET_MIN_SHOWN (or none was counted)

    @property
    def distance_mi(self) -> float | None:
        return None if self.distance_m is None else round(self.distance_m / METRES_PER_MILE, 1)


def coverage_map(need: NeedTerm, language: str = "", age: int | None = None) -> CoverageMap | None:
    return CoverageMap.objects.filter(need=need, language=language, age=age).first()


def unmet_min_shown() -> int:
    # Never fewer than 10, whatever the setting says: fewer could point at one caller (docs/privacy.md).
    return max(10, settings.UNMET_MIN_SHOWN)


def unmet_since(today: date | None = None) -> date:
    """The Monday that starts the period of unmet requests shown: the last UNMET_WEEKS whole weeks."""
    return this_week(today) - timedelta(weeks=settings.UNMET_WEEKS)


def _shown(need: NeedTerm):
    # Whole weeks of the period, in cells that reach UNMET_MIN_SHOWN: none of the others is read, not even into a sum.
    # The week under way is left out: a count moving by one would date a search.
    return UnmetNeedCount.objects.filter(need=need, week__gte=unmet_since(), week__lt=this_week(),
                                         requests__gte=unmet_min_shown())  # fmt: skip


def county_names() -> dict[str, tuple[str, str]]:
    """{FIPS code: (name, state)} of the loaded counties."""
    rows = Boundary.objects.filter(kind=Boundary.Kind.COUNTY).values_list("fips", "name", "state_code")
    return {fips: (name, state) for fips, name, state in rows}


def unmet_cells(need: NeedTerm) -> list[tuple[str, str, str, date, int]]:
    """The need's shown cells, as (fips, county, state, week, requests), by week and county."""
    names = county_names()
    cells = _shown(need).order_by("week", "county_fips").values_list("county_fips", "week", "requests")
    return [(fips, *names.get(fips, ("", "")), week, requests) for fips, week, requests in cells]


def county_rows(coverage: CoverageMap) -> list[CountyRow]:
    """Every county of the map, by FIPS code, with its distance and its shown unmet requests of the period."""
    shown = _shown(coverage.need).order_by().values("county_fips").annotate(total=Sum("requests"))
    unmet = {row["county_fips"]: row["total"] for row in shown}
    names = county_names()
    rows = CountyDistance.objects.filter(map=coverage).order_by("county_fips").values_list("county_fips", "distance_m")
    return [CountyRow(fips, *names.get(fips, ("", "")), distance_m, unmet.get(fips)) for fips, distance_m in rows]

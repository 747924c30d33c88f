"""Spatial queries shaped for the PostGIS indexes. Other apps call these; they hold no permission rules.

Callers say which point column a caller may be answered from (`point` for exact, `public_point` for the
generalized point of confidential sites); providers.access decides which.

- nearest(): `ORDER BY column <-> origin LIMIT k` walks the GiST index (K nearest neighbours); only the k
  rows returned get an exact distance.
- within(): `ST_DWithin(column, origin, radius_m)` on geography (metres, uses the index), then ordered by
  `<->`.
- covering(): service areas whose polygon covers the point (GiST on the area).

Distances are ST_Distance on geography, i.e. on the WGS84 spheroid, which agrees with
geopy.distance.geodesic to well under 0.1%.
"""

from django.contrib.gis.db.models.functions import Distance, GeometryDistance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import QuerySet

from geo.expressions import WGS84

POINT_COLUMNS = ("point", "public_point")


def make_point(latitude: float, longitude: float) -> Point:
    """Return a WGS84 GEOS point (note the x=longitude, y=latitude order)."""
    return Point(longitude, latitude, srid=WGS84)


def _check_column(column: str) -> None:
    if column not in POINT_COLUMNS:
        raise ValueError(f"column must be one of {POINT_COLUMNS}")


def nearest(queryset: QuerySet, origin: Point, *, limit: int, column: str = "point") -> list:
    """Return the `limit` rows nearest to origin, nearest first, each annotated with `distance` (a Distance).

    The ORDER BY is `<->` (GeometryDistance) alone, so PostgreSQL walks the GiST index instead of
    measuring every row (a second sort key would turn it back into a full scan and sort). `distance`, the
    exact spheroid distance, is computed only for the rows returned, which are then ordered by it, with the
    primary key breaking ties, so the order is deterministic.
    """
    rows = list(nearest_query(queryset, origin, limit=limit, column=column))
    rows.sort(key=lambda row: (row.distance.m, str(row.pk)))
    return rows


def nearest_query(queryset: QuerySet, origin: Point, *, limit: int, column: str = "point") -> QuerySet:
    """Return the SQL half of nearest(): `ORDER BY column <-> origin LIMIT limit`, annotated with `distance`."""
    _check_column(column)
    return (
        queryset.filter(**{f"{column}__isnull": False})
        .annotate(distance=Distance(column, origin))
        .order_by(GeometryDistance(column, origin))[:limit]
    )


def within(queryset: QuerySet, origin: Point, *, radius_m: float, column: str = "point") -> QuerySet:
    """Return rows within radius_m metres (geodesic) of origin, nearest first, annotated with `distance`.

    ST_DWithin on geography uses the GiST index to find the rows; only those are sorted, by exact distance
    and then primary key (stable pages).
    """
    _check_column(column)
    return (
        queryset.filter(**{f"{column}__dwithin": (origin, D(m=radius_m))})
        .annotate(distance=Distance(column, origin))
        .order_by("distance", "pk")
    )


def covering(queryset: QuerySet, origin: Point, *, area_lookup: str = "extent") -> QuerySet:
    """Return rows whose area (a geometry MultiPolygon, via `area_lookup`) covers the origin."""
    return queryset.filter(**{f"{area_lookup}__covers": origin})

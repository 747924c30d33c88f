"""What the pages' maps draw with no tile server: state and county outlines from the loaded boundaries (us-atlas)
and the names of places from the ZIP gazetteer. Nothing here is about a listing, so nothing here discloses one.

The country is cut into CELL_DEGREES cells (x from 180°W, y from 90°S); a map asks for the cells it shows, and
each cell's answer is the same for everyone, so it is cached here and by browsers."""

import json

from django.conf import settings
from django.contrib.gis.db.models import MultiPolygonField
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.core.cache import cache
from django.db.models import Func, Max, Value
from django.urls import reverse

from geo.expressions import WGS84
from geo.geocoding import gazetteer
from geo.models import Boundary

CELL_DEGREES = 5
CELLS_X = 360 // CELL_DEGREES
CELLS_Y = 180 // CELL_DEGREES
# Places named on the whole-country view: those with at least this many street-delivery ZIP codes (about 320).
NATIONAL_MIN_ZIP_CODES = 5
CACHE_SECONDS = 86400
CACHE_VERSION = 1


def config() -> dict:
    """What a page's map draws from (web/static/web/basemap.js): tiles only when MAP_TILE_URL is set. The URLs
    carry the boundaries' version, so browsers and caches holding an answer for a day ask again once they change."""
    version = f"?v={CACHE_VERSION}.{_loaded()}"
    cell_url = reverse("basemap-cell", kwargs={"x": 0, "y": 0}).replace("/0/0.", "/{x}/{y}.")
    return {"tiles": settings.MAP_TILE_URL, "statesUrl": reverse("basemap-states") + version,
            "placesUrl": reverse("basemap-places") + version, "cellUrl": cell_url + version,
            "cellDegrees": CELL_DEGREES}  # fmt: skip


def _loaded() -> int | None:
    """The newest boundary row: a reload of the boundaries changes it."""
    return Boundary.objects.aggregate(newest=Max("id"))["newest"]


def _simplified(tolerance: float) -> Func:
    return Func("geometry", Value(tolerance), function="ST_SimplifyPreserveTopology", output_field=MultiPolygonField())


def _collection(rows, **properties) -> str:
    features = [
        {"type": "Feature", "properties": {name: getattr(row, field) for name, field in properties.items()},
         "geometry": json.loads(row.shape)}
        for row in rows
    ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def _cached(key: str, build) -> str:
    # Keyed by the newest boundary row too: outlines loaded (or reloaded) after a first answer are not hidden
    # behind it for a day.
    key = f"geo:basemap:{CACHE_VERSION}:{_loaded()}:{key}"
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, CACHE_SECONDS)
    return body


def states() -> str:
    """Every state's outline (simplified to about 2 km), as GeoJSON text."""

    def build() -> str:
        rows = Boundary.objects.filter(kind=Boundary.Kind.STATE).annotate(
            shape=AsGeoJSON(_simplified(0.02), precision=3)
        )
        return _collection(rows.only("name", "state_code"), name="name", code="state_code")

    return _cached("states", build)


def county_shapes() -> dict[str, dict]:
    """Every county's outline (simplified to about 1 km), as GeoJSON geometries by FIPS code: what a map of
    counties is coloured on (the coverage map)."""

    def build() -> str:
        rows = Boundary.objects.filter(kind=Boundary.Kind.COUNTY).annotate(
            shape=AsGeoJSON(_simplified(0.01), precision=3)
        )
        return json.dumps({row.fips: json.loads(row.shape) for row in rows.only("fips")}, separators=(",", ":"))

    return json.loads(_cached("counties", build))


def valid_cell(x: int, y: int) -> bool:
    return 0 <= x < CELLS_X and 0 <= y < CELLS_Y


def cell_bounds(x: int, y: int) -> tuple[float, float, float, float]:
    """West, south, east and north of a cell, in degrees."""
    west, south = -180 + x * CELL_DEGREES, -90 + y * CELL_DEGREES
    return west, south, west + CELL_DEGREES, south + CELL_DEGREES


def cell(x: int, y: int) -> str:
    """One cell's county outlines (GeoJSON; a county crossing cells comes with each, its `fips` tells) and its
    places ([name, state, latitude, longitude, street-delivery ZIP codes], largest first), as JSON text."""

    def build() -> str:
        west, south, east, north = cell_bounds(x, y)
        box = Polygon.from_bbox((west, south, east, north))
        box.srid = WGS84
        rows = Boundary.objects.filter(kind=Boundary.Kind.COUNTY, geometry__intersects=box).annotate(
            shape=AsGeoJSON(_simplified(0.002), precision=3)
        )
        counties = _collection(rows.only("name", "fips").order_by("fips"), name="name", fips="fips")
        places = [
            _place(town)
            for town in gazetteer().towns
            if town.zip_codes and west <= town.longitude < east and south <= town.latitude < north
        ]
        return f'{{"counties":{counties},"places":{json.dumps(places, separators=(",", ":"))}}}'

    return _cached(f"cell:{x}:{y}", build)


def _place(town) -> list:
    """A place as the maps read it: [name, state, latitude, longitude, street-delivery ZIP codes]."""
    return [town.name, town.state, town.latitude, town.longitude, town.zip_codes]


def national_places() -> str:
    """The places named on the whole-country view (the largest), as JSON text, in the cells' form."""

    def build() -> str:
        places = [_place(town) for town in gazetteer().towns if town.zip_codes >= NATIONAL_MIN_ZIP_CODES]
        return json.dumps(places, separators=(",", ":"))

    return _cached("places", build)

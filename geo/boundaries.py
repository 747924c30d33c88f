"""US state and county boundaries: loading them once, and building areas from them."""

import logging
from collections.abc import Iterable
from pathlib import Path

from django.contrib.gis.db.models import Union
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, MultiPolygon, Polygon
from django.db import transaction

from geo.expressions import WGS84
from geo.fips import STATE_FIPS_TO_USPS, USPS_TO_STATE_FIPS
from geo.models import Boundary


class UnknownRegion(ValueError):
    """A state or county code that is not in the loaded boundaries."""

    def __init__(self, codes: Iterable[str]):
        self.codes = sorted(codes)
        super().__init__(f"Unknown state or county code(s): {', '.join(self.codes)}.")


def as_multipolygon(geometry: GEOSGeometry) -> MultiPolygon:
    """Return the polygonal part of a geometry as a valid WGS84 MultiPolygon."""
    if not geometry.valid:
        geometry = geometry.make_valid()
    if isinstance(geometry, Polygon):
        polygons = [geometry]
    elif isinstance(geometry, MultiPolygon):
        polygons = list(geometry)
    elif isinstance(geometry, GeometryCollection):
        polygons = [part for g in geometry for part in (as_multipolygon(g) if g.dims == 2 else [])]
    else:
        polygons = []
    result = MultiPolygon(*polygons, srid=WGS84) if polygons else MultiPolygon(srid=WGS84)
    return result


@transaction.atomic
def boundaries_load(*, path: Path) -> dict[str, int]:
    """Replace the stored boundaries with the states and counties of a us-atlas TopoJSON file.

    Reads `counties-10m.json` (layers `states` and `counties`; ids are FIPS codes, coordinates WGS84).
    A few simplified outlines self-intersect; they are repaired with make_valid, and GEOS's notices about
    them are muted for the load.
    """
    gis_logger = logging.getLogger("django.contrib.gis")
    previous_level = gis_logger.level
    gis_logger.setLevel(logging.ERROR)
    try:
        return _load(path)
    finally:
        gis_logger.setLevel(previous_level)


def _load(path: Path) -> dict[str, int]:
    source = DataSource(str(path))
    layers = {layer.name: layer for layer in source}
    if "states" not in layers or "counties" not in layers:
        raise ValueError(f"{path} has no 'states' and 'counties' layers (expected us-atlas counties-10m.json).")
    rows = []
    for kind, layer in (("state", layers["states"]), ("county", layers["counties"])):
        for feature in layer:
            fips = str(feature.get("id")).zfill(2 if kind == "state" else 5)
            state_code = STATE_FIPS_TO_USPS.get(fips[:2])
            if state_code is None or feature.geom is None:
                continue
            geometry = GEOSGeometry(feature.geom.wkb, srid=WGS84)
            rows.append(
                Boundary(
                    kind=kind, fips=fips, name=feature.get("name"), state_code=state_code,
                    geometry=as_multipolygon(geometry),
                )
            )  # fmt: skip
    Boundary.objects.all().delete()
    Boundary.objects.bulk_create(rows, batch_size=500)
    return {
        "states": sum(1 for row in rows if row.kind == "state"),
        "counties": sum(1 for row in rows if row.kind == "county"),
    }


def region_extent(*, states: Iterable[str] = (), counties: Iterable[str] = ()) -> MultiPolygon:
    """Return the union of whole states (USPS or FIPS codes) and counties (5-digit FIPS) as one area.

    Raises UnknownRegion naming every code that is not in the loaded boundaries.
    """
    wanted_states = {USPS_TO_STATE_FIPS.get(code.upper(), code) for code in states}
    wanted_counties = set(counties)
    found = Boundary.objects.filter(kind=Boundary.Kind.STATE, fips__in=wanted_states) | Boundary.objects.filter(
        kind=Boundary.Kind.COUNTY, fips__in=wanted_counties
    )
    found_codes = set(found.values_list("fips", flat=True))
    missing = (wanted_states | wanted_counties) - found_codes
    if missing:
        reverse = {fips: usps for usps, fips in USPS_TO_STATE_FIPS.items()}
        raise UnknownRegion(reverse.get(code, code) for code in missing)
    if not found_codes:
        raise UnknownRegion([])
    union = found.aggregate(area=Union("geometry"))["area"]
    return as_multipolygon(union)


def state_outline(state_code: str) -> MultiPolygon | None:
    """Return a state's stored outline, or None when boundaries are not loaded."""
    row = Boundary.objects.filter(kind=Boundary.Kind.STATE, state_code=state_code).only("geometry").first()
    return row.geometry if row else None

"""The coverage tests' counties and listings (registered in tests/conftest.py for every test directory)."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geo.models import Boundary
from tests import factories

# Three counties a degree wide, their centres about the boxes' centres.
BOXES = {"48201": ("Harris", (-96.0, 29.0, -95.0, 30.0)), "48113": ("Dallas", (-97.0, 32.0, -96.0, 33.0)),
         "06037": ("Los Angeles", (-119.0, 33.5, -118.0, 34.5))}  # fmt: skip


def centre(fips: str) -> tuple[float, float]:
    west, south, east, north = BOXES[fips][1]
    return (south + north) / 2, (west + east) / 2


@pytest.fixture
def counties(db):
    for fips, (name, box) in BOXES.items():
        shape = MultiPolygon(Polygon.from_bbox(box), srid=4326)
        Boundary.objects.create(kind="county", fips=fips, name=name, state_code="TX", geometry=shape)


def listed(need: str, latitude: float, longitude: float, *, org=None, languages=(), **site):
    org = org or factories.organization()
    service = factories.service(org, needs=(need,), languages=languages)
    location = factories.location(org, latitude=latitude, longitude=longitude, **site)
    factories.offer(service, location)
    return service, location

"""A small hand-built map around downtown Houston for matching tests."""

import pytest
from geopy.distance import geodesic

from tests import factories

ORIGIN = (29.7604, -95.3698)  # "29.7604,-95.3698" as `near`
NEAR = "29.7604,-95.3698"


def point_at(km: float, bearing: float = 0.0) -> tuple[float, float]:
    """Return (lat, lon) that many geodesic km from the origin."""
    moved = geodesic(kilometers=km).destination(ORIGIN, bearing)
    return round(moved.latitude, 6), round(moved.longitude, 6)


@pytest.fixture
def make_offer(db):
    """Create one service offered at one new location; return the ServiceAtLocation."""

    def make(
        km: float,
        needs=("emergency-shelter",),
        *,
        bearing=0.0,
        populations=(),
        languages=("en",),
        org=None,
        location_fields=None,
        **service_fields,
    ):
        org = org or factories.organization()
        latitude, longitude = point_at(km, bearing)
        service_fields.setdefault("last_verified_on", "2026-11-01")
        svc = factories.service(org, needs=needs, populations=populations, languages=languages, **service_fields)
        loc = factories.location(org, latitude=latitude, longitude=longitude, **(location_fields or {}))
        return factories.offer(svc, loc)

    return make

"""nearest / within / covering on a small hand-built map, checked against geopy's geodesic distances."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection
from geopy.distance import geodesic

from demo.builder import demo_registry_load
from geo.queries import covering, make_point, nearest, nearest_query, within
from geo.units import m_to_km, m_to_mi
from providers.models import Location, ServiceArea
from tests import factories

pytestmark = pytest.mark.django_db

ORIGIN = (29.7604, -95.3698)  # downtown Houston
PLACES = {
    "Pasadena": (29.6911, -95.2091),
    "Katy": (29.7858, -95.8245),
    "Galveston": (29.3013, -94.7977),
    "Austin": (30.2672, -97.7431),
    "Dallas": (32.7767, -96.7970),
    "San Antonio": (29.4241, -98.4936),
}


@pytest.fixture
def hand_map():
    org = factories.organization()
    return {
        name: factories.location(org, name=name, latitude=lat, longitude=lon) for name, (lat, lon) in PLACES.items()
    }


def geodesic_order(names):
    return sorted(names, key=lambda name: geodesic(ORIGIN, PLACES[name]).meters)


def test_nearest_order_and_distances_match_geodesic(hand_map):
    rows = nearest(Location.objects.all(), make_point(*ORIGIN), limit=4)
    assert [row.name for row in rows] == geodesic_order(PLACES)[:4]
    for row in rows:
        expected_m = geodesic(ORIGIN, PLACES[row.name]).meters
        assert row.distance.m == pytest.approx(expected_m, rel=0.005)
        assert m_to_km(row.distance.m) == pytest.approx(expected_m / 1000, rel=0.005)
        assert m_to_mi(row.distance.m) == pytest.approx(geodesic(ORIGIN, PLACES[row.name]).miles, rel=0.005)


def test_nearest_skips_locations_without_a_point(hand_map):
    factories.location(latitude=None, longitude=None, location_type="virtual")
    assert len(nearest(Location.objects.all(), make_point(*ORIGIN), limit=50)) == len(PLACES)


def test_within_returns_only_rows_inside_the_radius_nearest_first(hand_map):
    radius_m = geodesic(ORIGIN, PLACES["Austin"]).meters + 1000
    rows = list(within(Location.objects.all(), make_point(*ORIGIN), radius_m=radius_m))
    inside = [name for name in geodesic_order(PLACES) if geodesic(ORIGIN, PLACES[name]).meters <= radius_m]
    assert [row.name for row in rows] == inside
    assert "Dallas" not in inside and "Austin" in inside


@pytest.mark.parametrize("bearing", [0, 90, 200, 315])
def test_radius_edges(bearing):
    # A site exactly 10 km away (geodesic): found with 10.01 km, not with 9.99 km.
    edge = geodesic(meters=10_000).destination(ORIGIN, bearing)
    loc = factories.location(latitude=edge.latitude, longitude=edge.longitude)
    origin = make_point(*ORIGIN)
    assert list(within(Location.objects.all(), origin, radius_m=10_010)) == [loc]
    assert list(within(Location.objects.all(), origin, radius_m=9_990)) == []


def test_public_point_column_measures_to_the_generalized_point():
    loc = factories.location(is_confidential=True, latitude=29.75, longitude=-95.36)
    [row] = nearest(Location.objects.all(), make_point(*ORIGIN), limit=1, column="public_point")
    expected_m = geodesic(ORIGIN, (loc.public_latitude, loc.public_longitude)).meters
    assert row.distance.m == pytest.approx(expected_m, rel=0.005)


def test_unknown_column_is_refused():
    with pytest.raises(ValueError):
        nearest(Location.objects.all(), make_point(*ORIGIN), limit=1, column="latitude")


def test_covering_finds_service_areas_containing_the_point():
    texas_box = MultiPolygon(Polygon.from_bbox((-106.6, 25.8, -93.5, 36.5)), srid=4326)
    area = ServiceArea.objects.create(service=factories.service(), name="Texas", extent=texas_box)
    assert list(covering(ServiceArea.objects.all(), make_point(*ORIGIN))) == [area]
    assert list(covering(ServiceArea.objects.all(), make_point(40.71, -74.0))) == []


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_nearest_and_radius_queries_use_the_gist_indexes_on_10000_locations():
    demo_registry_load(locations=10_000, seed=11)
    assert Location.objects.count() >= 10_000
    origin = make_point(*ORIGIN)
    for column, index in (("point", "location_point_gist"), ("public_point", "location_public_point_gist")):
        knn = explain(nearest_query(Location.objects.all(), origin, limit=20, column=column))
        assert f"Index Scan using {index}" in knn and "Order By" in knn, knn
        radius = explain(within(Location.objects.all(), origin, radius_m=80_000, column=column))
        assert index in radius, radius

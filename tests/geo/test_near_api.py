"""`near` on the API: geocoded origins, radius limits, distances per role, services in reach by area."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from geopy.distance import geodesic

from providers.models import Location, ServiceArea
from tests import factories

pytestmark = pytest.mark.django_db

ZIP_77002 = (29.7594, -95.3594)  # the gazetteer's centroid of 77002


@pytest.fixture
def sites(other_org):
    near = factories.location(other_org, name="Near", latitude=29.78, longitude=-95.36)
    mid = factories.location(other_org, name="Mid", latitude=29.95, longitude=-95.55)
    far = factories.location(other_org, name="Far", latitude=32.78, longitude=-96.80)  # Dallas
    return {"near": near, "mid": mid, "far": far}


def names(response):
    assert response.status_code == 200, response.content
    return [feature["properties"]["name"] for feature in response.json()["features"]]


def test_near_a_zip_orders_by_distance_within_the_default_radius(api, sites):
    assert names(api.get("/api/locations/", {"near": "77002"})) == ["Near", "Mid"]
    assert names(api.get("/api/locations/", {"near": "77002", "radius_mi": 300})) == ["Near", "Mid", "Far"]


def test_distances_in_km_and_miles_match_geodesic(api, sites):
    features = api.get("/api/locations/", {"near": "77002", "radius_km": 500}).json()["features"]
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        expected = geodesic(ZIP_77002, (lat, lon))
        assert feature["properties"]["distance_km"] == pytest.approx(expected.km, rel=0.005)
        assert feature["properties"]["distance_mi"] == pytest.approx(expected.miles, rel=0.005)


def test_near_accepts_city_and_coordinates(api, sites):
    assert names(api.get("/api/locations/", {"near": "Dallas, TX", "radius_mi": 20})) == ["Far"]
    assert names(api.get("/api/locations/", {"near": "29.78,-95.36", "radius_km": 1})) == ["Near"]


def test_radius_edge_through_the_api(api):
    edge = geodesic(kilometers=20).destination(ZIP_77002, 45)
    factories.location(name="Edge", latitude=edge.latitude, longitude=edge.longitude)
    assert names(api.get("/api/locations/", {"near": "77002", "radius_km": 20.05})) == ["Edge"]
    assert names(api.get("/api/locations/", {"near": "77002", "radius_km": 19.95})) == []


def test_anonymous_distance_is_to_the_public_point_and_hotline_to_the_exact_one(api, client_for, provider_org):
    shelter = factories.location(provider_org, is_confidential=True, latitude=29.77, longitude=-95.37)
    params = {"near": "77002", "radius_mi": 10}
    public = api.get("/api/locations/", params).json()["features"][0]["properties"]
    exact = client_for("hotline").get("/api/locations/", params).json()["features"][0]["properties"]
    own = client_for("provider").get("/api/locations/", params).json()["features"][0]["properties"]
    other = client_for("other_provider").get("/api/locations/", params).json()["features"][0]["properties"]
    to_public = geodesic(ZIP_77002, (shelter.public_latitude, shelter.public_longitude)).km
    to_exact = geodesic(ZIP_77002, (29.77, -95.37)).km
    assert public["distance_km"] == pytest.approx(to_public, rel=0.005, abs=0.005)
    assert other["distance_km"] == pytest.approx(to_public, rel=0.005, abs=0.005)
    assert exact["distance_km"] == pytest.approx(to_exact, rel=0.005)
    assert own["distance_km"] == pytest.approx(to_exact, rel=0.005)


def test_radius_is_applied_to_the_public_point_for_the_public(api, client_for):
    # A confidential site just inside 1 km of the origin is placed 1-3 km away for the public.
    shelter = factories.location(is_confidential=True, latitude=29.7594, longitude=-95.3500)
    exact_km = geodesic(ZIP_77002, (shelter.latitude, shelter.longitude)).km
    public_km = geodesic(ZIP_77002, (shelter.public_latitude, shelter.public_longitude)).km
    radius_km = exact_km + 0.05
    hotline = names(client_for("hotline").get("/api/locations/", {"near": "77002", "radius_km": radius_km}))
    anonymous = names(api.get("/api/locations/", {"near": "77002", "radius_km": radius_km}))
    assert hotline == [shelter.name]
    assert anonymous == ([shelter.name] if public_km <= radius_km else [])


@pytest.mark.parametrize(
    "params, field",
    [
        ({"near": "77002", "radius_mi": 501}, "radius_mi"),
        ({"near": "77002", "radius_km": 900}, "radius_km"),
        ({"near": "77002", "radius_mi": -5}, "radius_mi"),
        ({"near": "77002", "radius_mi": 0}, "radius_mi"),
        ({"near": "77002", "radius_mi": "ten"}, "radius_mi"),
        ({"near": "77002", "radius_mi": 5, "radius_km": 5}, "radius_km"),
        ({"radius_mi": 5}, "near"),
        ({"near": "91,10"}, "near"),
        ({"near": "10,-181"}, "near"),
        ({"near": "nowhere at all"}, "near"),
        ({"near": "Springfield"}, "near"),
    ],
)
def test_bad_near_and_radius_are_400_naming_the_field(api, params, field):
    response = api.get("/api/locations/", params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_ambiguous_place_lists_candidates(api):
    message = api.get("/api/locations/", {"near": "Springfield"}).json()["near"][0]
    assert "Springfield, IL" in message and "Springfield, MO" in message


class TestServicesInReach:
    @pytest.fixture
    def statewide(self, other_org):
        """A statewide virtual hotline whose office is far away (Austin) but whose area is Texas."""
        svc = factories.service(other_org, name="Statewide hotline", needs=["crisis-hotline"])
        office = factories.location(other_org, latitude=30.27, longitude=-97.74)
        factories.offer(svc, office)
        texas = MultiPolygon(Polygon.from_bbox((-106.6, 25.8, -93.5, 36.5)), srid=4326)
        ServiceArea.objects.create(service=svc, name="Texas", extent=texas)
        return svc

    def test_service_area_covering_the_origin_counts_as_in_reach(self, api, statewide):
        ids = {row["id"] for row in api.get("/api/services/", {"near": "77002", "radius_mi": 10}).json()["results"]}
        assert str(statewide.pk) in ids
        ids = {row["id"] for row in api.get("/api/services/", {"near": "10001", "radius_mi": 10}).json()["results"]}
        assert str(statewide.pk) not in ids

    def test_services_offered_nearby_are_in_reach(self, api, sites, other_org):
        svc = factories.service(other_org, name="Clinic")
        factories.offer(svc, sites["near"])
        ids = {row["id"] for row in api.get("/api/services/", {"near": "77002", "radius_mi": 5}).json()["results"]}
        assert str(svc.pk) in ids
        ids = {row["id"] for row in api.get("/api/services/", {"near": "Dallas, TX", "radius_mi": 5}).json()["results"]}
        assert str(svc.pk) not in ids

    def test_organizations_near(self, api, statewide, other_org):
        ids = {row["id"] for row in api.get("/api/organizations/", {"near": "77002"}).json()["results"]}
        assert str(other_org.pk) in ids


class TestGeocodeEndpoint:
    def test_zip(self, api):
        body = api.get("/api/geocode/", {"q": "77002"}).json()
        assert body == {"lat": 29.7594, "lon": -95.3594, "label": "77002, Houston, TX", "source": "gazetteer",
                        "precision": "zip"}  # fmt: skip

    def test_ambiguous_has_candidates(self, api):
        response = api.get("/api/geocode/", {"q": "Springfield"})
        assert response.status_code == 400
        assert "Springfield, IL" in response.json()["candidates"] and response.json()["q"]

    @pytest.mark.parametrize("q", ["", "qqqq zzzz", "95,0", "x" * 400])
    def test_unknown_or_bad_is_400(self, api, q):
        response = api.get("/api/geocode/", {"q": q})
        assert response.status_code == 400 and "q" in response.json()


class TestLocatingFromAddress:
    def test_address_without_coordinates_is_geocoded(self):
        loc = factories.location(latitude=None, longitude=None)
        factories.address(loc, address_1="1200 Smith St", city="Houston", state_province="TX", postal_code="77002")
        loc.refresh_from_db()
        assert (loc.latitude, loc.longitude) == ZIP_77002
        assert loc.point is not None and loc.public_point is not None

    def test_explicit_coordinates_are_never_overwritten(self):
        loc = factories.location(latitude=29.70, longitude=-95.40)
        factories.address(loc, postal_code="10001", city="New York", state_province="NY")
        loc.refresh_from_db()
        assert (loc.latitude, loc.longitude) == (29.70, -95.40)

    def test_unknown_address_leaves_the_location_unplaced(self):
        loc = factories.location(latitude=None, longitude=None)
        factories.address(loc, city="Atlantis", state_province="TX", postal_code="")
        assert Location.objects.get(pk=loc.pk).latitude is None

    def test_virtual_location_is_not_placed(self):
        loc = factories.location(latitude=None, longitude=None, location_type="virtual")
        factories.address(loc)
        assert Location.objects.get(pk=loc.pk).latitude is None

    def test_confidential_location_located_from_address_is_generalized(self):
        loc = factories.location(latitude=None, longitude=None, is_confidential=True)
        factories.address(loc, postal_code="77002")
        loc.refresh_from_db()
        assert loc.latitude is not None
        assert (loc.public_latitude, loc.public_longitude) != (loc.latitude, loc.longitude)

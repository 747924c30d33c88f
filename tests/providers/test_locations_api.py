"""GET /api/locations/: GeoJSON shape, filters, and confidential sites generalized per role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/locations/"

# A confidential shelter in Houston and what must never reach those who may not see it.
EXACT_LAT, EXACT_LON = 29.751234, -95.361234
STREET = "4321 Hidden Oak Ln"
DIRECT_LINE = "+17135550142"
FRONT_DOOR = "+17135550199"


@pytest.fixture
def shelter(provider_org):
    loc = factories.location(
        provider_org, latitude=EXACT_LAT, longitude=EXACT_LON, is_confidential=True, name="Safe House",
        beds_total=12, beds_available=3,
    )  # fmt: skip
    factories.address(loc, address_1=STREET, city="Houston", postal_code="77003")
    factories.phone(location=loc, number=DIRECT_LINE, description="Direct line")
    factories.phone(location=loc, number=FRONT_DOOR, is_front_door=True, description="Front door")
    svc = factories.service(provider_org, needs=["emergency-shelter"], populations=["women"], languages=["en", "es"])
    factories.offer(svc, loc)
    return loc


@pytest.fixture
def clinic(other_org):
    loc = factories.location(other_org, latitude=29.70, longitude=-95.40, name="Clinic")
    factories.address(loc, address_1="1 Clinic Way")
    factories.offer(factories.service(other_org, needs=["medical"], languages=["en"]), loc)
    return loc


def features(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return {feature["id"]: feature for feature in body["features"]}


def test_list_is_a_paginated_geojson_feature_collection(api, clinic):
    body = api.get(URL).json()
    assert body["type"] == "FeatureCollection" and body["count"] == 1 and "next" in body
    feature = body["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [-95.40, 29.70]}
    props = feature["properties"]
    assert props["precision"] == "exact"
    assert props["addresses"][0]["address_1"] == "1 Clinic Way"
    assert props["services"][0]["name"]
    assert props["time_zone"] == "America/Chicago"


def test_detail_is_a_geojson_feature(api, clinic):
    body = api.get(f"{URL}{clinic.pk}/").json()
    assert body["type"] == "Feature" and body["id"] == str(clinic.pk)


def test_virtual_location_has_null_geometry(api):
    factories.location(latitude=None, longitude=None, location_type="virtual")
    body = api.get(URL).json()
    assert body["features"][0]["geometry"] is None


class TestConfidentialSites:
    @pytest.mark.parametrize("persona", [None, "other_provider"])
    def test_generalized_for_those_who_may_not_see_it(self, client_for, shelter, persona):
        for response in (client_for(persona).get(URL), client_for(persona).get(f"{URL}{shelter.pk}/")):
            raw = response.content.decode()
            for secret in (f"{EXACT_LAT}", f"{EXACT_LON}", STREET, DIRECT_LINE):
                assert secret not in raw, f"{secret} leaked to {persona or 'anonymous'}"
        feature = client_for(persona).get(f"{URL}{shelter.pk}/").json()
        props = feature["properties"]
        assert props["precision"] == "approximate"
        assert feature["geometry"]["coordinates"] == [shelter.public_longitude, shelter.public_latitude]
        assert [phone["number"] for phone in props["phones"]] == [FRONT_DOOR]
        assert props["addresses"] == [
            {"address_type": "physical", "city": "Houston", "state_province": "TX", "postal_code": "77003",
             "country": "US"}
        ]  # fmt: skip

    @pytest.mark.parametrize("persona", ["hotline", "specialist", "moderator", "provider"])
    def test_exact_for_roles_that_need_it(self, client_for, shelter, persona):
        feature = client_for(persona).get(f"{URL}{shelter.pk}/").json()
        props = feature["properties"]
        assert props["precision"] == "exact"
        assert feature["geometry"]["coordinates"] == [EXACT_LON, EXACT_LAT]
        assert props["addresses"][0]["address_1"] == STREET
        assert {phone["number"] for phone in props["phones"]} == {DIRECT_LINE, FRONT_DOOR}

    def test_bbox_cannot_be_used_to_find_the_exact_point(self, api, client_for, shelter):
        # A tiny box around the exact point: the public may not learn the site is there.
        box = f"{EXACT_LON - 0.001},{EXACT_LAT - 0.001},{EXACT_LON + 0.001},{EXACT_LAT + 0.001}"
        assert features(api.get(URL, {"bbox": box})) == {}
        assert str(shelter.pk) in features(client_for("hotline").get(URL, {"bbox": box}))
        assert str(shelter.pk) in features(client_for("provider").get(URL, {"bbox": box}))
        assert features(client_for("other_provider").get(URL, {"bbox": box})) == {}

    def test_bbox_around_the_public_point_finds_it_for_the_public(self, api, shelter):
        lat, lon = shelter.public_latitude, shelter.public_longitude
        box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
        assert str(shelter.pk) in features(api.get(URL, {"bbox": box}))


class TestFilters:
    def test_need_filter(self, api, shelter, clinic):
        assert set(features(api.get(URL, {"need": "emergency-shelter"}))) == {str(shelter.pk)}
        assert set(features(api.get(URL, {"need": "emergency-shelter,medical"}))) == {str(shelter.pk), str(clinic.pk)}
        assert set(features(api.get(URL + "?need=medical&need=emergency-shelter"))) == {
            str(shelter.pk),
            str(clinic.pk),
        }

    def test_parent_need_finds_services_tagged_with_a_child_term(self, api, other_org):
        loc = factories.location(other_org)
        factories.offer(factories.service(other_org, needs=["t-visa"]), loc)
        assert set(features(api.get(URL, {"need": "immigration-legal"}))) == {str(loc.pk)}
        assert set(features(api.get(URL, {"need": "legal"}))) == {str(loc.pk)}
        assert features(api.get(URL, {"need": "u-visa"})) == {}

    def test_language_filter(self, api, shelter, clinic):
        assert set(features(api.get(URL, {"language": "es"}))) == {str(shelter.pk)}

    def test_population_filter_uses_serves_semantics(self, api, shelter, clinic):
        # The shelter lists "women"; the clinic lists no gender (serves everyone).
        assert set(features(api.get(URL, {"population": "men"}))) == {str(clinic.pk)}
        assert set(features(api.get(URL, {"population": "women"}))) == {str(shelter.pk), str(clinic.pk)}

    def test_organization_filter(self, api, shelter, clinic, other_org):
        assert set(features(api.get(URL, {"organization": str(other_org.pk)}))) == {str(clinic.pk)}

    def test_status_filter(self, api, other_org):
        loc = factories.location(other_org)
        factories.offer(factories.service(other_org, status="temporarily closed"), loc)
        assert set(features(api.get(URL, {"status": "temporarily closed"}))) == {str(loc.pk)}
        assert features(api.get(URL, {"status": "active"})) == {}

    def test_bbox_filter_edges_are_inclusive(self, api, clinic):
        assert str(clinic.pk) in features(api.get(URL, {"bbox": "-95.40,29.70,-95.0,30.0"}))
        assert features(api.get(URL, {"bbox": "-95.39,29.71,-95.0,30.0"})) == {}

    @pytest.mark.parametrize(
        "params, field",
        [
            ({"need": "flying-lessons"}, "need"),
            ({"need": "emergency-shelter,nope"}, "need"),
            ({"language": "xx"}, "language"),
            ({"language": "spanish"}, "language"),
            ({"population": "everyone"}, "population"),
            ({"status": "open"}, "status"),
            ({"organization": "not-a-uuid"}, "organization"),
            ({"bbox": "1,2,3"}, "bbox"),
            ({"bbox": "a,b,c,d"}, "bbox"),
            ({"bbox": "-95,29,-96,30"}, "bbox"),
            ({"bbox": "-95,91,-94,92"}, "bbox"),
            ({"bbox": "-181,29,-94,30"}, "bbox"),
            ({"bbox": "nan,29,-94,30"}, "bbox"),
            ({"location_type": "boat"}, "location_type"),
            ({"need": ",".join(["medical"] * 2 + [f"x{i}" for i in range(25)])}, "need"),
        ],
    )
    def test_bad_values_are_400_naming_the_parameter(self, api, params, field):
        response = api.get(URL, params)
        assert response.status_code == 400
        assert field in response.json()

    def test_unknown_code_is_named_in_the_message(self, api):
        message = api.get(URL, {"need": "emergency-shelter,flying-lessons"}).json()["need"][0]
        assert "flying-lessons" in message and "emergency-shelter" not in message


def test_query_count_does_not_grow_with_results(api, other_org):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(URL).status_code == 200
        return len(ctx.captured_queries)

    def add_site():
        loc = factories.location(other_org, is_confidential=True)
        factories.address(loc)
        factories.phone(location=loc, is_front_door=True)
        factories.schedule(loc, 1, "09:00", "17:00")
        factories.offer(factories.service(other_org), loc)

    add_site()
    few = count_queries()
    for _ in range(5):
        add_site()
    assert count_queries() == few


def test_exact_coordinates_absent_from_anonymous_page_of_many(api, other_org):
    sites = [
        factories.location(other_org, is_confidential=True, latitude=30.1 + i / 10, longitude=-97.7) for i in range(4)
    ]
    body = api.get(URL).json()
    shown = {tuple(f["geometry"]["coordinates"]) for f in body["features"]}
    shown |= {(f["properties"]["longitude"], f["properties"]["latitude"]) for f in body["features"]}
    for site in sites:
        assert (site.longitude, site.latitude) not in shown
        assert (site.public_longitude, site.public_latitude) in shown


@pytest.mark.parametrize("params", [{"need": "a%"}, {"near": "100%"}, {"population": "%"}, {"language": "%s"}])
def test_percent_signs_in_values_are_a_400_not_a_500(api, params):
    response = api.get(URL, params)
    assert response.status_code == 400 and set(params) <= set(response.json())

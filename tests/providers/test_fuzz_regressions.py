"""Defects the API fuzzer (tests/fuzz) found in the registry endpoints, each pinned by a plain test: answers
that did not match their own schema, and bad input that was a 500 instead of a 400 naming the field."""

from datetime import time

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from tests import factories
from tests.matching.test_match_schema import to_json_schema

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def assert_matches_schema(schema, response, path: str, method: str = "get", status: str = "200"):
    """Check the response against its documented schema, formats included (a time, a UUID, ...)."""
    assert response.status_code == int(status), response.content
    components = schema["components"]["schemas"]
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), to_json_schema(content, components), format_checker=jsonschema.FormatChecker())


@pytest.fixture
def shelter(provider_org):
    """A confidential site with an address and opening hours."""
    location = factories.location(provider_org, name="Safe House", is_confidential=True)
    factories.address(location, address_1="12 Hidden Way", postal_code="77080")
    factories.schedule(location, 1, time(9), time(17))
    factories.offer(factories.service(provider_org, needs=("emergency-shelter",)), location)
    return location


def test_taxonomy_top_level_needs_have_a_null_parent_in_the_schema(schema, api):
    response = api.get("/api/taxonomy/")

    assert any(term["parent"] is None for term in response.json())
    assert_matches_schema(schema, response, "/api/taxonomy/")


def test_locations_page_is_the_feature_collection_its_schema_describes(schema, api, shelter):
    """drf-gis's page schema required a `results` key the FeatureCollection does not have."""
    response = api.get("/api/locations/")

    assert response.json()["type"] == "FeatureCollection" and response.json()["count"] == 1
    assert_matches_schema(schema, response, "/api/locations/")


def test_generalized_confidential_site_matches_the_schema_without_a_street(schema, api, shelter):
    response = api.get(f"/api/locations/{shelter.pk}/")

    assert "address_1" not in response.json()["properties"]["addresses"][0]
    assert_matches_schema(schema, response, "/api/locations/{id}/")


def test_location_without_near_has_null_distances_in_the_schema(schema, client_for, shelter):
    response = client_for("hotline").get(f"/api/locations/{shelter.pk}/")

    assert response.json()["properties"]["distance_km"] is None
    assert_matches_schema(schema, response, "/api/locations/{id}/")


def test_virtual_location_has_null_coordinates_in_the_schema(schema, api, provider_org):
    hotline = factories.location(provider_org, location_type="virtual", latitude=None, longitude=None)

    response = api.get(f"/api/locations/{hotline.pk}/")

    assert response.json()["properties"]["latitude"] is None
    assert_matches_schema(schema, response, "/api/locations/{id}/")


def test_opening_hours_are_hh_mm_as_the_schema_says(schema, client_for, shelter):
    """`format: time` is RFC 3339's full-time (with a UTC offset); local hours are HH:MM, and both the
    location and the schedules endpoint say so."""
    location = client_for("hotline").get(f"/api/locations/{shelter.pk}/")
    replaced = client_for("provider").put(
        f"/api/locations/{shelter.pk}/schedules/",
        [{"weekday": 2, "opens_at": "08:30:00", "closes_at": "18:00"}],
        format="json",
    )

    assert location.json()["properties"]["schedules"][0]["opens_at"] == "09:00"
    assert replaced.json() == [
        {"weekday": 2, "opens_at": "08:30", "closes_at": "18:00", "description": "", "description_es": ""}
    ]
    assert_matches_schema(schema, location, "/api/locations/{id}/")
    assert_matches_schema(schema, replaced, "/api/locations/{id}/schedules/", "put")


APPLICATION = {
    "contact_name": "Dana Director",
    "contact_email": "dana@harbor.example",
    "organization": {"name": "Harbor House", "description": "Shelter.", "email": "intake@harbor.example"},
    "locations": [
        {"name": "Harbor Office",
         "address": {"address_1": "1 Main St", "city": "Denver", "state_province": "CO", "postal_code": "80202"}},
    ],
}  # fmt: skip


@pytest.mark.parametrize("field", ["needs", "populations", "languages"])
def test_nul_character_in_an_applications_code_is_a_400_naming_the_field(api, field):
    """PostgreSQL text cannot hold NUL: looking the code up was a database error (500)."""
    service = {"name": "Emergency shelter", "needs": ["emergency-shelter"], field: ["emergency\x00shelter"]}

    response = api.post("/api/applications/", {**APPLICATION, "services": [service]}, format="json")

    assert response.status_code == 400, response.content
    # Refused as the body is read (core/input.py), named by its path in the body.
    assert response.json() == {f"services[0].{field}[0]": ["Null characters are not allowed."]}


def test_nul_character_in_a_service_edit_code_is_a_400_naming_the_field(client_for, shelter):
    service = shelter.service_at_locations.get().service

    response = client_for("provider").patch(f"/api/services/{service.pk}/", {"needs": ["legal\x00"]}, format="json")

    assert response.status_code == 400
    assert response.json() == {"needs[0]": ["Null characters are not allowed."]}

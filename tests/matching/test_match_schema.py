"""The match response agrees with the OpenAPI schema that documents it."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from tests import factories
from tests.matching.conftest import NEAR

pytestmark = pytest.mark.django_db


def to_json_schema(node, components):
    """Resolve $refs and turn OpenAPI 3.0 `nullable` into JSON Schema null types."""
    if isinstance(node, list):
        return [to_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return to_json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    node = {key: to_json_schema(value, components) for key, value in node.items()}
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_match_response_validates_against_the_schema(client_for, make_offer, provider_org):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from providers.models import VictimAssistanceSpecialist

    VictimAssistanceSpecialist.objects.create(
        name="VAS", hsi_office="HSI Houston", phone="+17135550133",
        coverage_area=MultiPolygon(Polygon.from_bbox((-106.6, 25.8, -93.5, 36.5)), srid=4326),
    )  # fmt: skip
    shelter = make_offer(3, org=provider_org, location_fields={"is_confidential": True, "beds_total": 4})
    factories.address(shelter.location)
    factories.phone(location=shelter.location, is_front_door=True)
    make_offer(9, needs=["medical"])
    make_offer(300, needs=["t-visa"])
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    result_schema = to_json_schema(components["MatchResult"], components)
    for persona in (None, "hotline"):
        body = (
            client_for(persona)
            .get("/api/match/", {"near": NEAR, "needs": "emergency-shelter,medical,t-visa,dental"})
            .json()
        )
        assert body["results"] and body["coverage_plan"]["uncovered"]
        jsonschema.validate(body, result_schema)
    assert set(result_schema["properties"]) == set(body)

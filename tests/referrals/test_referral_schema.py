"""Referral responses agree with the OpenAPI schema that documents them."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.matching.test_match_schema import to_json_schema

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def response_schema(schema, path: str, method: str, status: str = "200"):
    components = schema["components"]["schemas"]
    content = schema["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    return to_json_schema(content, components)


def test_referral_responses_validate_against_the_schema(schema, people, as_user, act, referral_code, client_for):
    receiver = as_user(people["receiver"])
    act(people["receiver"], referral_code, "decline", reason="other", reason_text="Full tonight")
    checks = [
        ("/api/referrals/", "get", receiver.get("/api/referrals/")),
        ("/api/referrals/{code}/", "get", receiver.get(f"/api/referrals/{referral_code}/")),
        ("/api/referrals/{code}/events/", "get", receiver.get(f"/api/referrals/{referral_code}/events/")),
        ("/api/reports/referrals/", "get", client_for("moderator").get("/api/reports/referrals/")),
    ]
    for path, method, response in checks:
        assert response.status_code == 200, path
        jsonschema.validate(response.json(), response_schema(schema, path, method))


def test_conflict_and_create_responses_validate_against_the_schema(schema, people, send, act, referral_code):
    conflict = act(people["receiver"], referral_code, "complete", outcome="got_help")
    created = send(people["sender"])

    jsonschema.validate(conflict.json(), response_schema(schema, "/api/referrals/{code}/complete/", "post", "409"))
    jsonschema.validate(created.json(), response_schema(schema, "/api/referrals/", "post", "201"))

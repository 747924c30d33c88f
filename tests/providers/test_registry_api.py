"""Organizations, services, specialists, vocabularies, auth token and API docs."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from providers.models import Language, NeedTerm, Population, VictimAssistanceSpecialist
from tests import factories

pytestmark = pytest.mark.django_db

REQUIRED_NEEDS = {
    "emergency-shelter", "transitional-housing", "long-term-housing", "case-management", "crisis-hotline",
    "safety-planning", "legal-civil", "legal-criminal", "immigration-legal", "t-visa", "u-visa",
    "continued-presence", "medical", "dental", "mental-health", "substance-use", "interpretation",
    "education-esl", "job-training", "transportation", "childcare", "basic-needs", "family-reunification",
    "repatriation", "public-benefits",
}  # fmt: skip
REQUIRED_POPULATIONS = {
    "adults", "minors", "women", "men", "transgender-nonbinary", "lgbtq", "sex-trafficking",
    "labor-trafficking", "foreign-nationals", "us-citizens-lpr",
}  # fmt: skip


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


class TestVocabularies:
    def test_needs_taxonomy_is_shipped_with_the_schema(self):
        assert REQUIRED_NEEDS <= set(NeedTerm.objects.values_list("code", flat=True))
        assert NeedTerm.objects.get(code="t-visa").parent.code == "immigration-legal"
        assert NeedTerm.objects.get(code="continued-presence").parent.code == "immigration-legal"
        assert not NeedTerm.objects.filter(description="").exists()

    def test_taxonomy_endpoint_lists_terms_with_parents(self, api):
        terms = {term["code"]: term for term in api.get("/api/taxonomy/").json()}
        assert REQUIRED_NEEDS <= set(terms)
        assert terms["u-visa"]["parent"] == "immigration-legal"
        assert api.get("/api/taxonomy/t-visa/").json()["name"] == "T visa"

    def test_populations_cover_the_eligibility_attributes(self, api):
        assert REQUIRED_POPULATIONS <= set(Population.objects.values_list("code", flat=True))
        assert {row["code"] for row in api.get("/api/populations/").json()} >= REQUIRED_POPULATIONS

    def test_iso_639_1_languages_are_loaded(self, api):
        assert Language.objects.count() >= 180
        assert Language.objects.get(code="es").name == "Spanish"
        assert api.get("/api/languages/ht/").json()["name"].startswith("Haitian")


class TestServices:
    def test_service_representation(self, api, provider_org):
        svc = factories.service(
            provider_org, needs=["t-visa", "immigration-legal"], populations=["foreign-nationals"],
            languages=["es"], minimum_age=18,
        )  # fmt: skip
        factories.offer(svc, factories.location(provider_org))
        row = api.get(f"/api/services/{svc.pk}/").json()
        assert row["organization"] == {"id": str(provider_org.pk), "name": provider_org.name}
        assert set(row["needs"]) == {"t-visa", "immigration-legal"}
        assert row["populations"] == ["foreign-nationals"] and row["languages"] == ["es"]
        assert row["minimum_age"] == 18 and row["status"] == "active"
        assert len(row["locations"]) == 1 and "latitude" not in row["locations"][0]

    def test_population_minors_excludes_adults_only_services(self, api, provider_org):
        adults_only = factories.service(provider_org, populations=["adults"], minimum_age=18)
        by_age_only = factories.service(provider_org, minimum_age=18)
        youth = factories.service(provider_org, populations=["minors"], maximum_age=17)
        anyone = factories.service(provider_org)
        minors = ids(api.get("/api/services/", {"population": "minors"}))
        assert minors == {str(youth.pk), str(anyone.pk)}
        adults = ids(api.get("/api/services/", {"population": "adults"}))
        assert adults == {str(adults_only.pk), str(by_age_only.pk), str(anyone.pk)}

    def test_filters_combine(self, api, provider_org, other_org):
        match = factories.service(provider_org, needs=["medical"], languages=["es"])
        factories.service(provider_org, needs=["medical"], languages=["en"])
        factories.service(other_org, needs=["medical"], languages=["es"])
        params = {"need": "medical", "language": "es", "organization": str(provider_org.pk)}
        assert ids(api.get("/api/services/", params)) == {str(match.pk)}

    def test_bbox_filter_uses_locations(self, api, provider_org):
        svc = factories.service(provider_org)
        factories.offer(svc, factories.location(provider_org, latitude=40.0, longitude=-100.0))
        factories.service(provider_org)  # no location
        assert ids(api.get("/api/services/", {"bbox": "-101,39,-99,41"})) == {str(svc.pk)}

    def test_bad_filter_is_400(self, api):
        response = api.get("/api/services/", {"need": "nope"})
        assert response.status_code == 400 and "need" in response.json()


class TestOrganizations:
    def test_filter_by_need_and_bbox(self, api, provider_org, other_org):
        factories.offer(factories.service(provider_org, needs=["emergency-shelter"]),
                        factories.location(provider_org, latitude=29.7, longitude=-95.3))  # fmt: skip
        factories.offer(factories.service(other_org, needs=["medical"]),
                        factories.location(other_org, latitude=40.7, longitude=-74.0))  # fmt: skip
        assert ids(api.get("/api/organizations/", {"need": "housing"})) == {str(provider_org.pk)}
        assert ids(api.get("/api/organizations/", {"bbox": "-75,40,-73,41"})) == {str(other_org.pk)}

    def test_bbox_on_organizations_respects_confidentiality(self, api, client_for, provider_org):
        loc = factories.location(provider_org, is_confidential=True, latitude=29.75, longitude=-95.36)
        factories.offer(factories.service(provider_org), loc)
        box = "-95.361,29.749,-95.359,29.751"
        assert str(provider_org.pk) not in ids(api.get("/api/organizations/", {"bbox": box}))
        assert str(provider_org.pk) in ids(client_for("hotline").get("/api/organizations/", {"bbox": box}))
        assert loc.public_latitude != loc.latitude

    def test_need_and_place_must_hold_for_the_same_service(self, api, other_org):
        # t-visa help in Dallas, a clinic in Houston: not "t-visa help near Houston".
        factories.offer(factories.service(other_org, needs=["t-visa"]),
                        factories.location(other_org, latitude=32.78, longitude=-96.80))  # fmt: skip
        factories.offer(factories.service(other_org, needs=["medical"]),
                        factories.location(other_org, latitude=29.76, longitude=-95.36))  # fmt: skip
        params = {"need": "t-visa", "near": "77002", "radius_mi": 5}
        assert ids(api.get("/api/organizations/", params)) == set()
        assert ids(api.get("/api/organizations/", {"need": "medical", "near": "77002", "radius_mi": 5})) == {
            str(other_org.pk)
        }
        assert ids(api.get("/api/organizations/", {"need": "t-visa", "bbox": "-95.5,29.6,-95.2,29.9"})) == set()

    def test_list_is_paginated(self, api):
        for _ in range(3):
            factories.organization()
        body = api.get("/api/organizations/", {"page_size": 2}).json()
        assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


class TestSpecialists:
    @pytest.fixture
    def specialist(self):
        area = MultiPolygon(Polygon.from_bbox((-106.6, 25.8, -93.5, 36.5)), srid=4326)
        listing = VictimAssistanceSpecialist.objects.create(
            name="Test Specialist", hsi_office="HSI Houston", phone="+17135550111", coverage_area=area,
            coverage_description="Texas", on_call_24_7=True,
        )  # fmt: skip
        listing.languages.set(["en", "es"])
        return listing

    def test_anonymous_callers_must_sign_in(self, api, specialist):
        assert api.get("/api/specialists/").status_code == 401
        assert api.get(f"/api/specialists/{specialist.pk}/").status_code == 401

    @pytest.mark.parametrize("persona", ["hotline", "specialist", "provider", "moderator"])
    def test_signed_in_roles_see_specialists(self, client_for, specialist, persona):
        rows = client_for(persona).get("/api/specialists/").json()["results"]
        assert rows[0]["phone"] == "+17135550111" and rows[0]["languages"] == ["en", "es"]
        assert "coverage_area" not in rows[0]

    def test_detail_carries_coverage_area_geojson(self, client_for, specialist):
        body = client_for("hotline").get(f"/api/specialists/{specialist.pk}/").json()
        assert body["type"] == "Feature" and body["geometry"]["type"] == "MultiPolygon"

    def test_filters(self, client_for, specialist):
        client = client_for("hotline")
        assert client.get("/api/specialists/", {"bbox": "-96,29,-95,30"}).json()["count"] == 1
        assert client.get("/api/specialists/", {"bbox": "-75,40,-73,41"}).json()["count"] == 0
        assert client.get("/api/specialists/", {"language": "vi"}).json()["count"] == 0
        assert client.get("/api/specialists/", {"language": "es"}).json()["count"] == 1
        assert client.get("/api/specialists/", {"language": "zz"}).status_code == 400


class TestAuthAndDocs:
    def test_token_login_and_use(self, api, personas):
        response = api.post(
            "/api/auth/token/", {"username": personas["hotline"].username, "password": factories.TEST_PASSWORD}
        )
        assert response.status_code == 200
        api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert api.get("/api/specialists/").status_code == 200

    def test_wrong_password_is_400(self, api, personas):
        response = api.post("/api/auth/token/", {"username": personas["hotline"].username, "password": "nope"})
        assert response.status_code == 400 and "token" not in response.json()

    @pytest.mark.usefixtures("production_password_hashing")
    def test_passwords_are_hashed_with_argon2(self, personas):
        assert personas["hotline"].password.startswith("argon2")

    def test_openapi_schema(self, api):
        response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        paths = response.json()["paths"]
        assert {"/api/locations/", "/api/services/", "/api/organizations/", "/api/specialists/"} <= set(paths)

    def test_swagger_ui_is_served_from_own_static_files(self, api):
        html = api.get("/api/docs/").content.decode()
        assert "swagger-ui" in html
        assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


def test_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")

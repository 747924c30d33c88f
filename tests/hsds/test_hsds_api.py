"""The read-only HSDS API under /hsds/: every response valid against the HSDS 3.1 schemas, lists in the Page
object, filters, proximity in metres, confidential sites generalized per caller; and the moderators'
taxonomy mappings, which decide what an imported term means here."""

import json
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
import zipcodes
from django.conf import settings
from geopy.distance import geodesic
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from hsds import spec
from hsds.exporter import WITHHELD_STREET
from hsds.importer import FLAGS_TAXONOMY, NEEDS_TAXONOMY, import_hsds
from hsds.models import ExternalId, TaxonomyMapping
from providers.models import Organization, Service
from tests import factories

pytestmark = pytest.mark.django_db

# Where openapi.json says the schema files are; here they are served from spec_dir, never fetched.
SPEC_BASE = spec.SCHEMA_BASE
# The compiled files openapi.json names (left out of the kept copy, as they are the object schemas with their
# references inlined): the object schemas stand in for them. A list's items are objects with fewer fields.
COMPILED = {"compiled/service.json": "service.json", "compiled/service_list.json": "service.json",
            "compiled/organization.json": "organization.json", "compiled/organization_list.json": "organization.json",
            "compiled/service_at_location_list.json": "service_at_location.json"}  # fmt: skip
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}
MAPPINGS = "/api/taxonomy-mappings/"

# A confidential shelter in San Francisco's Mission (ZIP 94110), and what must never reach those who may
# not see it.
EXACT_LAT, EXACT_LON = 37.752468, -122.418231
STREET = "2917 Hidden Courtyard Ln"
DIRECT_LINE = "+14155550142"
FRONT_DOOR = "+14155550199"


@pytest.fixture(scope="session")
def hsds_schema(spec_dir):
    """Return a function giving a validator (with format checks) for a schema file of the specification
    ('location', 'compiled/service_with_definitions'), the Page object ('Page') or the 200 response that
    openapi.json gives a path ('/services'). References between files resolve inside spec_dir."""
    folder = spec_dir / "schema"
    registry = Registry().with_resources(
        (SPEC_BASE + path.relative_to(folder).as_posix(), DRAFT202012.create_resource(json.loads(path.read_text())))
        for path in folder.rglob("*.json")
    )
    registry = registry.with_resources(
        (SPEC_BASE + name, DRAFT202012.create_resource({"$ref": SPEC_BASE + kept})) for name, kept in COMPILED.items()
    )

    def validator(name: str) -> Draft202012Validator:
        if name == "Page":
            ref = "openapi.json#/components/schemas/Page"
        elif name.startswith("/"):
            ref = f"openapi.json#/paths/{name.replace('/', '~1')}/get/responses/200/content/application~1json/schema"
        else:
            ref = f"{name}.json"
        return Draft202012Validator({"$ref": SPEC_BASE + ref}, registry=registry, format_checker=FormatChecker())

    return validator


def assert_valid(validator: Draft202012Validator, instance) -> None:
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(instance)]
    assert not errors, errors[:5]


def all_pages(client, url: str, page_validator, item_validators=(), **params) -> list[dict]:
    """Return every item of a paged HSDS list, checking each page and each item against the schemas."""
    items, number = [], 1
    while True:
        response = client.get(url, {"per_page": 100, **params, "page": number})
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == PAGE_KEYS and body["page_number"] == number and body["size"] == len(body["contents"])
        assert_valid(page_validator, body)
        for item in body["contents"]:
            for validator in item_validators:
                assert_valid(validator, item)
        items += body["contents"]
        if body["last_page"]:
            assert len(items) == body["total_items"]
            return items
        number += 1


@pytest.fixture
def sf(sf_file, sf_services):
    """Import the real SF listings; return the records that were imported (all but the one our rules refuse)."""
    report = import_hsds(sf_file, skip_invalid=True)
    refused = {problem.record for problem in report.problems}
    assert report.applied and report.invalid == len(refused) == 1
    return [service for service in sf_services if service["id"] not in refused]


@pytest.fixture
def shelter(provider_org):
    """Return the offer of a confidential shelter of provider_org (a direct line and a front-door phone)."""
    location = factories.location(
        provider_org, latitude=EXACT_LAT, longitude=EXACT_LON, is_confidential=True, name="Safe House",
        time_zone="America/Los_Angeles",
    )  # fmt: skip
    factories.address(location, address_1=STREET, city="San Francisco", state_province="CA", postal_code="94110")
    factories.phone(location=location, number=DIRECT_LINE, description="Direct line")
    factories.phone(location=location, number=FRONT_DOOR, is_front_door=True, description="Front door")
    service = factories.service(provider_org, name="Emergency Shelter", needs=["emergency-shelter"], languages=["en"])
    return factories.offer(service, location)


def terms_of(service: dict) -> set[str]:
    return {attribute["taxonomy_term"]["code"] for attribute in service.get("attributes", [])}


# --- schemas ------------------------------------------------------------------------------------------------


def test_every_endpoint_answers_what_the_hsds_schemas_allow(api, sf, shelter, hsds_schema):
    root = api.get("/hsds/")
    assert root.status_code == 200 and root.json()["version"] == "3.1"
    assert_valid(hsds_schema("/"), root.json())

    brief = all_pages(api, "/hsds/services", hsds_schema("/services"), [hsds_schema("service")])
    assert len(brief) == len(sf) + 1
    assert not any({"organization", "service_at_locations", "attributes", "phones"} & set(s) for s in brief)
    full = all_pages(api, "/hsds/services", hsds_schema("Page"), [hsds_schema("service")], full="true")
    assert [{key: service[key] for key in short} for service, short in zip(full, brief, strict=True)] == brief
    assert all(service["organization"] and service["service_at_locations"] for service in full)
    detail = api.get(f"/hsds/services/{shelter.service_id}").json()
    assert_valid(hsds_schema("service"), detail)

    organizations = all_pages(api, "/hsds/organizations", hsds_schema("/organizations"), [hsds_schema("organization")])
    assert len(organizations) == Organization.objects.count()
    assert_valid(hsds_schema("organization"), api.get(f"/hsds/organizations/{organizations[0]['id']}").json())

    taxonomies = all_pages(api, "/hsds/taxonomies", hsds_schema("/taxonomies"), [hsds_schema("taxonomy")])
    assert {NEEDS_TAXONOMY, "linksf"} <= {taxonomy["name"] for taxonomy in taxonomies}
    terms = all_pages(api, "/hsds/taxonomy_terms", hsds_schema("/taxonomy_terms"), [hsds_schema("taxonomy_term")])
    assert {term["taxonomy_id"] for term in terms} == {taxonomy["id"] for taxonomy in taxonomies}
    assert {("linksf", code) for code in ("food", "housing", "hygiene", "medical", "technology")} <= {
        (term["taxonomy"], term["code"]) for term in terms
    }

    offers = all_pages(
        api, "/hsds/service_at_locations", hsds_schema("/service_at_locations"), [hsds_schema("service_at_location")],
        full="true",
    )  # fmt: skip
    assert len(offers) == len(sf) + 1
    for offer in offers:
        assert_valid(hsds_schema("location"), offer["location"])


# --- services -----------------------------------------------------------------------------------------------


def test_services_come_in_page_objects_with_bounded_per_page(api, sf, shelter):
    total = len(sf) + 1
    assert Service.objects.count() == total

    def page(**params) -> dict:
        response = api.get("/hsds/services", params)
        assert response.status_code == 200, response.content
        return response.json()

    first, middle, last = (page(page=n, per_page=100) for n in (1, 2, 3))
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": total, "total_pages": 3, "page_number": 1, "size": 100,
        "first_page": True, "last_page": False, "empty": False,
    }  # fmt: skip
    assert (middle["first_page"], middle["last_page"], middle["size"]) == (False, False, 100)
    assert (last["first_page"], last["last_page"], last["size"]) == (False, True, total - 200)
    ids = [s["id"] for s in first["contents"] + middle["contents"] + last["contents"]]
    assert len(set(ids)) == total and {s["id"] for s in sf} | {str(shelter.service_id)} <= set(ids)
    beyond = page(page=4, per_page=100)
    assert (beyond["size"], beyond["contents"], beyond["last_page"], beyond["empty"]) == (0, [], True, False)
    assert (page()["size"], page()["total_pages"]) == (50, 5)  # 50 a page unless asked
    nothing = page(search="xylophonequartz")
    assert (nothing["total_items"], nothing["size"], nothing["empty"], nothing["last_page"]) == (0, 0, True, True)


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/hsds/services", {"page": 0}, "page"),
        ("/hsds/services", {"page": "two"}, "page"),
        ("/hsds/services", {"per_page": 0}, "per_page"),
        ("/hsds/services", {"per_page": 201}, "per_page"),
        ("/hsds/services", {"full": "maybe"}, "full"),
        ("/hsds/services", {"modified_after": "last week"}, "modified_after"),
        ("/hsds/organizations", {"per_page": 1000}, "per_page"),
        ("/hsds/taxonomy_terms", {"page": -1}, "page"),
        ("/hsds/service_at_locations", {"proximity": 1000}, "postcode"),
        ("/hsds/service_at_locations", {"postcode": "9411"}, "postcode"),
        ("/hsds/service_at_locations", {"postcode": "SW1A 1AA"}, "postcode"),
        ("/hsds/service_at_locations", {"postcode": "00000", "proximity": 1000}, "postcode"),
        ("/hsds/service_at_locations", {"postcode": "94110", "proximity": -1}, "proximity"),
        ("/hsds/service_at_locations", {"postcode": "94110", "proximity": "near"}, "proximity"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(api, url, params, field):
    response = api.get(url, params)
    assert response.status_code == 400 and field in response.json(), response.content


def test_services_filter_by_search_organization_and_taxonomy_term(api, sf, shelter):
    def ids(**params) -> set[str]:
        body = api.get("/hsds/services", {"per_page": 200, **params}).json()
        assert body["total_items"] == body["size"]  # everything on one page
        return {service["id"] for service in body["contents"]}

    # `search` is the registry's keyword search: names and descriptions, and the needs' words ("clinic" is one
    # of health care's), so at least every service whose name or description says it.
    clinics = {s["id"] for s in sf if "clinic" in f"{s['name']} {s.get('description', '')}".lower()}
    assert clinics and ids(search="CLINIC") >= clinics
    assert ids(search="xylophonequartz") == set()

    organization, _ = Counter(s["organization"]["id"] for s in sf).most_common(1)[0]
    of_organization = {s["id"] for s in sf if s["organization"]["id"] == organization}
    own_uuid = ExternalId.objects.get(record_type="organization", external_id=organization).record_id
    assert len(of_organization) > 1 and ids(organization_id=organization) == of_organization
    assert ids(organization_id=str(own_uuid)) == of_organization
    assert ids(organization_id=str(shelter.service.organization_id)) == {str(shelter.service_id)}
    assert ids(organization_id=str(uuid.uuid4())) == ids(organization_id="nobody") == set()

    terms = api.get("/hsds/taxonomy_terms", {"per_page": 200}).json()
    assert terms["total_items"] == terms["size"]
    term_id = {(term["taxonomy"], term["code"]): term["id"] for term in terms["contents"]}
    assert ids(taxonomy_term_id=term_id[NEEDS_TAXONOMY, "emergency-shelter"]) == {str(shelter.service_id)}
    food = {s["id"] for s in sf if "food" in terms_of(s)}
    assert food and ids(taxonomy_term_id=term_id["linksf", "food"]) == food
    assert ids(taxonomy_term_id=str(uuid.uuid4())) == set()

    brief = api.get("/hsds/services", {"organization_id": organization}).json()["contents"]
    full = api.get("/hsds/services", {"organization_id": organization, "full": "true"}).json()["contents"]
    assert all("organization" not in service and "service_at_locations" not in service for service in brief)
    assert all(service["organization"]["id"] == organization for service in full)
    assert all(terms_of(service) for service in full)


def test_modified_after_gives_services_modified_on_or_after_the_moment(api, shelter):
    """HSDS (openapi.json, parameter modified_after): "Return all results modified on or after this datetime"."""
    older = factories.service(shelter.service.organization, name="Older")
    Service.objects.filter(pk=older.pk).update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))  # update(): no auto_now
    Service.objects.filter(pk=shelter.service_id).update(updated_at=datetime(2024, 6, 1, 12, tzinfo=UTC))

    def ids(moment: str) -> set[str]:
        response = api.get("/hsds/services", {"modified_after": moment})
        assert response.status_code == 200, response.content
        return {service["id"] for service in response.json()["contents"]}

    assert ids("2019-12-31T22:59:59-01:00") == {str(older.pk), str(shelter.service_id)}
    assert ids("2024-06-01T11:59:59Z") == {str(shelter.service_id)}
    assert ids("2024-06-01T12:00:01Z") == set()
    assert ids("2024-06-01T12:00:00Z") == {str(shelter.service_id)}, "modified exactly then: on or after"


def test_service_and_organization_by_hsds_id_or_uuid(api, sf, shelter):
    record = sf[0]
    own_uuid = ExternalId.objects.get(record_type="service", external_id=record["id"]).record_id
    by_hsds_id, by_uuid = api.get(f"/hsds/services/{record['id']}"), api.get(f"/hsds/services/{own_uuid}")
    assert by_hsds_id.status_code == by_uuid.status_code == 200
    assert by_hsds_id.json() == by_uuid.json()
    service = by_hsds_id.json()
    assert (service["id"], service["name"], service["organization"]["id"]) == (
        record["id"], record["name"], record["organization"]["id"]
    )  # fmt: skip
    (offer,), (expected,) = service["service_at_locations"], record["service_at_locations"]
    assert (offer["id"], offer["location"]["id"]) == (expected["id"], expected["location"]["id"])
    assert (offer["location"]["latitude"], offer["location"]["longitude"]) == (
        expected["location"]["latitude"], expected["location"]["longitude"]
    )  # fmt: skip
    assert api.get(f"/hsds/services/{shelter.service_id}").json()["id"] == str(shelter.service_id)
    for unknown in (uuid.uuid4(), "no-such-service", record["organization"]["id"]):
        assert api.get(f"/hsds/services/{unknown}").status_code == 404

    organizations = api.get("/hsds/organizations", {"per_page": 200}).json()
    names = [organization["name"] for organization in organizations["contents"]]
    assert organizations["total_items"] == Organization.objects.count() and names == sorted(names)
    org_uuid = ExternalId.objects.get(record_type="organization", external_id=record["organization"]["id"]).record_id
    by_hsds_id = api.get(f"/hsds/organizations/{record['organization']['id']}")
    assert by_hsds_id.status_code == 200 and by_hsds_id.json() == api.get(f"/hsds/organizations/{org_uuid}").json()
    assert by_hsds_id.json()["name"] == record["organization"]["name"]
    assert [phone["id"] for phone in by_hsds_id.json().get("phones", [])] == [
        phone["id"] for phone in record["organization"].get("phones", [])
    ]
    own = api.get(f"/hsds/organizations/{shelter.service.organization_id}").json()
    assert own["name"] == "Own Shelter Org"
    for unknown in (uuid.uuid4(), "no-such-organization", record["id"]):
        assert api.get(f"/hsds/organizations/{unknown}").status_code == 404


# --- service_at_locations -----------------------------------------------------------------------------------


def test_service_at_locations_by_postcode_and_within_proximity_metres(api, sf):
    locations = {offer["id"]: offer["location"] for s in sf for offer in s["service_at_locations"]}
    in_zip = {key for key, loc in locations.items() if "94102" in {a["postal_code"] for a in loc.get("addresses", [])}}
    body = api.get("/hsds/service_at_locations", {"postcode": "94102", "full": "true", "per_page": 200}).json()
    assert in_zip and {item["id"] for item in body["contents"]} == in_zip and body["total_items"] == len(in_zip)
    assert all(item["location"]["addresses"][0]["postal_code"] == "94102" for item in body["contents"])

    zip_code = zipcodes.matching("94110")[0]
    centroid, radius_m = (float(zip_code["lat"]), float(zip_code["long"])), 1500
    body = api.get(
        "/hsds/service_at_locations", {"postcode": "94110", "proximity": radius_m, "full": "true", "per_page": 200}
    ).json()
    found = {
        item["id"]: geodesic(centroid, (item["location"]["latitude"], item["location"]["longitude"])).meters
        for item in body["contents"]
    }
    assert found and all(distance <= radius_m + 1 for distance in found.values())  # 1 m: spheroid vs geodesic
    distance_m = {key: geodesic(centroid, (loc["latitude"], loc["longitude"])).meters for key, loc in locations.items()}
    near = {key for key, distance in distance_m.items() if distance < radius_m - 1}
    far = {key for key, distance in distance_m.items() if distance > radius_m + 1}
    assert near and far and near <= set(found) and not far & set(found)
    brief = api.get("/hsds/service_at_locations", {"postcode": "94110", "proximity": radius_m, "per_page": 200})
    assert {item["id"] for item in brief.json()["contents"]} == set(found)
    assert all(set(item) <= {"id", "service_id", "location_id", "description"} for item in brief.json()["contents"])


# --- confidential sites -------------------------------------------------------------------------------------


def shelter_locations(client, offer) -> list[tuple[str, dict, str]]:
    """Return (endpoint, the shelter's HSDS location, the whole response text) from each endpoint that
    writes locations."""
    found = []
    response = client.get(f"/hsds/services/{offer.service_id}")
    assert response.status_code == 200
    found.append(("services/<id>", response.json()["service_at_locations"][0]["location"], response.content))
    response = client.get("/hsds/services", {"full": "true", "organization_id": str(offer.service.organization_id)})
    (service,) = [s for s in response.json()["contents"] if s["id"] == str(offer.service_id)]
    found.append(("services?full", service["service_at_locations"][0]["location"], response.content))
    response = client.get("/hsds/service_at_locations", {"full": "true", "postcode": "94110"})
    (item,) = [i for i in response.json()["contents"] if i["id"] == str(offer.pk)]
    found.append(("service_at_locations?full", item["location"], response.content))
    return [(endpoint, location, text.decode()) for endpoint, location, text in found]


def flags(location: dict) -> set[str]:
    return {
        attribute["taxonomy_term"]["code"]
        for attribute in location.get("attributes", [])
        if attribute["taxonomy_term"]["taxonomy"] == FLAGS_TAXONOMY
    }


@pytest.mark.parametrize("persona", [None, "other_provider"])
def test_confidential_shelter_leaves_generalized_for_callers_who_may_not_see_it(
    client_for, shelter, hsds_schema, persona
):
    site = shelter.location
    min_m, max_m = settings.CONFIDENTIAL_DISPLACEMENT_M
    for endpoint, location, text in shelter_locations(client_for(persona), shelter):
        point = (location["latitude"], location["longitude"])
        assert point == (site.public_latitude, site.public_longitude), endpoint
        assert min_m - 1 <= geodesic(point, (EXACT_LAT, EXACT_LON)).meters <= max_m + 1, endpoint
        ((address),) = location["addresses"]
        assert (address["address_1"], address["city"], address["postal_code"]) == (
            WITHHELD_STREET, "San Francisco", "94110"), endpoint  # fmt: skip
        assert [phone["number"] for phone in location["phones"]] == [FRONT_DOOR], endpoint
        assert flags(location) == {"confidential-location", "generalized-location"}, endpoint
        for secret in (str(EXACT_LAT), str(EXACT_LON), STREET, DIRECT_LINE, DIRECT_LINE[2:]):
            assert secret not in text, (endpoint, secret)
        assert_valid(hsds_schema("location"), location)


@pytest.mark.parametrize("persona", ["hotline", "specialist", "moderator", "provider"])
def test_confidential_shelter_is_exact_for_roles_that_may_see_it(client_for, shelter, persona):
    for endpoint, location, _ in shelter_locations(client_for(persona), shelter):
        assert (location["latitude"], location["longitude"]) == (EXACT_LAT, EXACT_LON), endpoint
        assert [address["address_1"] for address in location["addresses"]] == [STREET], endpoint
        assert {phone["number"] for phone in location["phones"]} == {FRONT_DOOR, DIRECT_LINE}, endpoint
        assert flags(location) == {"confidential-location"}, endpoint


@pytest.mark.parametrize(
    ("persona", "found"), [(None, False), ("other_provider", False), ("provider", True), ("hotline", True)]
)
def test_proximity_is_measured_from_the_point_the_caller_may_see(client_for, shelter, persona, found):
    zip_code = zipcodes.matching("94110")[0]
    exact_m = geodesic((float(zip_code["lat"]), float(zip_code["long"])), (EXACT_LAT, EXACT_LON)).meters
    radius_m = exact_m + 50
    # The public point is at least CONFIDENTIAL_DISPLACEMENT_M[0] from the exact one, so outside the radius.
    assert settings.CONFIDENTIAL_DISPLACEMENT_M[0] - exact_m > radius_m
    response = client_for(persona).get("/hsds/service_at_locations", {"postcode": "94110", "proximity": radius_m})
    assert response.status_code == 200
    assert ({item["id"] for item in response.json()["contents"]} == {str(shelter.pk)}) is found


# --- taxonomy mappings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [(None, 401), ("hotline", 403), ("specialist", 403), ("provider", 403)])
def test_taxonomy_mappings_are_for_moderators_only(client_for, persona, status):
    mapping = TaxonomyMapping.objects.create(taxonomy="linksf", code="food", name="Food")
    client = client_for(persona)
    new = {"taxonomy": "linksf", "code": "medical", "need": "medical"}

    assert client.get(MAPPINGS).status_code == status
    assert client.get(f"{MAPPINGS}unmapped/").status_code == status
    assert client.get(f"{MAPPINGS}{mapping.pk}/").status_code == status
    assert client.post(MAPPINGS, new, format="json").status_code == status
    assert client.patch(f"{MAPPINGS}{mapping.pk}/", {"need": "basic-needs"}, format="json").status_code == status
    assert client.delete(f"{MAPPINGS}{mapping.pk}/").status_code == status
    assert list(TaxonomyMapping.objects.values_list("code", "need")) == [("food", None)]


def test_moderators_create_change_and_delete_mappings_with_known_needs_only(client_for):
    client = client_for("moderator")
    created = client.post(
        MAPPINGS, {"taxonomy": "linksf", "code": "food", "name": "Food", "need": "basic-needs"}, format="json"
    )
    assert created.status_code == 201, created.content
    mapping = created.json()
    assert {k: v for k, v in mapping.items() if k != "id"} == {
        "taxonomy": "linksf", "code": "food", "name": "Food", "need": "basic-needs"
    }  # fmt: skip
    assert [m["code"] for m in client.get(MAPPINGS, {"taxonomy": "linksf"}).json()["results"]] == ["food"]
    assert client.get(MAPPINGS, {"taxonomy": "other"}).json()["results"] == []

    unknown = client.post(MAPPINGS, {"taxonomy": "linksf", "code": "hygiene", "need": "soap"}, format="json")
    assert unknown.status_code == 400 and "need" in unknown.json()
    duplicate = client.post(MAPPINGS, {"taxonomy": "linksf", "code": "food", "need": "housing"}, format="json")
    assert duplicate.status_code == 400, duplicate.content
    assert TaxonomyMapping.objects.get().need.code == "basic-needs"

    changed = client.patch(f"{MAPPINGS}{mapping['id']}/", {"need": None}, format="json")  # reviewed, not mapped
    assert changed.status_code == 200 and changed.json()["need"] is None
    assert client.delete(f"{MAPPINGS}{mapping['id']}/").status_code == 204
    assert not TaxonomyMapping.objects.exists()


def test_unmapped_terms_are_reported_and_a_mapping_applies_on_reimport(api, client_for, sf, sf_file):
    client = client_for("moderator")
    counts = Counter(("linksf", code) for s in sf for code in terms_of(s))
    unmapped = client.get(f"{MAPPINGS}unmapped/")
    assert unmapped.status_code == 200
    assert {(t["taxonomy"], t["code"]): t["services"] for t in unmapped.json()} == counts
    assert {t["code"]: t["name"] for t in unmapped.json()}["medical"] == "Medical care"

    mapped = client.post(
        MAPPINGS, {"taxonomy": "linksf", "code": "medical", "name": "Medical care", "need": "medical"}, format="json"
    )
    assert mapped.status_code == 201, mapped.content
    assert import_hsds(sf_file, skip_invalid=True).applied

    medical = {s["id"] for s in sf if "medical" in terms_of(s)}
    with_need = Service.objects.filter(needs__code="medical").values("pk")
    imported_ids = ExternalId.objects.filter(record_type="service", record_id__in=with_need)
    assert set(imported_ids.values_list("external_id", flat=True)) == medical
    still_unmapped = {(t["taxonomy"], t["code"]) for t in client.get(f"{MAPPINGS}unmapped/").json()}
    assert still_unmapped == set(counts) - {("linksf", "medical")}

    terms = api.get("/hsds/taxonomy_terms", {"per_page": 200}).json()["contents"]
    need_term = next(t["id"] for t in terms if (t["taxonomy"], t["code"]) == (NEEDS_TAXONOMY, "medical"))
    listed = api.get("/hsds/services", {"taxonomy_term_id": need_term, "per_page": 200}).json()
    assert {service["id"] for service in listed["contents"]} == medical

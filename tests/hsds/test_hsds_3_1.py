"""HSDS 3.1: a 3.1 export of the demo data valid against every 3.1 schema; 3.0 and 3.1 packages (JSON and tabular)
import; beds travel as service_capacity, other units as the service's; urls, service areas of services at sites and
attribute labels are kept; what HSDS 3.1 adds shows a confidential site only as the disclosure policy allows; the
API's endpoints by id."""

import copy
import csv
import json
import shutil
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.builder import demo_registry_load
from hsds import spec
from hsds.importer import import_hsds
from hsds.models import AdditionalUrl, OfferServiceArea, ServiceAttribute
from hsds.readers import read_records
from providers.models import ListingChange, Location, Service, ServiceCapacity
from tests import factories

pytestmark = pytest.mark.django_db

PHONE_211 = "3462a1c1-2f3f-5f77-b42b-d16258fbf006"
EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
# Each nested list or object of an HSDS service -> the schema it is checked against.
SCHEMA_OF = {"organization": "organization", "additional_urls": "url", "additional_websites": "url",
             "capacities": "service_capacity", "unit": "unit", "phones": "phone", "languages": "language",
             "attributes": "attribute", "taxonomy_term": "taxonomy_term", "service_at_locations": "service_at_location",
             "service_areas": "service_area", "schedules": "schedule", "location": "location", "addresses": "address",
             "accessibility": "accessibility"}  # fmt: skip


def new_id() -> str:
    return str(uuid.uuid4())


def check_everything(value, name: str, used: set) -> None:
    """Check an object and every object nested in it against its own 3.1 schema; note which schemas were used."""
    errors = [f"{e.json_path}: {e.message}" for e in spec.validator(name).iter_errors(value)]
    assert not errors, (name, value.get("id"), errors[:3])
    used.add(name)
    for key, item in value.items():
        for nested in item if isinstance(item, list) else [item]:
            if key in SCHEMA_OF and isinstance(nested, dict):
                check_everything(nested, SCHEMA_OF[key], used)


def first_offer_services(sf_services, count: int) -> list[dict]:
    """Real SF services offered at one site each (a copy to change)."""
    found = [s for s in sf_services if s["id"] != PHONE_211 and len(s["service_at_locations"]) == 1]
    return copy.deepcopy(found[:count])


def with_3_1(service: dict) -> dict:
    """A service given what HSDS 3.1 adds: beds and appointment slots, urls, a service area and a label."""
    updated = "2026-12-01T08:00:00-08:00"
    service["capacities"] = [
        {"id": new_id(), "unit": {"id": new_id(), "name": "Camas"}, "available": 4, "maximum": 20, "updated": updated},
        {"id": new_id(), "unit": {"id": new_id(), "name": "Appointment slot", "scheme": "local", "identifier": "slot"},
         "available": 3, "maximum": 10, "description": "Legal consults this week", "updated": updated},
    ]  # fmt: skip
    service["additional_urls"] = [{"id": new_id(), "label": "Instagram", "url": "https://instagram.com/example"}]
    service["organization"]["additional_websites"] = [{"id": new_id(), "label": "Donate", "url": "https://x.org/d"}]
    service["service_at_locations"][0]["service_areas"] = [
        {"id": new_id(), "name": "Mission District", "extent_type": "geojson",
         "extent": '{"type": "Polygon", "coordinates": [[[-122.42, 37.75], [-122.41, 37.75], [-122.41, 37.76], '
                   '[-122.42, 37.75]]]}'}
    ]  # fmt: skip
    service["attributes"][0]["label"] = "Category"
    return service


# --- export ---------------------------------------------------------------------------------------------------


def test_a_3_1_export_of_the_demo_data_validates_against_every_3_1_schema(tmp_path):
    demo_registry_load(locations=150, seed=7)
    slots = Service.objects.filter(service_at_locations__isnull=False).first()
    ServiceCapacity.objects.create(service=slots, unit="Appointment slot", available=2, maximum=6,
                                   description="This week", updated=timezone.now())  # fmt: skip
    AdditionalUrl.objects.create(service=slots, label="Donate", url="https://example.org/donate")
    AdditionalUrl.objects.create(organization=slots.organization, label="News", url="https://example.org/news")
    OfferServiceArea.objects.create(offer=slots.service_at_locations.first(), hsds_id=new_id(), name="Downtown")
    call_command("export_hsds", str(tmp_path / "demo.json"))
    call_command("export_hsds", str(tmp_path / "csv"), "--format", "csv")

    services, used = json.loads((tmp_path / "demo.json").read_text()), set()
    for service in services:
        check_everything(service, "service", used)
    assert used == {"service", *SCHEMA_OF.values()}  # every 3.1 object this directory writes, unit and url too
    beds = [c for s in services for c in s["capacities"] if c["unit"]["name"] == "Bed"]
    assert beds and all(c["description"].startswith("Beds at ") and c["available"] <= c["maximum"] for c in beds)
    records = list(read_records(tmp_path / "csv"))  # the tabular form, joined back into services
    assert len(records) == len(services)
    for record in records:
        check_everything(record.data, "service", set())
    assert sum(len(r.data["capacities"]) for r in records) == sum(len(s["capacities"]) for s in services)


def test_a_sites_beds_go_with_each_of_its_services_when_it_says_how_many_are_free(provider_org):
    shelter = factories.service(provider_org, name="Shelter", needs=("emergency-shelter",))
    legal = factories.service(provider_org, name="Legal aid", needs=("t-visa",))
    site = factories.location(provider_org, name="North House", beds_total=12, beds_available=3,
                              capacity_updated_at=datetime(2026, 12, 1, 9, tzinfo=UTC))  # fmt: skip
    unknown = factories.location(provider_org, name="South House", beds_total=8)  # how many free: not said
    for service in (shelter, legal):
        factories.offer(service, site)
        factories.offer(service, unknown)

    exported = {s["name"]: s for s in _export_all()}

    ((beds,),) = [exported["Shelter"]["capacities"]]
    assert (beds["available"], beds["maximum"], beds["description"]) == (3, 12, "Beds at North House")
    assert beds["updated"] == "2026-12-01T09:00:00+00:00" and beds["unit"]["identifier"] == "bed"
    ((same,),) = [exported["Legal aid"]["capacities"]]
    assert {k: v for k, v in same.items() if k not in {"id", "service_id"}} == {
        k: v for k, v in beds.items() if k not in {"id", "service_id"}}  # fmt: skip


def _export_all() -> list[dict]:
    from hsds.exporter import iter_services
    from providers.access import ConfidentialAccess

    return list(iter_services(Service.objects.all(), access=ConfidentialAccess(all=True)))


# --- import ---------------------------------------------------------------------------------------------------


def test_a_3_0_package_imports_as_before_and_says_so(sf_services, write_json):
    report = import_hsds(write_json(first_offer_services(sf_services, 3)))

    assert report.applied and report.created == 3 and report.version == "3.0"
    assert report.summary().startswith("HSDS 3.0: 3 service(s) read")


def test_a_3_1_package_imports_with_beds_slots_urls_service_areas_and_labels(sf_services, write_json):
    service = with_3_1(first_offer_services(sf_services, 1)[0])

    report = import_hsds(write_json([service]))

    assert report.applied and report.version == "3.1" and not report.problems, report.problems
    stored = Service.objects.get()
    site = Location.objects.get()
    assert (site.beds_available, site.beds_total) == (4, 20)
    assert site.capacity_updated_at == datetime(2026, 12, 1, 16, tzinfo=UTC)
    ((slots,),) = [list(stored.capacities.all())]
    assert (slots.unit, slots.unit_identifier, slots.available, slots.maximum, slots.location) == (
        "Appointment slot", "slot", 3, 10, site)  # fmt: skip
    assert [(u.label, u.url) for u in AdditionalUrl.objects.filter(service=stored)] == [
        ("Instagram", "https://instagram.com/example")]  # fmt: skip
    assert [u.label for u in AdditionalUrl.objects.filter(organization=stored.organization)] == ["Donate"]
    ((area,),) = [list(OfferServiceArea.objects.all())]
    assert area.name == "Mission District" and area.extent_type == "geojson" and area.extent.startswith('{"type"')
    assert "Category" in ServiceAttribute.objects.values_list("label", flat=True)
    # And back out as they came.
    (exported,) = _export_all()
    assert {c["unit"]["name"] for c in exported["capacities"]} == {"Bed", "Appointment slot"}
    assert exported["additional_urls"][0]["label"] == "Instagram"
    assert exported["organization"]["additional_websites"][0]["url"] == "https://x.org/d"
    assert exported["service_at_locations"][0]["service_areas"][0]["id"] == service["service_at_locations"][0][
        "service_areas"][0]["id"]  # fmt: skip
    assert "Category" in {a.get("label") for a in exported["attributes"]}


def test_the_official_3_1_examples_name_their_placeholders_and_their_capacity_over_its_maximum(official_3_1_examples):
    report = import_hsds(official_3_1_examples / "service_full.json")

    assert not report.applied and report.version == "3.1"
    reasons = {(p.record, p.where, p.path): p.reason for p in report.problems}
    assert reasons[EXAMPLE_SERVICE, "service_full.json[0]", "$.capacities[0].available"] == (
        "available 12 is above maximum 10")  # fmt: skip
    assert "latitude 100" in reasons[EXAMPLE_SERVICE, "service_full.json[0]",
                                     "$.service_at_locations[0].location.latitude"]  # fmt: skip


def _patch(path, **cells) -> None:
    """Set columns of every row of a CSV file."""
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0]) + [c for c in cells if c not in rows[0]]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows({**row, **cells} for row in rows)


def test_the_official_3_1_tabular_example_imports_once_its_placeholders_are_real(official_3_1_examples, tmp_path):
    """The example's rows of 3.1 tables link to records it does not hold; linked, they import."""
    package = tmp_path / "csv"
    shutil.copytree(official_3_1_examples / "csv", package)
    offer = "e94c9f38-1e8f-4564-91d4-d53501ab1765"
    _patch(package / "locations.csv", latitude="37.7793", longitude="-122.4193")
    _patch(package / "addresses.csv", state_province="CA", postal_code="94102", address_type="physical")
    _patch(package / "units.csv", name="Bed")
    _patch(package / "service_capacity.csv", service_id=EXAMPLE_SERVICE, unit_id="8896b788-7b3e-11ef-8db9-7f3d040352b3",
           available="8")  # fmt: skip
    _patch(package / "url.csv", service_id=EXAMPLE_SERVICE)
    _patch(package / "service_areas.csv", service_at_location_id=offer)
    _patch(package / "attributes.csv", link_id=EXAMPLE_SERVICE)

    report = import_hsds(package)

    assert report.applied and report.version == "3.1" and not report.problems, report.problems
    site = Location.objects.get()
    assert (site.beds_available, site.beds_total) == (8, 10)
    assert site.capacity_updated_at == datetime(2024, 9, 25, 13, 23, 6, 500000, tzinfo=UTC)
    assert AdditionalUrl.objects.get().url == "https://example.org"
    assert OfferServiceArea.objects.get().extent_type == "geojson"
    assert ServiceAttribute.objects.get().label == "An Example Label"


def test_a_capacity_whose_unit_id_names_no_unit_is_named_by_its_row(official_3_1_examples, tmp_path):
    package = tmp_path / "csv"
    shutil.copytree(official_3_1_examples / "csv", package)
    _patch(package / "service_capacity.csv", service_id=EXAMPLE_SERVICE)  # its unit_id is not in units.csv

    report = import_hsds(package)

    unit = next(p for p in report.problems if p.path == "$.capacities[0]")
    assert unit.where == "service_capacity.csv row 2" and "'unit' is a required property" in unit.reason


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        ({"available": -1}, "$.capacities[0].available", "not a whole number from 0 to 1000000"),
        ({"available": 2.5}, "$.capacities[0].available", "not a whole number"),
        ({"maximum": 10**7}, "$.capacities[0].maximum", "not a whole number"),
        ({"available": 30}, "$.capacities[0].available", "available 30 is above maximum 20"),
        ({"updated": "yesterday"}, "$.capacities[0].updated", "not a date and time"),
        ({"unit": {"id": EXAMPLE_SERVICE, "name": "x" * 101}}, "$.capacities[0].unit.name", "longer than 100"),
        ({"unit": {"id": EXAMPLE_SERVICE}}, "$.capacities[0].unit", "'name' is a required property"),
        ({"updated": "9999-12-31T23:00:00-05:00"}, "$.capacities[0].updated", "not a date and time"),
        ({"updated": "2099-01-01T00:00:00Z"}, "$.capacities[0].updated", "not between 2000 and tomorrow"),
        (
            {"unit": {"id": EXAMPLE_SERVICE, "name": "Slot", "uri": "javascript:alert(1)"}},
            "$.capacities[0].unit.uri",
            "not a web address",
        ),
    ],
)
def test_a_bad_capacity_refuses_its_record_naming_the_field(sf_services, write_json, change, path, reason):
    service = with_3_1(first_offer_services(sf_services, 1)[0])
    service["capacities"][0].update(change)

    report = import_hsds(write_json([service]))

    assert not report.applied and Service.objects.count() == 0
    assert any(p.path == path and reason in p.reason and p.record == service["id"] for p in report.problems), [
        str(p) for p in report.problems]  # fmt: skip


def test_an_additional_url_that_is_no_web_address_refuses_its_record(sf_services, write_json):
    service = with_3_1(first_offer_services(sf_services, 1)[0])
    service["additional_urls"][0]["url"] = "javascript:alert(1)"
    report = import_hsds(write_json([service]))
    assert not report.applied
    assert [p.path for p in report.problems] == ["$.additional_urls[0].url"]


@pytest.mark.parametrize("shape", [{"organization": "x"}, {"service_at_locations": 5}, {"deep": "nest"}])
def test_a_record_of_any_shape_is_reported_not_a_crash(sf_services, write_json, shape):
    service = first_offer_services(sf_services, 1)[0]
    if shape == {"deep": "nest"}:
        nested = []
        for _ in range(400):  # (a list and an object a level: 800 deep)
            nested = [{"attributes": nested}]
        service["organization"]["x_nested"] = nested
    else:
        service.update(shape)
    report = import_hsds(write_json([service]))  # no exception
    assert report.read == 1


def test_beds_without_a_maximum_keep_the_sites_total_and_an_unconfirmed_count_is_not_exported(sf_services,
                                                                                             write_json):  # fmt: skip
    service = with_3_1(first_offer_services(sf_services, 1)[0])
    import_hsds(write_json([service]))
    site = Location.objects.get(beds_available=4)
    assert site.beds_total == 20
    del service["capacities"][0]["maximum"]
    service["capacities"][0].update(available=5, updated="2026-12-02T08:00:00-08:00")
    import_hsds(write_json([service]))
    site.refresh_from_db()
    assert (site.beds_available, site.beds_total) == (5, 20)
    Location.objects.filter(pk=site.pk).update(capacity_updated_at=None)
    assert not [c for s in _export_all() for c in s.get("capacities", []) if c["unit"]["name"] == "Bed"]


def test_beds_of_a_service_at_several_sites_go_to_the_site_named_else_are_reported(sf_services, write_json):
    two = first_offer_services(sf_services, 2)
    service = with_3_1(two[0])
    service["service_at_locations"].append(copy.deepcopy(two[1]["service_at_locations"][0]))
    named = service["service_at_locations"][1]["location"]["name"]
    service["capacities"][0]["description"] = f"Beds at {named}"
    unnamed = copy.deepcopy(service)
    unnamed["id"], unnamed["capacities"][0]["description"] = new_id(), "Beds tonight"

    report = import_hsds(write_json([service, unnamed]))

    assert report.applied
    assert Location.objects.get(name=named).beds_available == 4
    assert Location.objects.exclude(name=named).get().beds_available is None
    (warning,) = [w for w in report.warnings if w.path == "$.capacities[0]"]
    assert warning.record == unnamed["id"] and "beds of a service at 2 sites" in warning.reason
    # Slots of a service at several sites are the service's, at no one site.
    assert set(ServiceCapacity.objects.values_list("location", flat=True)) == {None}


def test_a_reimport_updates_counts_with_history_and_keeps_a_newer_count_here(sf_services, write_json):
    service = with_3_1(first_offer_services(sf_services, 1)[0])
    import_hsds(write_json([service]))
    service["capacities"][0].update(available=2, updated="2026-12-02T08:00:00-08:00")
    service["capacities"][1].update(available=1)

    assert import_hsds(write_json([service])).updated == 1

    site = Location.objects.get()
    assert site.beds_available == 2
    fields = set(ListingChange.objects.filter(source="import").values_list("field", flat=True))
    assert {"beds_available", "capacity_updated_at", "capacities"} <= fields
    assert Service.objects.get().capacities.get().available == 1
    # The shelter counts its beds here since: an older count from the source does not overwrite it.
    Location.objects.filter(pk=site.pk).update(beds_available=5, capacity_updated_at=timezone.now())
    service["capacities"][0].update(available=0, updated="2026-12-03T08:00:00-08:00")
    report = import_hsds(write_json([service]))
    assert Location.objects.get().beds_available == 5
    assert any("are newer: kept" in w.reason for w in report.warnings)
    # A 3.0 record (no capacities) says nothing of counts: they stay.
    del service["capacities"]
    import_hsds(write_json([service]))
    assert Location.objects.get().beds_available == 5 and ServiceCapacity.objects.count() == 1


# --- confidential sites ---------------------------------------------------------------------------------------

SECRET = "Quillback alley"


@pytest.fixture
def safe_house(provider_org):
    """A confidential site whose service counts slots there and has a service area, each naming the place."""
    site = factories.location(provider_org, name="Safe House", is_confidential=True, latitude=29.7612,
                              longitude=-95.3702, beds_total=10, beds_available=2,
                              capacity_updated_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    factories.address(site, address_1="12 Quillback Alley", postal_code="77002")
    service = factories.service(provider_org, name="Shelter", needs=("emergency-shelter",))
    offer = factories.offer(service, site)
    ServiceCapacity.objects.create(service=service, location=site, unit="Appointment slot", available=1,
                                   description=f"At the back of {SECRET}", updated=timezone.now())  # fmt: skip
    ServiceCapacity.objects.create(service=service, unit="Phone consult", available=4,
                                   description="Call 12 Quillback Alley reception", updated=timezone.now())  # fmt: skip
    OfferServiceArea.objects.create(offer=offer, hsds_id=new_id(), name=f"Near {SECRET}", description=SECRET,
                                    extent='{"type": "Point", "coordinates": [-95.3702, 29.7612]}')  # fmt: skip
    return offer


def test_what_3_1_adds_shows_a_confidential_site_as_the_policy_allows(safe_house, client_for, tmp_path):
    public = client_for("other_provider").get(f"/hsds/service_at_locations/{safe_house.pk}")
    service = client_for(None).get(f"/hsds/services/{safe_house.service_id}").json()
    call_command("export_hsds", str(tmp_path / "public.json"))
    for text in (public.content.decode(), json.dumps(service), (tmp_path / "public.json").read_text()):
        assert SECRET not in text and "Quillback" not in text and "-95.3702" not in text
    # Counts are no secret; the free texts are withheld, the area's extent too.
    assert {c["unit"]["name"]: c["available"] for c in service["capacities"]} == {
        "Bed": 2, "Appointment slot": 1, "Phone consult": 4}  # fmt: skip
    (area,) = public.json()["service_areas"]
    assert set(area) == {"id", "service_at_location_id"}
    exact = client_for("hotline").get(f"/hsds/service_at_locations/{safe_house.pk}").json()
    assert exact["service_areas"][0]["name"] == f"Near {SECRET}" and "-95.3702" in exact["service_areas"][0]["extent"]
    texts = {c["description"] for c in client_for("hotline").get(f"/hsds/services/{safe_house.service_id}").json()[
        "capacities"]}  # fmt: skip
    assert {f"At the back of {SECRET}", "Call 12 Quillback Alley reception"} <= texts


# --- the API's endpoints by id ----------------------------------------------------------------------------------


def test_taxonomies_terms_and_services_at_locations_by_id(api, safe_house):
    taxonomies = api.get("/hsds/taxonomies").json()["contents"]
    terms = api.get("/hsds/taxonomy_terms").json()["contents"]

    for taxonomy in taxonomies:
        assert api.get(f"/hsds/taxonomies/{taxonomy['id']}").json() == taxonomy
    for term in terms[:5]:
        answer = api.get(f"/hsds/taxonomy_terms/{term['id']}").json()
        assert answer == term and not list(spec.validator("taxonomy_term").iter_errors(answer))
    offer = api.get(f"/hsds/service_at_locations/{safe_house.pk}")
    assert offer.status_code == 200 and not list(spec.validator("service_at_location").iter_errors(offer.json()))
    assert offer.json()["location"]["name"] == "Safe House" and offer.json()["service_id"] == str(
        safe_house.service_id)  # fmt: skip
    assert api.get("/hsds/").json()["version"] == "3.1"


@pytest.mark.parametrize("path", ["taxonomies", "taxonomy_terms", "service_at_locations"])
@pytest.mark.parametrize("given", [str(uuid.UUID(int=7)), "not-an-id", "x" * 300])
def test_an_unknown_id_is_a_404_naming_it(api, path, given):
    answer = api.get(f"/hsds/{path}/{given}")

    assert answer.status_code == 404 and "has this id" in answer.json()["detail"]

"""export_hsds: valid HSDS 3.1 (checked with the official schemas), confidential sites generalized unless
asked, and a lossless round trip (export -> import into an empty registry -> export: the same)."""

import csv
import json
from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from hsds import spec
from hsds.exporter import CSV_TABLES, WITHHELD_STREET
from hsds.importer import import_hsds
from hsds.models import AdditionalUrl, ExternalId, OfferServiceArea
from hsds.readers import read_records
from providers.models import HoursException, Location, Organization, ServiceCapacity
from tests import factories

pytestmark = pytest.mark.django_db

PHONE_211 = "3462a1c1-2f3f-5f77-b42b-d16258fbf006"


@pytest.fixture(scope="module")
def service_schema():
    """The nested service schema of HSDS 3.1, its references resolved among the kept files."""
    return spec.validator("service")


@pytest.fixture
def registry(provider_org, sf_services, write_json):
    """A confidential shelter with a front-door phone, hours, needs, populations and languages, plus 40 real
    SF listings."""
    provider_org.email = "intake@shelter.example.org"
    provider_org.save()
    service = factories.service(
        provider_org, name="Emergency Shelter", needs=("emergency-shelter", "t-visa"), populations=("adults",),
        languages=("en", "es"), minimum_age=18, last_verified_on="2026-11-01",
    )  # fmt: skip
    shelter = factories.location(provider_org, name="Safe House 1", is_confidential=True, latitude=29.7612,
                                 longitude=-95.3702, accessibility=["wheelchair", "sign-language"],
                                 accessibility_details="Ramp at the back door on Quiet Elm St", beds_total=12,
                                 beds_available=3, capacity_updated_at="2026-12-01T09:00:00Z")  # fmt: skip
    factories.address(shelter, address_1="6432 Secret Rd", postal_code="77002")
    factories.phone(location=shelter, number="+17135550122", is_front_door=True, description="front door")
    factories.phone(location=shelter, number="+17135550111", description="direct line")
    factories.schedule(shelter, 5, time(20), time(2), service=service)
    offer = factories.offer(service, shelter)
    # HSDS 3.1: slots counted there, urls, a service area (hsds/capacities.py, hsds/additions.py).
    ServiceCapacity.objects.create(
        service=service, location=shelter, unit="Appointment slot", unit_identifier="slot", available=2, maximum=5,
        description="Intake", updated="2026-12-02T10:00:00Z",
    )  # fmt: skip
    AdditionalUrl.objects.create(service=service, label="Donate", url="https://example.org/donate")
    AdditionalUrl.objects.create(organization=provider_org, label="News", url="https://example.org/news")
    OfferServiceArea.objects.create(offer=offer, hsds_id="1b0e2a3c-2d4e-4f60-8a7b-9c0d1e2f3a4b", name="Downtown",
                                    extent_type="text", extent="Downtown Houston")  # fmt: skip
    # Dated hours: the site closed two days, other hours one day, the service closed another (hsds/dated.py).
    ahead = timezone.localdate() + timedelta(days=3)
    HoursException.objects.create(location=shelter, starts_on=ahead, ends_on=ahead + timedelta(days=1), note="Move")
    HoursException.objects.create(location=shelter, starts_on=ahead + timedelta(days=5), ends_on=ahead + timedelta(
        days=5), closed=False, opens_at=time(18), closes_at=time(8), note="Cold snap")  # fmt: skip
    HoursException.objects.create(location=shelter, service=service, starts_on=ahead + timedelta(days=9),
                                  ends_on=ahead + timedelta(days=9))  # fmt: skip
    import_hsds(write_json([s for s in sf_services if s["id"] != PHONE_211][:40]))
    return {"shelter": shelter, "service": service}


def exported(tmp_path, *args, name="export.json") -> list[dict]:
    path = tmp_path / name
    call_command("export_hsds", str(path), *args)
    return json.loads(path.read_text())


def test_json_export_validates_against_the_official_schema(registry, tmp_path, service_schema):
    services = exported(tmp_path)

    assert len(services) == 41
    for service in services:
        errors = [f"{e.json_path}: {e.message}" for e in service_schema.iter_errors(service)]
        assert not errors, (service["id"], errors)


def test_csv_export_has_the_datapackage_tables_and_reads_back_as_valid_services(registry, tmp_path, service_schema):
    call_command("export_hsds", "--format", "csv", str(tmp_path / "csv"))

    package = json.loads((tmp_path / "csv" / "datapackage.json").read_text())
    assert package["version"] == "3.1.0" and package["resources"] == [spec.resource(t) for t in CSV_TABLES]
    columns = {r["path"]: [f["name"] for f in r["schema"]["fields"]] for r in package["resources"]}
    assert columns["service_capacity.csv"] == ["id", "service_id", "unit_id", "available", "maximum", "description",
                                               "updated"]  # fmt: skip
    assert columns["units.csv"] == ["id", "name", "scheme", "identifier", "uri"]
    assert columns["attributes.csv"][-1] == "label"
    for name in ("services.csv", "organizations.csv", "locations.csv", "addresses.csv", "phones.csv",
                 "schedules.csv", "service_at_location.csv", "accessibility.csv", "attributes.csv",
                 "taxonomy_terms.csv"):  # fmt: skip
        with (tmp_path / "csv" / name).open() as handle:
            assert next(csv.reader(handle)) == columns[name], name
    records = list(read_records(tmp_path / "csv"))
    assert len(records) == 41
    for record in records:
        assert not list(service_schema.iter_errors(record.data)), record.where


def test_confidential_sites_are_generalized_and_the_export_says_so(registry, tmp_path, capsys):
    services = exported(tmp_path, name="public.json")
    text = json.dumps(services)

    assert "1 confidential location(s) generalized" in capsys.readouterr().out
    shelter = registry["shelter"]
    assert str(shelter.latitude) not in text and "6432 Secret Rd" not in text and "+17135550111" not in text
    assert "Quiet Elm" not in text  # its accessibility details, as its other free text
    service = next(s for s in services if s["name"] == "Emergency Shelter")
    location = service["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (shelter.public_latitude, shelter.public_longitude)
    # The city, state, 5-digit ZIP and country as everywhere else (docs/privacy.md); HSDS needs a street line.
    ((address),) = location["addresses"]
    assert address["address_1"] == WITHHELD_STREET and address["postal_code"] == "77002"
    assert "address_2" not in address and "attention" not in address
    assert [p["number"] for p in location["phones"]] == ["+17135550122"]
    flags = {a["taxonomy_term"]["code"] for a in location["attributes"]}
    assert flags == {"confidential-location", "generalized-location"}
    # Its features are no secret: each a record in English with its code.
    features = {(r["description"], r["attributes"][0]["taxonomy_term"]["code"]) for r in location["accessibility"]}
    assert features == {("Wheelchair accessible entrance", "wheelchair"),
                        ("Sign language (ASL) on site", "sign-language")}  # fmt: skip


def test_include_confidential_exports_the_exact_site(registry, tmp_path):
    text = json.dumps(exported(tmp_path, "--include-confidential"))

    assert "6432 Secret Rd" in text and "+17135550111" in text and str(registry["shelter"].latitude) in text
    assert "Ramp at the back door on Quiet Elm St" in text
    assert "generalized-location" not in text


@pytest.mark.parametrize("form", ["json", "csv"])
def test_round_trip_export_import_export_is_equal(registry, tmp_path, form):
    before, exported_form = tmp_path / "before.json", tmp_path / ("form.json" if form == "json" else "form")
    call_command("export_hsds", str(before), "--include-confidential")
    call_command("export_hsds", str(exported_form), "--format", form, "--include-confidential")
    Organization.objects.all().delete()
    ExternalId.objects.all().delete()

    report = import_hsds(exported_form)

    assert report.applied and report.created == 41 and not report.problems
    after = tmp_path / "after.json"
    call_command("export_hsds", str(after), "--include-confidential")
    # The same bytes: every field, id, need, population, language, hour, flag and phone came back.
    assert after.read_text() == before.read_text()
    if form == "csv":
        call_command("export_hsds", str(tmp_path / "again"), "--format", "csv", "--include-confidential")
        for table in exported_form.iterdir():
            assert (tmp_path / "again" / table.name).read_text() == table.read_text(), table.name
    shelter = next(s for s in json.loads(after.read_text()) if s["name"] == "Emergency Shelter")
    assert {a["taxonomy_term"]["code"] for a in shelter["attributes"]} == {"emergency-shelter", "t-visa", "adults"}
    location = shelter["service_at_locations"][0]["location"]
    assert {a["taxonomy_term"]["code"] for a in location["attributes"]} == {"confidential-location"}
    site = Location.objects.get(name="Safe House 1")  # its beds, as the service's capacity, and the slots there
    assert (site.beds_total, site.beds_available, site.capacity_updated_at.isoformat()) == (
        12, 3, "2026-12-01T09:00:00+00:00")  # fmt: skip
    assert [(c.unit, c.available, c.location_id) for c in ServiceCapacity.objects.all()] == [
        ("Appointment slot", 2, site.pk)]  # fmt: skip
    assert AdditionalUrl.objects.count() == 2 and OfferServiceArea.objects.get().extent == "Downtown Houston"
    dated = sorted((e.starts_on - timezone.localdate(), e.ends_on - e.starts_on, e.closed, e.opens_at, e.service_id
                    is not None, e.note) for e in HoursException.objects.all())  # fmt: skip
    assert dated == [
        (timedelta(days=3), timedelta(days=1), True, None, False, "Move"),
        (timedelta(days=8), timedelta(0), False, time(18), False, "Cold snap"),
        (timedelta(days=12), timedelta(0), True, None, True, ""),
    ]
    schedules = shelter["service_at_locations"][0]["schedules"]  # in the order of their ids
    assert [s["byday"] for s in schedules if "valid_from" not in s] == ["FR"]
    assert [(s["notes"], "opens_at" in s) for s in schedules if "valid_from" in s] == [("closed", False)]

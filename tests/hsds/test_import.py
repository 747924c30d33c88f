"""import_hsds: every input form, every problem reported with where it is, all or nothing, idempotent,
changes in the history, taxonomy mapping, geocoding."""

import copy
import csv
import json
import shutil
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hsds.importer import import_hsds
from hsds.models import ExternalId, ServiceAttribute, TaxonomyMapping
from hsds.readers import ReadError
from matching.models import MatchCandidate, OfferCard
from providers.models import ListingChange, Location, NeedTerm, Organization, Service
from tests.matching.test_match_index import assert_index_current

pytestmark = pytest.mark.django_db

PHONE_211 = "3462a1c1-2f3f-5f77-b42b-d16258fbf006"  # the SF record whose organization phone is "211"


def registry_counts() -> tuple:
    return (Organization.objects.count(), Service.objects.count(), Location.objects.count(),
            ExternalId.objects.count(), ListingChange.objects.count())  # fmt: skip


@pytest.fixture
def sf_valid(sf_services, write_json):
    """The SF listings without the one our rules refuse, as a file."""
    return write_json([s for s in sf_services if s["id"] != PHONE_211], "sf.json")


# --- the official examples ---------------------------------------------------------------------------


@pytest.mark.parametrize("example", ["service_full.json", "csv"])
def test_official_examples_report_their_placeholder_coordinates_and_store_nothing(official_examples, example):
    report = import_hsds(official_examples / example)

    assert not report.applied and report.invalid == 1
    latitude = next(p for p in report.problems if p.path.endswith("location.latitude"))
    assert latitude.record == "ac148810-d857-441c-9679-408f346de14b"
    assert "latitude 100 is outside -90..90" in latitude.reason
    if example.endswith("csv"):
        assert latitude.where == "locations.csv row 2"
    else:
        assert latitude.where == "service_full.json[0]"
    assert registry_counts() == (0, 0, 0, 0, 0)


def test_the_command_reports_problems_and_fails_without_writing(official_examples, capsys):
    with pytest.raises(CommandError, match="1 invalid service"):
        call_command("import_hsds", str(official_examples / "service_full.json"))

    out = capsys.readouterr().out
    assert "$.service_at_locations[0].location.latitude: latitude 100" in out
    assert Service.objects.count() == 0


# --- the real SF listings ------------------------------------------------------------------------------


def test_real_listings_are_all_or_nothing_by_default(sf_file):
    report = import_hsds(sf_file)

    assert (report.read, report.valid, report.invalid, report.applied) == (242, 241, 1, False)
    problem = report.problems[0]
    assert problem.record == PHONE_211 and problem.path == "$.organization.phones[0].number"
    assert registry_counts() == (0, 0, 0, 0, 0)


def test_skip_invalid_imports_the_valid_records_and_writes_the_report(sf_file, tmp_path, capsys):
    report_file = tmp_path / "report.json"

    call_command("import_hsds", str(sf_file), "--skip-invalid", "--report", str(report_file))

    assert Service.objects.count() == 241 and not Service.objects.filter(name="").exists()
    saved = json.loads(report_file.read_text())
    assert saved["problems"][0]["record"] == PHONE_211
    assert "241 created" in saved["summary"]
    captured = capsys.readouterr()
    assert "241/241 services" in captured.err and "/s, ETA" in captured.err  # progress


def test_imported_listings_keep_hours_coordinates_eligibility_and_ids(sf_valid, sf_services):
    import_hsds(sf_valid)

    source = next(s for s in sf_services if s["id"] == "f500703a-8368-58fc-9a42-7e9e205408ef")
    service = Service.objects.get(pk=ExternalId.objects.get(record_type="service", external_id=source["id"]).record_id)
    assert service.name == "Women's clinic" and service.eligibility_description == "Women only."
    location = service.service_at_locations.get().location
    assert (location.latitude, location.longitude) == (37.7725604, -122.42305579999999)
    assert location.time_zone == "America/Los_Angeles"
    hours = sorted(location.schedules.filter(service=service).values_list("weekday", "opens_at", "closes_at"))
    assert [(w, o.strftime("%H:%M"), c.strftime("%H:%M")) for w, o, c in hours] == [
        (1, "11:00", "19:30"), (2, "11:00", "19:30"), (3, "09:00", "17:30"), (4, "09:00", "17:30"),
        (5, "09:00", "17:30"),
    ]  # fmt: skip
    assert ServiceAttribute.objects.filter(service=service, taxonomy="linksf", code="medical").exists()


def test_reimporting_the_same_data_changes_nothing(sf_valid):
    import_hsds(sf_valid)
    before = registry_counts()
    stamps = dict(Service.objects.values_list("pk", "updated_at"))

    report = import_hsds(sf_valid)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 241)
    assert registry_counts() == before
    assert dict(Service.objects.values_list("pk", "updated_at")) == stamps


def test_a_changed_record_updates_the_existing_one_with_history(sf_services, write_json):
    original = [s for s in sf_services if s["id"] != PHONE_211][:5]
    import_hsds(write_json(original))
    changed = copy.deepcopy(original)
    changed[0]["name"] = "Renamed clinic"
    changed[0]["service_at_locations"][0]["location"]["latitude"] += 0.01

    report = import_hsds(write_json(changed, "changed.json"))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert Service.objects.count() == 5
    history = {c.field: c for c in ListingChange.objects.filter(source="import")}
    assert (history["name"].before, history["name"].after) == (original[0]["name"], "Renamed clinic")
    assert history["latitude"].after == pytest.approx(
        original[0]["service_at_locations"][0]["location"]["latitude"] + 0.01
    )


def test_hours_added_by_a_reimport_reach_the_match_index(sf_services, write_json):
    listings = copy.deepcopy([s for s in sf_services if s["id"] != PHONE_211][:3])
    data = listings[0]  # a women's clinic, "medical" in the source's taxonomy
    TaxonomyMapping.objects.create(taxonomy="linksf", code="medical", name="Medical care",
                                   need=NeedTerm.objects.get(code="medical"))  # fmt: skip
    hours = data.pop("schedules")
    import_hsds(write_json(listings))
    assert MatchCandidate.objects.filter(service=_service_of(data), hours=[]).exists()
    data["schedules"] = hours

    import_hsds(write_json(listings, "with-hours.json"))

    assert_index_current()
    rows = MatchCandidate.objects.filter(service=_service_of(data))
    assert rows and all(len(row.hours) == len(hours) for row in rows)


def test_phones_added_by_a_reimport_reach_the_offer_cards(sf_services, write_json):
    listings = copy.deepcopy([s for s in sf_services if s["id"] != PHONE_211][:3])
    data = listings[0]
    TaxonomyMapping.objects.create(taxonomy="linksf", code="medical", name="Medical care",
                                   need=NeedTerm.objects.get(code="medical"))  # fmt: skip
    import_hsds(write_json(listings))
    card = OfferCard.objects.get(service=_service_of(data))
    assert card.site_phone is None and card.service_phone is None
    # Existing records each get a new phone, which the importer inserts in bulk (no signals).
    data["service_at_locations"][0]["location"]["phones"] = [
        {"id": "00000000-0000-4000-8000-000000000001", "number": "(415) 555-0101"}
    ]
    data["phones"] = [{"id": "00000000-0000-4000-8000-000000000002", "number": "(415) 555-0102"}]
    data["organization"]["phones"].append({"id": "00000000-0000-4000-8000-000000000003", "number": "(415) 555-0103"})

    report = import_hsds(write_json(listings, "with-phones.json"))

    assert report.applied and report.problems == []
    assert_index_current()
    card = OfferCard.objects.get(service=_service_of(data))
    assert (card.site_phone, card.service_phone) == ("+14155550101", "+14155550102")


def _service_of(data: dict) -> Service:
    return Service.objects.get(pk=ExternalId.objects.get(record_type="service", external_id=data["id"]).record_id)


# --- every input form --------------------------------------------------------------------------------


def test_page_objects_ndjson_and_zipped_csv_are_read(sf_services, write_json, tmp_path):
    sample = [s for s in sf_services if s["id"] != PHONE_211][:6]
    page = write_json({"total_items": 3, "page_number": 1, "contents": sample[:3]}, "page.json")
    ndjson = tmp_path / "more.ndjson"
    ndjson.write_text("\n".join(json.dumps(s) for s in sample[3:5]) + "\n")

    assert import_hsds(page).created == 3
    assert import_hsds(ndjson).created == 2
    call_command("export_hsds", "--format", "csv", str(tmp_path / "csv"))
    archive = shutil.make_archive(str(tmp_path / "package"), "zip", tmp_path / "csv")
    assert zipfile.is_zipfile(archive)
    assert import_hsds(archive).unchanged == 5
    assert import_hsds(write_json(sample[5])).created == 1  # a single service object


# --- malformed input ---------------------------------------------------------------------------------


def broken(sf_services, change):
    records = copy.deepcopy([s for s in sf_services if s["id"] != PHONE_211][:3])
    change(records)
    return records


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (lambda r: r[1].pop("name"), "$", "'name' is a required property"),
        (lambda r: r[1].update(minimum_age="ten"), "$.minimum_age", "is not of type 'number'"),
        (lambda r: r[1].update(minimum_age=30, maximum_age=20), "$.maximum_age", "below minimum_age"),
        (lambda r: r[1].update(status="open"), "$.status", "is not one of"),
        (lambda r: r[2].update(id=r[0]["id"]), "$.id", "duplicate service id"),
        (lambda r: r[1].update(languages=[{"id": r[1]["id"], "code": "zz"}]), "$.languages[0].code",
         "unknown language"),
        (lambda r: r[1]["service_at_locations"][0]["location"].update(longitude=-190),
         "$.service_at_locations[0].location.longitude", "outside -180..180"),
        (lambda r: r[1]["service_at_locations"][0]["location"].update(latitude=None),
         "$.service_at_locations[0].location.latitude", "None is not of type 'number'"),
    ],
)  # fmt: skip
def test_malformed_records_are_reported_and_nothing_is_written(sf_services, write_json, change, path, reason):
    report = import_hsds(write_json(broken(sf_services, change)))

    assert not report.applied and report.invalid == 1
    assert any(p.path == path and reason in p.reason for p in report.problems), report.problems
    assert registry_counts() == (0, 0, 0, 0, 0)


def test_bad_json_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[{"id": "1", "name": ')

    with pytest.raises(ReadError, match="bad.json: not valid JSON"):
        import_hsds(path)
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_hsds", str(path))


def test_a_csv_without_a_required_column_is_a_clear_error(tmp_path, sf_valid):
    import_hsds(sf_valid)
    call_command("export_hsds", "--format", "csv", str(tmp_path / "csv"))
    Organization.objects.all().delete()
    services = (tmp_path / "csv" / "services.csv").read_text().splitlines()
    header = services[0].split(",")
    index = header.index("name")
    (tmp_path / "csv" / "services.csv").write_text("\n".join(
        ",".join(cell for i, cell in enumerate(line.split(",")) if i != index) for line in services[:1]
    ) + "\n")  # fmt: skip

    with pytest.raises(ReadError, match=r"services.csv: missing required column\(s\) name"):
        import_hsds(tmp_path / "csv")
    assert Service.objects.count() == 0


def test_a_csv_cell_of_the_wrong_type_names_its_row(tmp_path, sf_valid):
    import_hsds(sf_valid)
    call_command("export_hsds", "--format", "csv", str(tmp_path / "csv"))
    locations = tmp_path / "csv" / "locations.csv"
    lines = locations.read_text().splitlines()
    lines[1] = lines[1].replace(",37.", ",north", 1)  # the latitude cell becomes "north7..."
    locations.write_text("\n".join(lines) + "\n")

    with pytest.raises(ReadError, match=r"locations.csv row 2, column latitude: not a number: 'north7"):
        import_hsds(tmp_path / "csv")


def test_every_bad_cell_of_a_csv_package_is_named_by_row_and_column(tmp_path, sf_valid):
    """Cells of the wrong type stop the file, each named (checked with frictionless against the datapackage's
    field types, columns matched by their header: in another order, with one more of the package's own and optional
    ones left out); a value the record's schema refuses (an unknown location type) refuses its record only."""
    import_hsds(sf_valid)
    call_command("export_hsds", "--format", "csv", str(tmp_path / "csv"))
    Organization.objects.all().delete()
    locations = tmp_path / "csv" / "locations.csv"
    with locations.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in reversed(list(rows[0])) if c not in ("transportation", "external_identifier")] + ["ours"]

    def write() -> None:
        with locations.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows({**row, "ours": "x"} for row in rows)

    rows[0]["latitude"], rows[2]["longitude"], rows[3]["location_type"] = "north", "west", "house"
    write()
    with pytest.raises(ReadError) as refused:
        import_hsds(tmp_path / "csv")

    assert str(refused.value).split("; ") == [
        "locations.csv row 2, column latitude: not a number: 'north'",
        "locations.csv row 4, column longitude: not a number: 'west'",
    ]
    assert Service.objects.count() == 0
    rows[0]["latitude"], rows[2]["longitude"] = "37.7", "-122.4"
    write()
    report = import_hsds(tmp_path / "csv", skip_invalid=True)
    assert report.applied and report.invalid >= 1 and report.created > 0
    assert any(p.path.endswith("location.location_type") and p.where == "locations.csv row 5" for p in report.problems)


# --- taxonomy and geocoding ----------------------------------------------------------------------------


def test_mapped_terms_become_needs_and_unmapped_ones_are_reported_and_kept(sf_valid):
    TaxonomyMapping.objects.create(taxonomy="linksf", code="medical", name="Medical care",
                                   need=NeedTerm.objects.get(code="medical"))  # fmt: skip

    report = import_hsds(sf_valid)

    medical = Service.objects.filter(hsds_attributes__isnull=True, needs__code="medical")
    assert medical.exists()
    assert MatchCandidate.objects.filter(service__in=medical, need__code="medical").exists()
    unmapped = {p.reason.split(" ")[2] for p in report.warnings if "maps to no need" in p.reason}
    assert unmapped == {"linksf:food", "linksf:housing", "linksf:hygiene", "linksf:technology"}
    assert ServiceAttribute.objects.filter(taxonomy="linksf", code="food").exists()
    assert not ServiceAttribute.objects.filter(code="medical").exists()


def test_addresses_without_coordinates_are_geocoded_and_failures_reported(sf_services, write_json):
    records = copy.deepcopy([s for s in sf_services if s["id"] != PHONE_211][:2])
    for record in records:
        location = record["service_at_locations"][0]["location"]
        location.pop("latitude")
        location.pop("longitude")
    records[1]["service_at_locations"][0]["location"]["addresses"][0].update(postal_code="00000", city="Nowhere")

    report = import_hsds(write_json(records))

    assert report.applied
    located = Location.objects.get(pk=ExternalId.objects.get(
        external_id=records[0]["service_at_locations"][0]["location"]["id"]).record_id)  # fmt: skip
    assert located.latitude == pytest.approx(37.77, abs=0.1) and located.longitude == pytest.approx(-122.42, abs=0.1)
    lost = records[1]["service_at_locations"][0]["location"]["id"]
    assert any(lost in p.where and "could not be geocoded" in p.reason for p in report.warnings)


def test_progress_reports_rate_and_eta(sf_valid):
    seen = []
    import_hsds(sf_valid, progress=lambda done, total, seconds: seen.append((done, total)))
    assert seen[-1] == (241, 241) and len(seen) == 241


def test_import_history_is_dated_now(sf_services, write_json, time_machine):
    record = [s for s in sf_services if s["id"] != PHONE_211][0]
    import_hsds(write_json([record]))
    time_machine.move_to(timezone.now() + timedelta(days=3))
    record = {**record, "name": "Later name"}

    import_hsds(write_json([record], "later.json"))

    change = ListingChange.objects.get(field="name")
    assert timezone.now() - change.changed_at < timedelta(minutes=1)


def test_a_service_naming_an_unknown_organization_is_reported(sf_services, write_json):
    record = copy.deepcopy([s for s in sf_services if s["id"] != PHONE_211][0])
    record.pop("organization")
    record["organization_id"] = "00000000-0000-4000-8000-000000000000"

    report = import_hsds(write_json([record]))

    assert not report.applied
    assert report.problems[0].path == "$.organization_id" and "neither in the file" in report.problems[0].reason


def test_an_import_keeps_one_period_per_day_and_times(sf_services, write_json):
    """A feed repeating a period (with another description) is kept as the API keeps hours: once."""
    listings = copy.deepcopy([s for s in sf_services if s["id"] != PHONE_211][:1])
    data = listings[0]
    first = data["schedules"][0]
    data["schedules"] = [first, {**first, "id": "5d0f3a52-6a4c-4d1e-9a57-0c6b7f7f0001", "description": "again"}]

    import_hsds(write_json(listings))

    location = _service_of(data).service_at_locations.get().location
    periods = list(location.schedules.values_list("weekday", "opens_at", "closes_at"))
    assert len(periods) == len(set(periods)) == 1

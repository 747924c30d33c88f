"""HSDS import edge cases found in review: confidentiality and ownership survive re-imports, records
deleted here come back, and bad values are reported instead of breaking the import."""

import copy
import json

import pytest

from hsds.importer import import_hsds
from hsds.models import ExternalId
from hsds.readers import ReadError
from providers import registry
from providers.models import ListingChange, Location, Phone, Schedule, Service

pytestmark = pytest.mark.django_db

PHONE_211 = "3462a1c1-2f3f-5f77-b42b-d16258fbf006"


@pytest.fixture
def two(sf_services):
    return copy.deepcopy([s for s in sf_services if s["id"] != PHONE_211][:2])


def record(record_type: str, external_id: str):
    model = {"service": Service, "location": Location, "phone": Phone}[record_type]
    return model.objects.get(pk=ExternalId.objects.get(record_type=record_type, external_id=external_id).record_id)


def test_a_reimport_never_makes_a_confidential_site_public(two, write_json, api):
    import_hsds(write_json(two))
    location_id = two[0]["service_at_locations"][0]["location"]["id"]
    site = record("location", location_id)
    site.is_confidential = True
    registry.record_save(site)  # as an edit would: generalized
    two[0]["description"] = "changed upstream"

    report = import_hsds(write_json(two, "again.json"))

    assert record("location", location_id).is_confidential
    assert any("stays confidential" in w.reason for w in report.warnings)
    text = json.dumps(api.get(f"/hsds/services/{two[0]['id']}").json())
    assert two[0]["service_at_locations"][0]["location"]["addresses"][0]["address_1"] not in text


def test_a_shared_location_keeps_its_organization(two, write_json):
    shared = two[0]["service_at_locations"][0]["location"]
    two[1]["service_at_locations"] = [{"id": "11111111-1111-4111-8111-111111111111", "location": shared}]
    import_hsds(write_json(two))
    owner = record("location", shared["id"]).organization_id
    two[1]["description"] = "changed"

    import_hsds(write_json(two, "again.json"))

    assert record("location", shared["id"]).organization_id == owner


def test_a_phone_moving_to_another_owner_and_a_record_deleted_here_reimport_cleanly(two, write_json):
    import_hsds(write_json(two))
    phone = two[0]["organization"]["phones"][0]
    record("phone", phone["id"]).delete()  # deleted here since the first import
    two[0]["organization"]["phones"] = []
    two[0]["phones"] = [phone]  # and moved from the organization to the service upstream

    report = import_hsds(write_json(two, "again.json"))

    assert report.applied
    moved = record("phone", phone["id"])
    assert moved.service_id is not None and moved.organization_id is None


def test_a_term_given_twice_is_kept_once(two, write_json):
    attribute = copy.deepcopy(two[0]["attributes"][0])
    attribute["id"], attribute["value"] = "22222222-2222-4222-8222-222222222222", "other"
    two[0]["attributes"].append(attribute)

    assert import_hsds(write_json(two)).applied


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda r: r.update(name="x" * 300), "$.name"),
        (lambda r: r.update(phones=[{"id": r["id"], "number": "4155550100", "extension": "1" * 20}]),
         "$.phones[0].extension"),
        (lambda r: r["schedules"].append({**r["schedules"][0], "opens_at": "banana"}), "$.schedules[5].opens_at"),
        (lambda r: r["service_at_locations"].append({"id": "33333333-3333-4333-8333-333333333333",
                                                     "location": r["service_at_locations"][0]["location"]}),
         "$.service_at_locations[1].location"),
    ],
)  # fmt: skip
def test_values_the_registry_cannot_store_are_reported_and_the_rest_imports(two, write_json, change, path):
    change(two[0])

    report = import_hsds(write_json(two), skip_invalid=True)

    assert report.applied and report.created == 1 and report.invalid == 1
    assert any(p.path == path for p in report.problems), report.problems


def test_unreadable_files_are_clear_errors(tmp_path, two):
    latin = tmp_path / "latin.ndjson"
    latin.write_bytes(json.dumps(two[0]).replace("clinic", "cl\u00ednic").encode("latin-1") + b"\n")
    with pytest.raises(ReadError, match="not UTF-8"):
        import_hsds(latin)
    nested = tmp_path / "deep.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ReadError, match="not valid JSON"):
        import_hsds(nested)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(two).encode())
    assert import_hsds(bom).applied


def test_hsds_api_refuses_absurd_pages_and_ids(api):
    assert api.get("/hsds/services", {"page": 10**20}).status_code == 400
    assert api.get("/hsds/services/%00").status_code == 400  # a NUL in any path (core/input.py)
    assert api.get("/hsds/organizations/" + "x" * 300).status_code == 404


def test_a_reimport_that_changes_an_english_text_takes_its_old_spanish_form_with_it(two, write_json):
    import_hsds(write_json(two))
    service = record("service", two[0]["id"])
    service.i18n = {"description_es": "La descripción de antes", "name_es": "Nombre en español"}
    service.save()
    two[0]["description"] = "changed upstream"

    import_hsds(write_json(two, "again.json"))

    service.refresh_from_db()
    assert service.description == "changed upstream"
    assert service.i18n == {"name_es": "Nombre en español"}  # the name did not change: its Spanish form stays
    assert ListingChange.objects.get(field="description_es").before == "La descripción de antes"


def test_a_reimport_that_changes_some_hours_keeps_the_spanish_notes_of_the_others(two, write_json):
    import_hsds(write_json(two))
    service = record("service", two[0]["id"])
    monday = Schedule.objects.get(service=service, weekday=1)
    monday.i18n = {"description_es": "Hora local (America/Los_Angeles)."}
    monday.save()
    two[0]["schedules"] = [s for s in two[0]["schedules"] if s["byday"] != "TU"]  # Tuesday dropped upstream

    import_hsds(write_json(two, "again.json"))

    assert not Schedule.objects.filter(service=service, weekday=2).exists()
    assert Schedule.objects.get(service=service, weekday=1).i18n == {
        "description_es": "Hora local (America/Los_Angeles)."
    }

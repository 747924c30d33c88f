"""The HSDS schemas the project keeps: 3.1 (hsds/specification/3.1/, copied unchanged) validates as the specification
does and keeps every rule of 3.0 (hsds/specification/3.0/, its facts only: no prose), so a 3.0 record reads as 3.1;
the tables the 3.1-dev datapackage leaves without fields get them from their schemas."""

import json
import subprocess
import sys

import pytest

from hsds import spec

VALID = {"id": "a7b3a1ae-59ea-4c3b-9a7e-3b6e5a7b0c11", "name": "Legal clinic", "status": "active"}
PROSE = {"description", "title", "example", "examples"}


def errors(record: dict) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in spec.validator().iter_errors(record)]


def test_a_valid_service_passes():
    assert errors(VALID) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"status": "open"}, "$.status"),  # not in the enum
        ({"email": "not an email"}, "$.email"),  # format
        ({"id": "not-a-uuid"}, "$.id"),  # format
        ({"minimum_age": "ten"}, "$.minimum_age"),  # type
        ({"service_at_locations": [{"id": VALID["id"], "location": {"name": "x"}}]}, "$.service_at_locations[0]"),
    ],
)
def test_what_the_specification_refuses_is_refused(change, path):
    found = errors({**VALID, **change})
    assert found and all(message.startswith(path) for message in found), found


@pytest.mark.parametrize("required", ["id", "name", "status"])
def test_required_fields_are_required(required):
    record = {key: value for key, value in VALID.items() if key != required}
    assert any(required in message for message in errors(record))


@pytest.mark.parametrize("folder", [spec.SPEC_DIR / "schema", spec.SPEC_3_0_DIR / "schema"])
def test_every_reference_resolves_inside_the_kept_files(folder):
    for path in folder.rglob("*.json"):
        text = path.read_text()
        for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
            target = ref.split("#")[0]
            # (The compiled tabular schema names its neighbours as if it sat beside them, as the specification does.)
            if target and not target.startswith("http"):
                assert (path.parent / target).is_file() or (folder / target).is_file(), f"{path.name}: {ref}"


def _keys_outside_name_maps(value, names=False):
    if isinstance(value, dict):
        for key, item in value.items():
            if not names:
                yield key
            yield from _keys_outside_name_maps(
                item, names=key in {"properties", "definitions", "schemas"} and not names
            )
    elif isinstance(value, list):
        for item in value:
            yield from _keys_outside_name_maps(item)


def test_the_kept_3_0_files_hold_facts_not_prose():
    for path in [*spec.SPEC_3_0_DIR.rglob("*.json")]:
        keys = set(_keys_outside_name_maps(json.loads(path.read_text())))
        assert not keys & PROSE, path


def test_the_tables_of_the_tabular_form_are_kept_with_their_fields():
    tables = {resource["name"]: resource for resource in spec.datapackage()["resources"]}
    assert {"organization", "service", "location", "service_at_location", "address", "phone", "schedule",
            "service_capacity", "unit", "url"} <= set(tables)  # fmt: skip
    service = {field["name"]: field for field in spec.table_fields("service")}
    assert service["id"]["constraints"]["required"] is True and service["id"]["format"] == "uuid"
    assert json.loads((spec.SPEC_3_0_DIR / "datapackage.json").read_text())["version"] == "3.0.0"


def test_tables_the_3_1_dev_datapackage_leaves_without_fields_get_them_from_their_schemas():
    capacity = {field["name"]: field for field in spec.table_fields("service_capacity")}
    assert list(capacity) == ["id", "service_id", "unit_id", "available", "maximum", "description", "updated"]
    assert capacity["available"]["type"] == "number" and capacity["updated"]["type"] == "datetime"
    assert [name for name, field in capacity.items() if field["constraints"]["required"]] == [
        "id", "service_id", "unit_id", "available", "updated"]  # fmt: skip
    assert [field["name"] for field in spec.table_fields("unit")] == ["id", "name", "scheme", "identifier", "uri"]
    # Tables the datapackage gives whole are its own.
    assert spec.resource("service") is next(r for r in spec.datapackage()["resources"] if r["name"] == "service")


def _rules(folder, name: str) -> dict:
    """Every rule of one schema file: each property's type, format, enum and reference, and what is required."""
    kept = json.loads((folder / "schema" / f"{name}.json").read_text())
    rules = {"required": sorted(kept.get("required", []))}
    for key, prop in kept["properties"].items():
        rules[key] = {rule: prop.get(rule) for rule in ("type", "format", "enum", "$ref")}
        rules[key]["items"] = (prop.get("items") or {}).get("$ref")
    return rules


def test_every_3_0_rule_is_a_3_1_rule_so_a_3_0_record_reads_as_3_1():
    for path in sorted((spec.SPEC_3_0_DIR / "schema").glob("*.json")):
        if path.stem == "openapi":
            continue
        old, new = _rules(spec.SPEC_3_0_DIR, path.stem), _rules(spec.SPEC_DIR, path.stem)
        assert {key: new.get(key) for key in old} == old, path.stem
    package = {r["name"]: r for r in json.loads((spec.SPEC_3_0_DIR / "datapackage.json").read_text())["resources"]}
    for table, resource in package.items():
        kept = {field["name"]: field for field in spec.table_fields(table)}
        for field in resource["schema"]["fields"]:
            assert {k: kept[field["name"]].get(k) for k in ("type", "format", "constraints")} == {
                k: field.get(k) for k in ("type", "format", "constraints")}, (table, field["name"])  # fmt: skip


@pytest.mark.parametrize(
    ("service", "version"),
    [
        (VALID, "3.0"),
        ({**VALID, "capacities": [{"id": VALID["id"]}]}, "3.1"),
        ({**VALID, "organization": {"additional_websites": [{"url": "https://example.org"}]}}, "3.1"),
        ({**VALID, "service_at_locations": [{"id": VALID["id"], "service_areas": [{"id": VALID["id"]}]}]}, "3.1"),
        ({**VALID, "attributes": [{"id": VALID["id"], "label": "Ages"}]}, "3.1"),
        ({**VALID, "service_at_locations": [{"location": {"attributes": [{"label": "x"}]}}]}, "3.1"),
    ],
)
def test_the_version_a_record_uses_is_told_by_what_3_1_adds(service, version):
    assert spec.version_of(service) == version


def test_the_regeneration_script_keeps_what_it_is_given(tmp_path):
    """The script that made the kept 3.0 files, run on the kept files themselves, changes nothing (what it keeps
    survives a second pass)."""
    copy, kept = tmp_path / "copy", spec.SPEC_3_0_DIR
    subprocess.run(  # noqa: S603 (a fixed script of the project)
        [sys.executable, "scripts/hsds_facts.py", "--from", str(kept), "--to", str(copy)], check=True,
        capture_output=True,
    )  # fmt: skip
    for path in kept.rglob("*.json"):
        assert json.loads((copy / path.relative_to(kept)).read_text()) == json.loads(path.read_text()), path

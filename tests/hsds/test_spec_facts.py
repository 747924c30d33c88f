"""The HSDS 3.0 facts the project keeps (hsds/specification/3.0/): complete enough to validate as the specification
does, and facts only (no prose)."""

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


def test_every_reference_resolves_inside_the_kept_files():
    folder = spec.SPEC_DIR / "schema"
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


def test_the_kept_files_hold_facts_not_prose():
    for path in [*spec.SPEC_DIR.rglob("*.json")]:
        keys = set(_keys_outside_name_maps(json.loads(path.read_text())))
        assert not keys & PROSE, path


def test_the_tables_of_the_tabular_form_are_kept_with_their_fields():
    tables = {resource["name"]: resource for resource in spec.datapackage()["resources"]}
    assert {"organization", "service", "location", "service_at_location", "address", "phone", "schedule"} <= set(tables)
    service = {field["name"]: field for field in spec.table_fields("service")}
    assert service["id"]["constraints"]["required"] is True and service["id"]["format"] == "uuid"
    assert spec.datapackage()["version"] == "3.0.0"


def test_the_regeneration_script_keeps_what_it_is_given(tmp_path):
    """The script that made the kept files, run on the kept files themselves, changes nothing (what it keeps
    survives a second pass)."""
    copy = tmp_path / "copy"
    subprocess.run(  # noqa: S603 (a fixed script of the project)
        [sys.executable, "scripts/hsds_facts.py", "--from", str(spec.SPEC_DIR), "--to", str(copy)], check=True,
        capture_output=True,
    )  # fmt: skip
    for path in spec.SPEC_DIR.rglob("*.json"):
        assert json.loads((copy / path.relative_to(spec.SPEC_DIR)).read_text()) == json.loads(path.read_text()), path

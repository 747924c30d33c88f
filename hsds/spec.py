"""The HSDS 3.1 schemas this directory validates against, kept in hsds/specification/3.1/ (copied unchanged; its
README says from where and what 3.1 changes). HSDS 3.1 only adds optional fields and objects to 3.0, so a 3.0
record is read as the 3.1 record it also is (tests/hsds/test_spec_facts.py checks that every 3.0 rule is kept);
hsds/specification/3.0/ keeps the 3.0 facts that check compares."""

import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

HSDS_VERSION = "3.1"
PACKAGE_VERSION = "3.1.0"  # what an export's datapackage.json says (the 3.1-dev copy still says 3.0.0)
SPEC_COMMIT = "abc731c8ac11825010e9d74a0ab61dcd48e880ec"  # the 3.1-dev commit the kept files come from
PROFILE = "https://openreferral.org/specification/3.1/"
OPENAPI_URL = f"https://raw.githubusercontent.com/openreferral/specification/{SPEC_COMMIT}/schema/openapi.json"
SPEC_ROOT = Path(__file__).with_name("specification")
SPEC_DIR = SPEC_ROOT / HSDS_VERSION
SPEC_3_0_DIR = SPEC_ROOT / "3.0"
# Where the specification's openapi.json says the schema files are (its 3.1 development copy still names the 3.0
# folder); they are resolved from SPEC_DIR, never fetched.
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


@lru_cache(maxsize=32)
def schema(name: str) -> dict:
    """Return one schema file of the specification, e.g. 'service_capacity'."""
    return json.loads((SPEC_DIR / "schema" / f"{name}.json").read_text())


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every kept schema file at the address the others refer to it by."""
    return Registry().with_resources(
        (SCHEMA_BASE + path.name, DRAFT202012.create_resource(json.loads(path.read_text())))
        for path in sorted((SPEC_DIR / "schema").glob("*.json"))
    )


@lru_cache(maxsize=16)
def validator(name: str = "service") -> Draft202012Validator:
    """Return a validator for an HSDS object's schema ('service' is the fully nested service), with format checks
    (uuid, email, date, ...)."""
    return Draft202012Validator({"$ref": SCHEMA_BASE + f"{name}.json"}, registry=registry(),
                                format_checker=FormatChecker())  # fmt: skip


@lru_cache(maxsize=1)
def datapackage() -> dict:
    return json.loads((SPEC_DIR / "datapackage.json").read_text())


@lru_cache(maxsize=64)
def resource(table: str) -> dict:
    """Return one table of the tabular package, its fields completed from the object's schema where the 3.1-dev
    datapackage.json leaves them out (service_capacity, unit)."""
    found = next(r for r in datapackage()["resources"] if r["name"] == table)
    given = {field["name"]: field for field in found["schema"]["fields"]}
    kept = schema(table)
    required = {*kept.get("required", ()), *kept.get("tabular_required", ())}
    scalars = [name for name, prop in kept["properties"].items() if prop.get("type") in _SCALARS]
    if set(scalars) <= set(given):
        return found
    fields = [given.get(name) or _field(name, kept["properties"][name], name in required) for name in scalars]
    return {**found, "schema": {**found["schema"], "fields": fields}}


def table_fields(table: str) -> list[dict]:
    """Return the datapackage field definitions of one table (e.g. 'service')."""
    return resource(table)["schema"]["fields"]


_SCALARS = {"string", "number", "integer", "boolean"}
_DATES = {"date-time": "datetime", "date": "date"}


def _field(name: str, prop: dict, required: bool) -> dict:
    """A datapackage field for one scalar property of a schema, typed as the datapackage types its others."""
    kind, form = prop["type"], prop.get("format")
    field = {"name": name, "type": _DATES.get(form, kind) if kind == "string" else kind}
    if form and form not in _DATES:
        field["format"] = form
    return {**field, "constraints": {"required": required, "unique": name == "id"}}


def version_of(service: dict) -> str:
    """Return '3.1' when a nested service uses anything HSDS 3.1 adds, else '3.0' (both read the same way)."""
    if not isinstance(service, dict):  # (read before validation: a record may be any shape)
        return "3.0"
    organization = service.get("organization")
    organization = organization if isinstance(organization, dict) else {}
    offers = service.get("service_at_locations")
    offers = offers if isinstance(offers, list) else []
    added = (service.get("capacities"), service.get("additional_urls"), organization.get("additional_websites"),
             *(offer.get("service_areas") for offer in offers if isinstance(offer, dict)))  # fmt: skip
    return "3.1" if any(added) or _labelled(service) else "3.0"


def _labelled(value) -> bool:
    """True when an attribute somewhere in the record has a label (HSDS 3.1); walked with a list, not recursion (a
    record may nest deeper than Python's stack)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            attributes = item.get("attributes")
            if isinstance(attributes, list) and any(isinstance(a, dict) and "label" in a for a in attributes):
                return True
            pending.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            pending.extend(v for v in item if isinstance(v, dict | list))
    return False

"""The HSDS 3.0 facts this directory validates against: the specification's schemas and tabular package, kept in
hsds/specification/3.0/ (without their prose; README.md there says where they come from and how to regenerate
them)."""

import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

HSDS_VERSION = "3.0"
PROFILE = "https://openreferral.org/specification/3.0/"
SPEC_DIR = Path(__file__).with_name("specification") / HSDS_VERSION


@lru_cache(maxsize=8)
def schema(name: str) -> dict:
    """Return one schema file of the specification, e.g. 'compiled/service_with_definitions'."""
    return json.loads((SPEC_DIR / "schema" / f"{name}.json").read_text())


@lru_cache(maxsize=1)
def datapackage() -> dict:
    return json.loads((SPEC_DIR / "datapackage.json").read_text())


@lru_cache(maxsize=8)
def validator(name: str = "compiled/service_with_definitions") -> Draft202012Validator:
    """Return a validator for an HSDS schema, with format checks (uuid, email, date, ...)."""
    return Draft202012Validator(schema(name), format_checker=FormatChecker())


def table_fields(table: str) -> list[dict]:
    """Return the datapackage field definitions of one table (e.g. 'service')."""
    resource = next(r for r in datapackage()["resources"] if r["name"] == table)
    return resource["schema"]["fields"]

"""The HSDS 3.0 specification files (schemas, datapackage), read from HSDS_SPEC_DIR, never copied here."""

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jsonschema import Draft202012Validator, FormatChecker

HSDS_VERSION = "3.0"
PROFILE = "https://openreferral.org/specification/3.0/"


def spec_dir() -> Path:
    path = Path(settings.HSDS_SPEC_DIR)
    if not (path / "schema").is_dir():
        raise ImproperlyConfigured(
            f"HSDS_SPEC_DIR={path} does not hold the HSDS 3.0 specification (schema/, datapackage.json)."
        )
    return path


@lru_cache(maxsize=8)
def schema(name: str) -> dict:
    """Return one schema file of the specification, e.g. 'compiled/service_with_definitions'."""
    return json.loads((spec_dir() / "schema" / f"{name}.json").read_text())


@lru_cache(maxsize=1)
def datapackage() -> dict:
    return json.loads((spec_dir() / "datapackage.json").read_text())


@lru_cache(maxsize=8)
def validator(name: str = "compiled/service_with_definitions") -> Draft202012Validator:
    """Return a validator for an HSDS schema, with format checks (uuid, email, date, ...)."""
    return Draft202012Validator(schema(name), format_checker=FormatChecker())


def table_fields(table: str) -> list[dict]:
    """Return the datapackage field definitions of one table (e.g. 'service')."""
    resource = next(r for r in datapackage()["resources"] if r["name"] == table)
    return resource["schema"]["fields"]

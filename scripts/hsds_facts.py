"""Regenerate the HSDS facts the project keeps (hsds/specification/<version>/) from a copy of the specification.

Usage: python scripts/hsds_facts.py --from PATH/TO/hsds-3.0 [--to hsds/specification/3.0]

PATH is a checkout (or copy) of the Open Referral specification at the version's branch, holding `schema/`
(one JSON Schema per object, `compiled/`, `openapi.json`) and `datapackage.json`. The project keeps what it
validates against — structure, types, formats, enums, required fields, constraints, references — and drops the
prose (descriptions, titles of fields, examples), so the facts are small enough to review and carry in the
repository. The project never reads the specification itself at run or test time.
"""

import argparse
import json
import shutil
from pathlib import Path

# Keys that hold prose, not facts. Inside a map of names (properties, definitions, schemas, paths) every key is a
# name and is kept, whatever it is called (a service has a property named "description").
PROSE = {"description", "title", "example", "examples", "$comment", "summary", "datapackage_metadata", "core"}
NAME_MAPS = {"properties", "definitions", "$defs", "schemas", "paths", "responses", "content", "patternProperties"}
ROOT = Path(__file__).resolve().parent.parent


def facts(value, *, names: bool = False):
    """Return a JSON value without its prose keys (`names`: value is a map whose keys are names)."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if not names and key in PROSE:
                continue
            kept[key] = facts(item, names=(key in NAME_MAPS) and not names)
        return kept
    if isinstance(value, list):
        return [facts(item) for item in value]
    return value


def openapi_facts(spec: dict) -> dict:
    """Keep what validating responses needs of openapi.json: its version, each path's responses, the schemas."""
    paths = {
        path: {method: {"responses": facts(op.get("responses", {}), names=True)} for method, op in item.items()
               if isinstance(op, dict) and "responses" in op}
        for path, item in spec.get("paths", {}).items()
    }  # fmt: skip
    return {"openapi": spec["openapi"], "info": {"version": spec["info"]["version"]}, "paths": paths,
            "components": {"schemas": facts(spec["components"]["schemas"], names=True)}}  # fmt: skip


def datapackage_facts(package: dict) -> dict:
    """Keep the package's identity and licence and each table's name, path and schema (fields with their types,
    formats and constraints; keys)."""
    identity = {key: package[key] for key in ("name", "profile", "version", "homepage", "license")
                if key in package}  # fmt: skip
    resources = []
    for resource in package["resources"]:
        schema = resource["schema"]
        kept = {"fields": [facts(field) for field in schema["fields"]]}
        for key in ("primaryKey", "foreignKeys", "missingValues"):
            if key in schema:
                kept[key] = schema[key]
        resources.append({key: resource[key] for key in ("name", "path", "format", "mediatype", "profile")
                          if key in resource} | {"schema": kept})  # fmt: skip
    return identity | {"resources": resources}


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", required=True, type=Path, help="A copy of the specification.")
    parser.add_argument("--to", type=Path, default=ROOT / "hsds" / "specification" / "3.0")
    args = parser.parse_args()
    source, target = args.source, args.to
    if not (source / "schema").is_dir() or not (source / "datapackage.json").is_file():
        parser.error(f"{source} does not hold schema/ and datapackage.json")
    if (target / "schema").exists():
        shutil.rmtree(target / "schema")
    for path in sorted((source / "schema").rglob("*.json")):
        relative = path.relative_to(source)
        data = json.loads(path.read_text())
        write(target / relative, openapi_facts(data) if path.name == "openapi.json" else facts(data))
    write(target / "datapackage.json", datapackage_facts(json.loads((source / "datapackage.json").read_text())))
    print(f"wrote the facts of {source} to {target}")


if __name__ == "__main__":
    main()

"""Read HSDS 3.1 (and 3.0) services from the forms the specification allows, as nested service objects.

- JSON: one service, a list of services, or a Page object (`{"contents": [...]}`, the `/services?full` form);
- newline-delimited JSON (one service per line);
- tabular: a folder or a zip of CSV files with datapackage.json; rows are typed from the specification's
  datapackage and joined into nested services (services.csv + organizations, service_at_location,
  locations, addresses, phones, schedules, languages, attributes, taxonomy_terms, and HSDS 3.1's service_capacity
  with its units, url and the service_areas of services at locations).

Every record carries where it came from (file and index, line, or CSV file and row) for the report.
"""

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hsds import spec

# The tables an import reads, by datapackage name. Others (funding, contacts, ...) are not modelled here.
TABLES = (
    "organization", "service", "service_at_location", "location", "address", "phone", "schedule", "accessibility",
    "language", "attribute", "taxonomy_term", "service_capacity", "unit", "url", "service_area",
)  # fmt: skip
# HSDS 3.1 tables: a package without one says nothing of them, so what is kept of them here stays (hsds.additions).
GIVEN_BY_TABLE = ("accessibility", "service_capacity", "url", "service_area")


MAX_CELL_ERRORS = 50  # cell problems a read reports at most (a package wrong throughout is not listed whole)


class ReadError(Exception):
    """The file as a whole cannot be read (bad JSON, a CSV without a required column, ...)."""


@dataclass
class SourceRecord:
    data: dict
    where: str
    # For tabular input: JSON path of a nested object -> "file.csv row N", so problems name the row.
    origins: dict[str, str] = field(default_factory=dict)
    version: str = ""  # "3.1" for a tabular package with HSDS 3.1's tables, whatever its rows link

    def locate(self, path: str) -> str:
        """Return where in the input a JSON path of this record comes from."""
        best = max((p for p in self.origins if path == p or path.startswith(p + ".") or path.startswith(p + "[")),
                   key=len, default=None)  # fmt: skip
        return self.origins[best] if best is not None else self.where


def read_records(path: Path) -> Iterator[SourceRecord]:
    """Yield the services in an HSDS file or folder, whatever its form."""
    path = Path(path)
    if path.is_dir():
        yield from _tabular(_DirFiles(path), label=path.name)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            yield from _tabular(_ZipFiles(archive), label=path.name)
    elif path.suffix.lower() in {".ndjson", ".jsonl"}:
        yield from _ndjson(path)
    else:
        yield from _json(path)


def _json(path: Path) -> Iterator[SourceRecord]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ReadError(f"{path.name}: not valid JSON ({type(exc).__name__}: {str(exc)[:200]})") from None
    if isinstance(data, dict) and "contents" in data:
        items, label = data["contents"], f"{path.name} contents"
    elif isinstance(data, list):
        items, label = data, path.name
    elif isinstance(data, dict):
        items, label = [data], path.name
    else:
        raise ReadError(f"{path.name}: expected a service, a list of services or a Page object")
    if not isinstance(items, list):
        raise ReadError(f"{path.name}: `contents` must be a list of services")
    for index, item in enumerate(items):
        yield SourceRecord(item, f"{label}[{index}]")


def _ndjson(path: Path) -> Iterator[SourceRecord]:
    try:
        with path.open(encoding="utf-8-sig") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, RecursionError) as exc:
                    raise ReadError(f"{path.name} line {number}: not valid JSON ({str(exc)[:200]})") from None
                yield SourceRecord(record, f"{path.name} line {number}")
    except UnicodeDecodeError:
        raise ReadError(f"{path.name}: not UTF-8 text") from None


class _DirFiles:
    def __init__(self, root: Path):
        self.root = root

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def open(self, name: str):
        return (self.root / name).open(encoding="utf-8-sig", newline="")


class _ZipFiles:
    def __init__(self, archive: zipfile.ZipFile):
        # A zip may hold the files at its root or inside one folder.
        names = {Path(name).name: name for name in archive.namelist() if not name.endswith("/")}
        self.archive, self.names = archive, names

    def exists(self, name: str) -> bool:
        return name in self.names

    def open(self, name: str):
        return io.TextIOWrapper(self.archive.open(self.names[name]), encoding="utf-8-sig", newline="")


def _typed(value: str, kind: str):
    """Return a CSV cell as the type the datapackage gives it (empty cells are absent)."""
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    if kind == "integer":
        return int(value)
    return value


def _resource(table: str) -> dict:
    return spec.resource(table)


def _read_table(files, table: str) -> list[tuple[dict, str]]:
    """Return the typed rows of one table with their 'file row N' labels (row 1 is the header)."""
    resource = _resource(table)
    name, fields = resource["path"], {f["name"]: f for f in resource["schema"]["fields"]}
    if not files.exists(name):
        if table == "service":
            raise ReadError(f"{name} is missing: a tabular HSDS package needs its services")
        return []
    try:
        _check_cells(files, name, resource["schema"]["fields"])
        return _typed_rows(files, name, fields)
    except UnicodeDecodeError:
        raise ReadError(f"{name}: not UTF-8 text") from None
    except csv.Error as exc:
        raise ReadError(f"{name}: not a readable CSV file ({exc})") from None


def _check_cells(files, name: str, fields: list[dict]) -> None:
    """Check every cell of one CSV file against its datapackage field's type (number, integer, date, datetime)
    with frictionless; raise ReadError naming the row and column of each bad cell (the first MAX_CELL_ERRORS)."""
    import frictionless  # here: 0.2 s to import, which every web process would pay for the HSDS API's sake

    # Types only, as the reader typed cells before (it stopped at the first bad one): formats, required cells and
    # enums are the record's schema's to check (hsds.validation), so a bad one refuses its record, not the file
    # (--skip-invalid); times are read as people write them (hsds/times.py). Columns are matched by their header.
    kept = [{"name": f["name"], "type": "string" if f["type"] in ("string", "time") else f["type"]} for f in fields]
    with files.open(name) as handle:
        data = handle.read().encode("utf-8")
    schema = frictionless.Schema.from_descriptor({"fields": kept, "fieldsMatch": "subset"})
    report = frictionless.Resource(data, format="csv", schema=schema).validate(
        checklist=frictionless.Checklist(pick_errors=["type-error"])
    )
    types = {field["name"]: field["type"] for field in kept}
    cells = report.flatten(["rowNumber", "fieldName", "cell"])
    found = [f"{name} row {row}, column {column}: not a {types[column]}: {cell!r}"
             for row, column, cell in cells if row is not None]  # fmt: skip
    if found:
        more = " (and more)" if len(found) > MAX_CELL_ERRORS else ""
        raise ReadError("; ".join(found[:MAX_CELL_ERRORS]) + more)


def _typed_rows(files, name: str, fields: dict) -> list[tuple[dict, str]]:
    with files.open(name) as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [f for f, spec_field in fields.items() if spec_field.get("constraints", {}).get("required")
                   and f not in header]  # fmt: skip
        if missing:
            raise ReadError(f"{name}: missing required column(s) {', '.join(missing)}")
        rows = []
        for number, row in enumerate(reader, start=2):
            typed, where = {}, f"{name} row {number}"
            for column, value in row.items():
                if column not in fields or value is None or value == "":
                    continue
                try:
                    typed[column] = _typed(value, fields[column]["type"])
                except ValueError:
                    raise ReadError(f"{where}: {column} is not a {fields[column]['type']}: {value!r}") from None
            if "id" in fields and "id" not in typed:
                raise ReadError(f"{where}: id is empty")
            rows.append((typed, where))
    return rows


def _tabular(files, label: str) -> Iterator[SourceRecord]:
    if not files.exists("datapackage.json"):
        raise ReadError(f"{label}: a tabular HSDS package needs datapackage.json beside its CSV files")
    tables = {table: _read_table(files, table) for table in TABLES}
    has = {table: files.exists(_resource(table)["path"]) for table in GIVEN_BY_TABLE}
    # HSDS 3.0's service_areas.csv names services only: no service at location's areas are given by it (and none
    # kept here are wiped).
    has["service_area"] = has["service_area"] and any(
        "service_at_location_id" in row for row, _ in tables["service_area"]
    )
    version = (
        "3.1" if any(files.exists(_resource(table)["path"]) for table in ("service_capacity", "unit", "url")) else ""
    )
    by_id = {table: {row["id"]: (row, where) for row, where in rows if "id" in row} for table, rows in tables.items()}
    children = defaultdict(list)  # (table, parent key, parent id) -> rows

    def owner(row: dict, keys: tuple[str, ...]):
        return next(((key, row[key]) for key in keys if row.get(key)), (None, None))

    for row, where in tables["address"]:
        children["address", "location_id", row.get("location_id")].append((row, where))
    for row, where in tables["phone"]:
        # A phone naming a location belongs to it first: a confidential site's direct line must never become a
        # service's (public) phone because the row also names the service.
        key, value = owner(row, ("location_id", "service_at_location_id", "service_id", "organization_id"))
        children["phone", key, value].append((row, where))
    for row, where in tables["schedule"]:
        key, value = owner(row, ("service_at_location_id", "service_id", "location_id"))
        children["schedule", key, value].append((row, where))
    for row, where in tables["language"]:
        key, value = owner(row, ("service_id", "location_id", "phone_id"))
        children["language", key, value].append((row, where))
    for row, where in tables["accessibility"]:
        children["accessibility", "location_id", row.get("location_id")].append((row, where))
    for row, where in tables["attribute"]:
        children["attribute", "link_id", row.get("link_id")].append((row, where))
    for row, where in tables["service_at_location"]:
        children["service_at_location", "service_id", row.get("service_id")].append((row, where))
    for row, where in tables["service_capacity"]:
        children["service_capacity", "service_id", row.get("service_id")].append((row, where))
    for row, where in tables["url"]:
        key, value = owner(row, ("service_id", "organization_id"))
        children["url", key, value].append((row, where))
    for row, where in tables["service_area"]:  # a service's own areas (HSDS 3.0) are not kept here
        children["service_area", "service_at_location_id", row.get("service_at_location_id")].append((row, where))

    def nest(table, key, value, path, origins, build=None):
        items = []
        for index, (row, where) in enumerate(children[table, key, value]):
            item_path = f"{path}[{index}]"
            origins[item_path] = where
            item = dict(row)
            if build:
                build(item, item_path)
            items.append(item)
        return items

    def attributes(item, path, origins):
        found = nest("attribute", "link_id", item["id"], f"{path}.attributes", origins)
        for attribute in found:
            term = by_id["taxonomy_term"].get(attribute.get("taxonomy_term_id"))
            if term:
                attribute["taxonomy_term"] = dict(term[0])
        return found

    def unit_of(capacity) -> dict:
        """The capacity's unit, by unit_id (a unit_id naming no unit leaves it out: the schema names the row)."""
        unit = by_id["unit"].get(capacity.get("unit_id"))
        return {"unit": dict(unit[0])} if unit else {}

    def phones(key, value, path, origins):
        def build(phone, phone_path):
            phone["attributes"] = attributes(phone, phone_path, origins)

        return nest("phone", key, value, path, origins, build)

    for service_row, where in tables["service"]:
        origins = {"": where}
        service = dict(service_row)
        organization = by_id["organization"].get(service.get("organization_id"))
        if organization:
            org = dict(organization[0])
            origins["organization"] = organization[1]
            org["phones"] = phones("organization_id", org["id"], "organization.phones", origins)
            if has["url"]:
                websites = nest("url", "organization_id", org["id"], "organization.additional_websites", origins)
                org["additional_websites"] = websites
            service["organization"] = org
        service["phones"] = phones("service_id", service["id"], "phones", origins)
        service["schedules"] = nest("schedule", "service_id", service["id"], "schedules", origins)
        service["languages"] = nest("language", "service_id", service["id"], "languages", origins)
        service["attributes"] = attributes(service, "", origins)
        if has["url"]:
            service["additional_urls"] = nest("url", "service_id", service["id"], "additional_urls", origins)
        if has["service_capacity"]:
            service["capacities"] = nest("service_capacity", "service_id", service["id"], "capacities", origins,
                                         lambda capacity, _: capacity.update(unit_of(capacity)))  # fmt: skip

        def build_offer(offer, path, origins=origins):
            offer["schedules"] = nest("schedule", "service_at_location_id", offer["id"], f"{path}.schedules", origins)
            offer["phones"] = phones("service_at_location_id", offer["id"], f"{path}.phones", origins)
            if has["service_area"]:
                offer["service_areas"] = nest("service_area", "service_at_location_id", offer["id"],
                                              f"{path}.service_areas", origins)  # fmt: skip
            location = by_id["location"].get(offer.get("location_id"))
            if location:
                loc, loc_path = dict(location[0]), f"{path}.location"
                origins[loc_path] = location[1]
                loc["addresses"] = nest("address", "location_id", loc["id"], f"{loc_path}.addresses", origins)
                loc["phones"] = phones("location_id", loc["id"], f"{loc_path}.phones", origins)
                loc["schedules"] = nest("schedule", "location_id", loc["id"], f"{loc_path}.schedules", origins)
                loc["attributes"] = attributes(loc, loc_path, origins)
                if has["accessibility"]:  # a package without the table says nothing of any site's access
                    loc["accessibility"] = nest("accessibility", "location_id", loc["id"], f"{loc_path}.accessibility",
                                                origins, lambda record, path: record.update(
                                                    attributes=attributes(record, path, origins)))  # fmt: skip
                offer["location"] = loc

        service["service_at_locations"] = nest(
            "service_at_location", "service_id", service["id"], "service_at_locations", origins, build_offer
        )
        yield SourceRecord(service, where, {_json_path(k): v for k, v in origins.items()}, version)


def _json_path(path: str) -> str:
    return "$" if not path else "$." + path.lstrip(".")

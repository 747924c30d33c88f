"""Import HSDS 3.1 (and 3.0) services: validate everything, then write all of it in one transaction (or, with
skip_invalid, the valid records), matching records by their HSDS id so a re-import changes nothing and a
changed record updates the existing one, with the change in the listing history."""

import hashlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import phonenumbers
import zipcodes
from django.db import transaction
from django.utils import timezone

from hsds import accessibility, additions, capacities, dated, spec
from hsds.models import ExternalId, ServiceAttribute, TaxonomyMapping
from hsds.places import CONFIDENTIAL_FLAG, FLAGS_TAXONOMY, flags_of, site_points, term_of
from hsds.readers import SourceRecord, read_records
from hsds.validation import Problem, language_code, validate, weekdays
from matching.index import match_index_deferred
from providers import registry
from providers.editing import to_json
from providers.models import (
    Address,
    HoursException,
    Language,
    ListingChange,
    Location,
    NeedTerm,
    Organization,
    Phone,
    PhoneType,
    Population,
    Schedule,
    Service,
    ServiceAtLocation,
)
from providers.translations import original_of, spanish_set, stale_spanish

# This directory's own taxonomies in HSDS attributes (what export writes and import reads back).
NEEDS_TAXONOMY = "victim-services-directory"
POPULATIONS_TAXONOMY = "victim-services-directory-population"
FRONT_DOOR_FLAG = "front-door-phone"
DEFAULT_TIME_ZONE = "America/New_York"
READS = "2026-12-07"  # what the importer reads; changed with it, an unchanged source's records are read again


@dataclass
class ImportReport:
    read: int = 0
    valid: int = 0
    invalid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    version: str = "3.0"  # "3.1" when any record uses what HSDS 3.1 adds (spec.version_of)
    organization_ids: list = field(default_factory=list)  # the organizations the import wrote or found unchanged

    def summary(self) -> str:
        state = "imported" if self.applied else "NOT imported (nothing was written)"
        return (
            f"HSDS {self.version}: {self.read} service(s) read: {self.valid} valid, {self.invalid} invalid; "
            f"{state}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged; "
            f"{len(self.warnings)} warning(s); "
            f"{self.seconds:.1f} s"
        )


def import_hsds(
    path: Path,
    *,
    skip_invalid: bool = False,
    source: str = "hsds",
    user=None,
    progress: Callable[[int, int, float], None] | None = None,
) -> ImportReport:
    """Import the services in an HSDS file or folder; return the report. Raises ReadError for unreadable
    input. Nothing is written when any record is invalid, unless skip_invalid."""
    started = time.monotonic()
    report = ImportReport()
    known_languages = set(Language.objects.values_list("code", flat=True))
    records: list[SourceRecord] = []
    first_seen: dict[str, str] = {}
    for record in read_records(path):
        report.read += 1
        checked = validate(record, known_languages=known_languages)
        problems = [problem for problem in checked if problem.level == "error"]
        if record.version == "3.1" or spec.version_of(record.data) == "3.1":
            report.version = "3.1"
        warnings = [problem for problem in checked if problem.level != "error"]
        record_id = str(record.data.get("id")) if isinstance(record.data, dict) else "?"
        if not problems and record_id in first_seen:
            problems = [
                Problem(record_id, record.where, "$.id", f"duplicate service id (first at {first_seen[record_id]})")
            ]
        first_seen.setdefault(record_id, record.where)
        if not problems and not record.data.get("organization"):
            organization_id = str(record.data.get("organization_id"))
            if not ExternalId.objects.filter(
                source=source, record_type="organization", external_id=organization_id
            ).exists():
                reason = f"organization {organization_id} is neither in the file nor imported before"
                problems = [Problem(record_id, record.where, "$.organization_id", reason)]
        if problems:
            report.invalid += 1
            report.problems += problems
        else:
            report.valid += 1
            report.warnings += warnings  # what was read in a form HSDS does not use (times as "9am")
            records.append(record)
    if report.invalid and not skip_invalid:
        report.seconds = time.monotonic() - started
        return report
    writer = _Writer(source=source, user=user, report=report, points=site_points(records, source))
    # The index follows every write by itself; deferred, it is refreshed once, when the import is written.
    with transaction.atomic(), match_index_deferred():
        for done, record in enumerate(records, start=1):
            outcome = writer.service(record)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if progress:
                progress(done, len(records), time.monotonic() - started)
        writer.finish()
    report.organization_ids = [record.pk for (kind, _), record in writer.done.items() if kind == "organization"]
    report.applied = True
    report.seconds = time.monotonic() - started
    return report


class _Writer:
    """Upserts one nested service at a time, remembering what this import already wrote."""

    def __init__(self, *, source: str, user, report: ImportReport, points: dict):
        self.source, self.user, self.report = source, user, report
        self.points = points  # sites without coordinates placed before the transaction, by HSDS id
        self.now = timezone.now()
        self.external = {
            (record_type, external_id): record_id
            for record_type, external_id, record_id in ExternalId.objects.filter(source=source).values_list(
                "record_type", "external_id", "record_id"
            )
        }
        self.needs = dict(NeedTerm.objects.values_list("code", "pk"))
        self.need_codes = {pk: code for code, pk in self.needs.items()}
        self.populations = dict(Population.objects.values_list("code", "pk"))
        self.mappings = {(m.taxonomy, m.code): m.need_id for m in TaxonomyMapping.objects.all()}
        # Part of each record's fingerprint: a changed mapping makes the next import look at every record.
        self.mapping_stamp = READS + json.dumps(sorted((t, c, n) for (t, c), n in self.mappings.items()))
        self.hashes = {e.external_id: e for e in ExternalId.objects.filter(source=source, record_type="service")}
        self.changed_hashes: list[ExternalId] = []
        self.done: dict[tuple[str, str], object] = {}  # records written earlier in this import
        self.unmapped: Counter = Counter()
        self.history: list[ListingChange] = []
        self.unlocated: dict[uuid.UUID, str] = {}
        self.new_external_ids: list[ExternalId] = []
        self.created: set = set()  # records created by this import: nothing of theirs to compare or remove
        self.new_rows: list = []  # links, hours and attributes of new records, inserted in bulk by finish()

    # -- generic upsert -------------------------------------------------------------------------------

    def upsert(self, record_type: str, external_id, model, values: dict, *, history_on="self", prefix=""):
        """Create or update one record by its HSDS id; return (instance, "created" | "updated" | "unchanged").

        Changed fields go to the listing history of `history_on` (the record itself, or e.g. the location
        of an address, with `prefix`). A record already written by this import is not written again.
        """
        key = (record_type, str(external_id))
        if key in self.done:
            return self.done[key], "unchanged"
        record_id = self.external.get(key)
        instance = model.objects.filter(pk=record_id).first() if record_id else None
        if instance is None:
            # New records are inserted in bulk by finish() (their UUIDs are made here, and foreign keys are
            # checked at commit), so a first import costs a few INSERTs per thousand records, not per record.
            instance = model(**values)
            if isinstance(instance, Location):
                registry.location_prepare(instance)
            self.new_rows.append(instance)
            if record_id is not None:
                # The record was deleted here since it was imported: the HSDS id now names the new one.
                stale = ExternalId.objects.filter(
                    source=self.source, record_type=record_type, external_id=str(external_id)
                )
                stale.update(record_id=instance.pk)
            else:
                self.new_external_ids.append(ExternalId(
                    source=self.source, record_type=record_type, external_id=str(external_id), record_id=instance.pk
                ))  # fmt: skip
            self.external[key] = instance.pk
            self.created.add(instance.pk)
            self.done[key] = instance
            return instance, "created"
        changed = {f: (getattr(instance, f), v) for f, v in values.items() if _differs(getattr(instance, f), v)}
        if changed:
            for f, (_, new) in changed.items():
                setattr(instance, f, new)
            for f, old in stale_spanish(instance, changed).items():  # they translate the old texts
                changed[f] = (old, "")
                spanish_set(instance, original_of(f), "")
            registry.record_save(instance)
            owner = instance if history_on == "self" else history_on
            self.record_history(owner, {prefix + f: pair for f, pair in changed.items()})
        self.done[key] = instance
        return instance, "updated" if changed else "unchanged"

    def record_history(self, record, changes: dict) -> None:
        changes = {f: pair for f, pair in changes.items() if not (f.endswith("_id") and f != "organization_id")}
        self.history += registry.history_rows(
            record, changes, ListingChange.Source.IMPORT, user=self.user, now=self.now
        )

    # -- records --------------------------------------------------------------------------------------

    def service(self, record: SourceRecord) -> str:
        data = record.data
        digest = hashlib.sha256((self.mapping_stamp + json.dumps(data, sort_keys=True)).encode()).hexdigest()
        known = self.hashes.get(str(data["id"]))
        if known is not None and known.content_hash == digest:
            return "unchanged"  # the same record as last time, under the same taxonomy mappings
        organization, org_outcome = self.organization(data)
        values = {
            "organization_id": organization.pk,
            "name": data["name"],
            "alternate_name": data.get("alternate_name") or "",
            "description": data.get("description") or "",
            "url": data.get("url") or "",
            "email": data.get("email") or "",
            "status": data["status"],
            "interpretation_services": data.get("interpretation_services") or "",
            "application_process": data.get("application_process") or "",
            "fees_description": data.get("fees_description") or "",
            "eligibility_description": data.get("eligibility_description") or "",
            "minimum_age": _int(data.get("minimum_age")),
            "maximum_age": _int(data.get("maximum_age")),
            "alert": data.get("alert") or "",
            "last_verified_on": date.fromisoformat(data["assured_date"]) if data.get("assured_date") else None,
        }
        service, outcome = self.upsert("service", data["id"], Service, values)
        outcomes = [org_outcome, outcome]
        needs, populations, kept = self.terms(record, data.get("attributes") or [])
        languages = sorted({language_code(item["code"]) for item in data.get("languages") or []})
        outcomes.append(self.set_m2m(service, "needs", needs, NeedTerm))
        outcomes.append(self.set_m2m(service, "populations", populations, Population))
        outcomes.append(self.set_m2m(service, "languages", languages, Language))
        outcomes.append(self.attributes(service, kept))
        outcomes.append(self.phones(data.get("phones") or [], service=service))
        offers, sites = [], []
        for offer_data in data.get("service_at_locations") or []:
            location_data = offer_data["location"]
            if offer_data.get("phones"):
                # Phones of a service at a location are the location's phones here (never made public).
                location_data = {
                    **location_data,
                    "phones": [*(location_data.get("phones") or []), *offer_data["phones"]],
                }
            location, location_outcome = self.location(location_data, organization, record)
            offer_values = {
                "service_id": service.pk,
                "location_id": location.pk,
                "description": offer_data.get("description") or "",
            }
            offer, offer_outcome = self.upsert(
                "service_at_location", offer_data["id"], ServiceAtLocation, offer_values, history_on=service
            )
            offers.append(offer)
            sites.append((str(location_data["id"]), location))
            periods = _periods(data.get("schedules")) + _periods(offer_data.get("schedules"))
            days = dated.entries(data.get("schedules")) + dated.entries(offer_data.get("schedules"))
            outcomes += [location_outcome, offer_outcome, self.schedules(location, service, periods),
                         dated.write(self, location, service, days, record)]  # fmt: skip
        given = zip(data.get("service_at_locations") or [], offers, strict=True)
        outcomes += [additions.write(self, data, service, organization, list(given)),
                     capacities.write(self, record, service, sites)]  # fmt: skip
        stale = ServiceAtLocation.objects.filter(service=service).exclude(pk__in=[o.pk for o in offers])
        if service.pk not in self.created and stale.exists():
            # The service's dated hours at the sites it leaves go with it (not where an offer of a new id stays).
            HoursException.objects.filter(service=service, location__in=stale.values("location_id")).exclude(
                location_id__in=[offer.location_id for offer in offers]
            ).delete()
            stale.delete()
            outcomes.append("updated")
        if known is not None:
            known.content_hash = digest
            self.changed_hashes.append(known)
        else:
            next(e for e in reversed(self.new_external_ids) if e.record_type == "service").content_hash = digest
        if outcome == "created":
            return "created"
        return "updated" if {"updated", "created"} & set(outcomes) else "unchanged"

    def organization(self, data: dict):
        nested = data.get("organization")
        if not nested:
            record_id = self.external.get(("organization", str(data["organization_id"])))
            found = Organization.objects.filter(pk=record_id).first() if record_id else None
            if found is None:
                raise ValueError(f"organization {data['organization_id']} is neither in the file nor imported before")
            return found, "unchanged"
        values = {
            "name": nested["name"],
            "alternate_name": nested.get("alternate_name") or "",
            "description": nested.get("description") or "",
            "email": nested.get("email") or "",
            "website": nested.get("website") or "",
        }
        organization, outcome = self.upsert("organization", nested["id"], Organization, values)
        if ("organization-phones", str(nested["id"])) not in self.done:
            self.done["organization-phones", str(nested["id"])] = True
            if self.phones(nested.get("phones") or [], organization=organization) == "updated":
                outcome = "updated" if outcome == "unchanged" else outcome
        return organization, outcome

    def location(self, data: dict, organization: Organization, record: SourceRecord):
        key = ("location", str(data["id"]))
        if key in self.done:
            return self.done[key], "unchanged"
        addresses = data.get("addresses") or []
        physical = next((a for a in addresses if a.get("address_type", "physical") == "physical"), None)
        postal_code = (physical or (addresses[0] if addresses else {})).get("postal_code", "")
        flags = flags_of(data)
        values = {
            "name": data.get("name") or "",
            "alternate_name": data.get("alternate_name") or "",
            "description": data.get("description") or "",
            "location_type": data["location_type"],
            "transportation": data.get("transportation") or "",
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "is_confidential": CONFIDENTIAL_FLAG in flags,
            "time_zone": _time_zone(postal_code),
        }
        if "accessibility" in data:  # absent: the source says nothing of access, and what is here stays
            codes, details, warnings = accessibility.read(data["accessibility"] or [])
            values.update({"accessibility_details": details} if codes is None else
                          {"accessibility": codes, "accessibility_details": details})  # fmt: skip
            self.report.warnings.extend(
                Problem(str(data["id"]), f"location {data['id']}", "$.accessibility", text, level="warning")
                for text in warnings
            )  # fmt: skip
        existing_id = self.external.get(key)
        current = (
            Location.objects.filter(pk=existing_id).values("latitude", "longitude", "is_confidential").first()
            if existing_id
            else None
        )
        if current:
            if values["latitude"] is None:
                # Coordinates we geocoded on an earlier import are not a change of the listing.
                values["latitude"], values["longitude"] = current["latitude"], current["longitude"]
            if current["is_confidential"] and not values["is_confidential"]:
                # An import never makes a confidential site public: that takes a person's decision here.
                values["is_confidential"] = True
                self.report.warnings.append(Problem(
                    str(data["id"]), f"location {data['id']}", "$.attributes",
                    "the source does not mark this site confidential; it stays confidential here", level="warning",
                ))  # fmt: skip
        else:
            # Tabular data names a location's organization; nested, it is the service's organization. An
            # existing location keeps its organization (whose staff may see it exactly).
            values["organization_id"] = (
                self.external.get(("organization", str(data.get("organization_id")))) or organization.pk
            )
        if values["latitude"] is None and str(data["id"]) in self.points:
            values["latitude"], values["longitude"] = self.points[str(data["id"])]
        location, outcome = self.upsert("location", data["id"], Location, values)
        for address in addresses:
            address_values = {
                "location_id": location.pk,
                "attention": address.get("attention") or "",
                "address_1": address["address_1"],
                "address_2": address.get("address_2") or "",
                "city": address["city"],
                "region": address.get("region") or "",
                "state_province": address["state_province"].upper(),
                "postal_code": address["postal_code"],
                "country": "US",
                "address_type": address.get("address_type") or "physical",
            }
            _, address_outcome = self.upsert(
                "address", address["id"], Address, address_values, history_on=location, prefix="address."
            )
            if address_outcome != "unchanged" and outcome == "unchanged":
                outcome = "updated"
        kept = [self.external.get(("address", str(a["id"]))) for a in addresses]
        removed = Address.objects.filter(location=location).exclude(pk__in=[k for k in kept if k])
        if location.pk not in self.created and removed.exists():
            removed.delete()
            outcome = "updated" if outcome == "unchanged" else outcome
        if self.phones(data.get("phones") or [], location=location) == "updated" and outcome == "unchanged":
            outcome = "updated"
        if self.schedules(location, None, _periods(data.get("schedules"))) == "updated" and outcome == "unchanged":
            outcome = "updated"
        if dated.write(self, location, None, dated.entries(data.get("schedules")), record) == "updated":
            outcome = "updated" if outcome == "unchanged" else outcome
        if location.latitude is None and location.location_type != "virtual":
            self.unlocated[location.pk] = str(data["id"])
        return location, outcome

    def phones(self, items: list, **owner) -> str:
        ((owner_field, owner_record),) = owner.items()
        outcome, kept = "unchanged", []
        for item in items:
            flags = flags_of(item)
            values = {
                "organization": None,
                "service": None,
                "location": None,  # exactly one owner
                owner_field: owner_record,
                "number": phonenumbers.format_number(
                    phonenumbers.parse(item["number"], "US"), phonenumbers.PhoneNumberFormat.E164
                ),
                "extension": str(item.get("extension") or ""),
                "type": item.get("type") if item.get("type") in PhoneType.values else PhoneType.VOICE,
                "description": item.get("description") or "",
                "is_front_door": FRONT_DOOR_FLAG in flags,
            }
            phone, phone_outcome = self.upsert("phone", item["id"], Phone, values)
            kept.append(phone.pk)
            if phone_outcome != "unchanged":
                outcome = "updated"
        removed = Phone.objects.filter(**{owner_field: owner_record}).exclude(pk__in=kept)
        if owner_record.pk not in self.created and removed.exists():
            removed.delete()
            outcome = "updated"
        return outcome

    def schedules(self, location: Location, service: Service | None, periods: list[tuple]) -> str:
        key = ("schedules", f"{location.pk}:{service.pk if service else ''}")
        if key in self.done:
            return "unchanged"
        self.done[key] = True
        # One period per day and times, as the API keeps them (the first description wins).
        periods = list({(w, o, c): (w, o, c, d) for w, o, c, d in sorted(set(periods))}.values())
        if location.pk in self.created and (service is None or service.pk in self.created):
            self.new_rows.extend(
                Schedule(location=location, service=service, weekday=w, opens_at=o, closes_at=c, description=d)
                for w, o, c, d in periods
            )
            return "unchanged"
        current = Schedule.objects.filter(location=location, service=service)
        before = sorted(
            (s.weekday, s.opens_at.strftime("%H:%M"), s.closes_at.strftime("%H:%M"), s.description) for s in current
        )
        after = sorted(set(periods))
        if before == after:
            return "unchanged"
        # A period the source still gives keeps the Spanish form of its note (the source has none to give).
        spanish = {(s.weekday, f"{s.opens_at:%H:%M}", f"{s.closes_at:%H:%M}", s.description): s.i18n for s in current}
        current.delete()
        Schedule.objects.bulk_create(
            Schedule(location=location, service=service, weekday=w, opens_at=o, closes_at=c, description=d,
                     i18n=spanish.get((w, o, c, d)))
            for w, o, c, d in after
        )  # fmt: skip
        # A service's own hours at a location are the service's history; a location's hours, the location's.
        self.record_history(service or location, {"schedules": ([" ".join(map(str, p[:3])) for p in before],
                                                    [" ".join(map(str, p[:3])) for p in after])})  # fmt: skip
        return "updated"

    def terms(self, record, attributes: list) -> tuple[list[str], list[str], list[dict]]:
        """Return (need codes, population codes, unmapped terms) of a service's attributes."""
        needs, populations, kept = set(), set(), []
        for attribute in attributes:
            term = term_of(attribute)
            taxonomy, code = term.get("taxonomy") or "", term.get("code") or term.get("id") or ""
            if taxonomy == NEEDS_TAXONOMY and code in self.needs:
                needs.add(code)
            elif taxonomy == POPULATIONS_TAXONOMY and code in self.populations:
                populations.add(code)
            elif self.mappings.get((taxonomy, code)):
                needs.add(self.need_codes[self.mappings[(taxonomy, code)]])
            elif taxonomy != FLAGS_TAXONOMY and (taxonomy, code) not in {(k["taxonomy"], k["code"]) for k in kept}:
                kept.append({"taxonomy": taxonomy, "code": code, "name": term.get("name") or "",
                             "value": str(attribute.get("value") or ""),
                             "label": attribute.get("label") or ""})  # fmt: skip
                if (taxonomy, code) not in self.unmapped:
                    self.report.warnings.append(Problem(
                        str(record.data["id"]), record.where, "$.attributes",
                        f"taxonomy term {taxonomy}:{code} ({term.get('name', '')}) maps to no need here; kept as an "
                        "attribute (map it in the taxonomy mappings and re-import)", level="warning",
                    ))  # fmt: skip
                self.unmapped[(taxonomy, code)] += 1
        return sorted(needs), sorted(populations), kept

    def set_m2m(self, service: Service, field_name: str, codes: list[str], model) -> str:
        if service.pk in self.created:
            through = getattr(Service, field_name).through
            column = {"needs": "needterm_id", "populations": "population_id", "languages": "language_id"}[field_name]
            keys = {"needs": self.needs, "populations": self.populations}.get(field_name)
            self.new_rows.extend(
                through(service_id=service.pk, **{column: keys[code] if keys else code}) for code in codes
            )
            return "unchanged"
        current = sorted(getattr(service, field_name).values_list("code", flat=True))
        if current == codes:
            return "unchanged"
        getattr(service, field_name).set(model.objects.filter(code__in=codes))
        self.record_history(service, {field_name: (current, codes)})
        return "updated"

    def attributes(self, service: Service, kept: list[dict]) -> str:
        wanted = sorted({(k["taxonomy"], k["code"], k["name"], k["value"], k["label"]) for k in kept})
        rows = [ServiceAttribute(service=service, taxonomy=t, code=c, name=n, value=v, label=label)
                for t, c, n, v, label in wanted]  # fmt: skip
        if service.pk in self.created:
            self.new_rows.extend(rows)
            return "unchanged"
        current = sorted((a.taxonomy, a.code, a.name, a.value, a.label) for a in service.hsds_attributes.all())
        if current == wanted:
            return "unchanged"
        service.hsds_attributes.all().delete()
        ServiceAttribute.objects.bulk_create(rows)
        return "updated"

    def finish(self) -> None:
        """Write what was collected for bulk insertion: ids, links and hours of new records, and the history."""
        ExternalId.objects.bulk_create(self.new_external_ids, batch_size=5000)
        by_model: dict[type, list] = {}
        for row in self.new_rows:
            by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            model.objects.bulk_create(rows, batch_size=5000)
        ListingChange.objects.bulk_create(self.history, batch_size=2000)
        ExternalId.objects.bulk_update(self.changed_hashes, ["content_hash"], batch_size=5000)
        for location_id, external_id in self.unlocated.items():
            if Location.objects.filter(pk=location_id, latitude__isnull=True).exists():
                self.report.warnings.append(Problem(
                    "-", f"location {external_id}", "$.latitude",
                    "no coordinates, and its address could not be geocoded: it is listed but cannot be found by place",
                    level="warning",
                ))  # fmt: skip


def _int(value):
    return None if value is None else int(value)


def _differs(current, new) -> bool:
    return to_json(current) != to_json(new)


def _periods(schedules) -> list[tuple]:
    """Return (weekday, opens, closes, description) for each weekly period of HSDS schedules."""
    periods = []
    for schedule in schedules or []:
        if not (schedule.get("opens_at") and schedule.get("closes_at")) or dated.is_dated(schedule):
            continue
        for weekday in weekdays(schedule.get("byday")) or []:
            periods.append(
                (weekday, schedule["opens_at"][:5], schedule["closes_at"][:5], schedule.get("description") or "")
            )
    return periods


@lru_cache(maxsize=50_000)
def _time_zone(postal_code: str) -> str:
    found = zipcodes.matching(postal_code[:5]) if postal_code[:5].isdigit() else []
    return found[0].get("timezone") or DEFAULT_TIME_ZONE if found else DEFAULT_TIME_ZONE

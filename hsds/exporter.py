"""Write this directory's services as HSDS 3.1: nested service objects (JSON, and the HSDS API) or the
tabular form (CSV files + datapackage.json).

What leaves of a confidential site is what the disclosure policy (providers.disclosure, docs/privacy.md) lets the
caller see: for a generalized site its public point, an address with its city, state, 5-digit ZIP and country
(HSDS requires a street line: it says the address is withheld), front-door phones only and no free text unless
marked safe; such locations carry an attribute saying they were generalized. Ids are the HSDS ids records were
imported with, else this directory's UUIDs; objects that have no id here (attributes, languages, taxonomy terms)
get stable UUIDs derived from what they say.
"""

import csv
import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Coalesce

from hsds import accessibility, additions, capacities, dated, spec
from hsds.importer import CONFIDENTIAL_FLAG, FLAGS_TAXONOMY, FRONT_DOOR_FLAG, NEEDS_TAXONOMY, POPULATIONS_TAXONOMY
from hsds.models import ExternalId
from providers.access import ConfidentialAccess
from providers.disclosure import SiteDisclosure, SiteMarks, service_texts
from providers.models import (
    HoursException,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
    ahead_since,
)

GENERALIZED_FLAG = "generalized-location"
NAMESPACE = uuid.UUID("6f1c2d38-5b8e-4d8e-9a51-8b0f3c9e2a71")  # this directory's namespace for derived ids
ISO_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}


def derived_id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(part) for part in parts)))


def export_queryset(queryset: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """Return services with everything their HSDS form needs, in a few queries, in the order of their HSDS
    ids (so two exports of the same data are the same file, whichever database they come from)."""
    queryset = Service.objects.all() if queryset is None else queryset
    imported_id = ExternalId.objects.filter(record_type="service", record_id=OuterRef("pk")).values("external_id")[:1]
    queryset = queryset.annotate(
        hsds_id=Coalesce(Subquery(imported_id), Cast("pk", TextField()), output_field=TextField())
    )
    phones = Phone.objects.order_by("id")
    return (
        queryset.select_related("organization")
        .prefetch_related(
            Prefetch("organization__phones", queryset=phones),
            Prefetch("phones", queryset=phones),
            "needs__parent",
            "populations",
            "languages",
            "hsds_attributes",
            "hsds_urls",
            "organization__hsds_urls",
            Prefetch("capacities", queryset=ServiceCapacity.objects.select_related("location").order_by("id")),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__organization")
                .order_by("id")
                .prefetch_related(
                    "hsds_areas",
                    "location__addresses",
                    Prefetch("location__phones", queryset=phones),
                    Prefetch("location__schedules", queryset=Schedule.objects.order_by("weekday", "opens_at", "id")),
                    "location__hours_exceptions",
                ),
            ),
        )
        .order_by("hsds_id", "id")
    )


class Ids:
    """HSDS ids of records: the imported id when there is one, else the record's UUID.

    Without `records`, every imported id is loaded (whole-registry exports); with them, only theirs (a page
    of the API), so a request does not read a table of a million ids.
    """

    def __init__(self, records: Iterable | None = None):
        rows = ExternalId.objects.all()
        if records is not None:
            rows = rows.filter(record_id__in={record.pk for record in records})
        # A record with several imported ids (organizations merged) is named by the first imported: last wins here.
        self.external = {
            (r, str(pk)): ext
            for r, pk, ext in rows.order_by("-pk").values_list("record_type", "record_id", "external_id")
        }

    @classmethod
    def for_services(cls, services: Iterable[Service]) -> "Ids":
        """Return the ids of prefetched services and everything nested in them."""
        records = []
        for service in services:
            records += [service, service.organization, *service.organization.phones.all(), *service.phones.all()]
            for offer in service.service_at_locations.all():
                location = offer.location
                records += [offer, location, location.organization, *location.addresses.all(), *location.phones.all()]
        return cls(records)

    def __call__(self, record_type: str, record) -> str:
        return self.external.get((record_type, str(record.pk)), str(record.pk))


def service_data(
    service: Service, *, access: ConfidentialAccess, ids: Ids, full: bool = True, modified: bool = True
) -> dict:
    """Return one service in HSDS 3.1 form (fully nested when `full`; `modified`: with last_modified, which
    file exports leave out so that exporting twice gives the same file)."""
    service_id, organization = ids("service", service), service.organization
    texts, _ = service_texts(service, access)
    data = _clean({
        "id": service_id,
        "organization_id": ids("organization", organization),
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": texts["description"],
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "interpretation_services": texts["interpretation_services"],
        "application_process": texts["application_process"],
        "fees_description": texts["fees_description"],
        "eligibility_description": texts["eligibility_description"],
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": service.last_verified_on.isoformat() if service.last_verified_on else None,
        "alert": texts["alert"],
        "last_modified": service.updated_at.isoformat() if modified else None,
    })  # fmt: skip
    if not full:
        return data
    data["organization"] = organization_data(organization, ids=ids)
    # An address or its label naming a site this viewer may not see (a map link to a shelter) is left out, as the
    # service's own texts are.
    hidden = [SiteMarks.of(o.location) for o in service.service_at_locations.all()
              if o.location.is_confidential and not access.may_see_exact(o.location)]  # fmt: skip
    shown = [row for row in service.hsds_urls.all() if not any(m.found_in(f"{row.label} {row.url}") for m in hidden)]
    data["additional_urls"] = additions.urls(shown, owner="service", owner_id=service_id, derived_id=derived_id)
    data["phones"] = [_phone(p, ids) for p in service.phones.all()]
    data["languages"] = [
        {"id": derived_id("language", service_id, language.code), "service_id": service_id,
         "name": language.name, "code": language.code}
        for language in service.languages.all()
    ]  # fmt: skip
    terms = [(NEEDS_TAXONOMY, need.code, need.name, need.description) for need in service.needs.all()]
    terms += [(POPULATIONS_TAXONOMY, p.code, p.name, p.description or p.name) for p in service.populations.all()]
    terms += [(a.taxonomy, a.code, a.name, a.name) for a in service.hsds_attributes.all()]
    kept = {(a.taxonomy, a.code): a for a in service.hsds_attributes.all()}
    data["attributes"] = [
        _attribute(service_id, "service", taxonomy, code, name, description, getattr(kept.get((taxonomy, code)),
                   "value", ""), label=getattr(kept.get((taxonomy, code)), "label", ""))
        for taxonomy, code, name, description in sorted(terms)
    ]  # fmt: skip
    data["capacities"] = capacities.records(service, service_id, access=access, ids=ids, derived_id=derived_id)
    data["service_at_locations"] = [
        offer_data(offer, service, service_id, access=access, ids=ids) for offer in service.service_at_locations.all()
    ]
    return _sorted_by_id(data)


def _sorted_by_id(value):
    """Order every list of objects by id, so the output does not depend on this database's own ids."""
    if isinstance(value, dict):
        return {key: _sorted_by_id(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_by_id(item) for item in value]
        return (
            sorted(items, key=lambda item: item["id"])
            if all(isinstance(i, dict) and "id" in i for i in items)
            else items
        )
    return value


def organization_data(organization, *, ids: Ids, full: bool = True) -> dict:
    organization_id = ids("organization", organization)
    data = _clean({
        "id": organization_id,
        "name": organization.name,
        "alternate_name": organization.alternate_name,
        "description": organization.description or organization.name,
        "email": organization.email,
        "website": organization.website,
    })  # fmt: skip
    if full:
        data["additional_websites"] = additions.urls(organization.hsds_urls.all(), owner="organization",
                                                     owner_id=organization_id, derived_id=derived_id)  # fmt: skip
        data["phones"] = [_phone(p, ids) for p in organization.phones.all()]
    return data


def offer_data(offer: ServiceAtLocation, service: Service, service_id: str, *, access, ids) -> dict:
    """A service at a location, fully nested (its hours there, service areas and location)."""
    offer_id, location = ids("service_at_location", offer), offer.location
    site = SiteDisclosure.of(location, access)
    schedules = [s for s in location.schedules.all() if s.service_id == service.pk]
    return _clean({
        "id": offer_id,
        "service_id": service_id,
        "location_id": ids("location", location),
        "description": site.text(offer.description),
        "schedules": [_schedule(s, site, offer_id=offer_id) for s in schedules]
        + [_dated(e, site, offer_id=offer_id) for e in _dates_ahead(location) if e.service_id == service.pk],
        "location": location_data(location, access=access, ids=ids),
    }) | {"service_areas": additions.service_areas(offer, offer_id, site)}  # fmt: skip


def location_data(location: Location, *, access: ConfidentialAccess, ids: Ids) -> dict:
    """Return a location in HSDS form, as the caller may see it (providers.disclosure)."""
    location_id, site = ids("location", location), SiteDisclosure.of(location, access)
    flags = []
    if location.is_confidential:
        flags.append((CONFIDENTIAL_FLAG, "Confidential location (shelter or safe house)"))
    if not site.exact:
        flags.append((GENERALIZED_FLAG, "Approximate point; street address, direct phones and free text withheld"))
    return _clean({
        "id": location_id,
        "location_type": location.location_type,
        "organization_id": ids("organization", location.organization) if location.organization_id else None,
        "name": location.name,
        "alternate_name": location.alternate_name,
        "description": site.text(location.description),
        "transportation": site.text(location.transportation),
        "latitude": site.latitude,
        "longitude": site.longitude,
        "addresses": [_address(site.address(a), ids("address", a), location_id) for a in location.addresses.all()],
        "phones": [_phone(p, ids, site) for p in site.phones(location.phones.all())],
        "schedules": [
            _schedule(s, site, location_id=location_id) for s in location.schedules.all() if s.service_id is None
        ]
        + [_dated(e, site, location_id=location_id) for e in _dates_ahead(location) if e.service_id is None],
        "accessibility": accessibility.records(
            location.accessibility, site.text(location.accessibility_details), location_id=location_id,
            derived_id=derived_id, attribute=_attribute,
        ),
        "attributes": [
            _attribute(location_id, "location", FLAGS_TAXONOMY, code, name, name, "") for code, name in flags
        ],
    })  # fmt: skip


# HSDS requires a street line (in JSON and in CSV, where an empty cell is a missing one); a generalized site has
# none to give.
WITHHELD_STREET = "Address withheld (confidential location)"


def _address(shown: dict, address_id: str, location_id: str) -> dict:
    """An address as the disclosure policy shows it (a generalized one says its street line is withheld)."""
    return _clean({"id": address_id, "location_id": location_id, "address_1": WITHHELD_STREET, **shown},
                  keep=("address_1", "city", "state_province", "postal_code", "country", "address_type"))  # fmt: skip


def _phone(phone: Phone, ids, site: SiteDisclosure | None = None) -> dict:
    """A phone in HSDS form; a site's phone (`site` given) with its description as the policy shows it."""
    phone_id = ids("phone", phone)
    data = _clean({
        "id": phone_id,
        "number": phone.number.as_e164,
        "extension": int(phone.extension) if phone.extension.isdigit() else None,
        "type": phone.type,
        "description": site.text(phone.description) if site else phone.description,
    })  # fmt: skip
    if phone.is_front_door:
        data["attributes"] = [
            _attribute(phone_id, "phone", FLAGS_TAXONOMY, FRONT_DOOR_FLAG, "Front-door phone", "Front-door phone", "")
        ]
    return data


def _schedule(schedule: Schedule, site: SiteDisclosure, *, offer_id: str | None = None,
              location_id: str | None = None) -> dict:  # fmt: skip
    opens, closes = schedule.opens_at.strftime("%H:%M"), schedule.closes_at.strftime("%H:%M")
    owner = offer_id or location_id
    return _clean({
        "id": derived_id("schedule", owner, schedule.weekday, opens, closes),
        "service_at_location_id": offer_id,
        "location_id": location_id,
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": ISO_DAYS[schedule.weekday],
        "opens_at": opens,
        "closes_at": closes,
        "description": site.text(schedule.description),
    })  # fmt: skip


def _dates_ahead(location: Location) -> list:
    """The location's dated hours from yesterday on (reads the prefetch when there is one)."""
    since = ahead_since()
    ahead = [e for e in location.hours_exceptions.all() if e.ends_on >= since]
    return sorted(ahead, key=lambda e: (e.starts_on, str(e.pk)))


def _dated(exception: HoursException, site: SiteDisclosure, *, offer_id: str | None = None,
           location_id: str | None = None) -> dict:  # fmt: skip
    """Dated hours as an HSDS schedule valid on those dates only (hsds/dated.py reads it back)."""
    starts, ends = exception.starts_on.isoformat(), exception.ends_on.isoformat()
    hours = {} if exception.closed else {"opens_at": exception.opens_at.strftime("%H:%M"),
                                          "closes_at": exception.closes_at.strftime("%H:%M")}  # fmt: skip
    return _clean({
        "id": derived_id("schedule", offer_id or location_id, "dated", starts, ends, *hours.values()),
        "service_at_location_id": offer_id,
        "location_id": location_id,
        "valid_from": starts,
        "valid_to": ends,
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": dated.ALL_DAYS,
        **hours,
        "description": site.text(exception.note),
        "notes": dated.CLOSED_NOTE if exception.closed else None,
    })  # fmt: skip


def _attribute(link_id: str, link_type: str, taxonomy: str, code: str, name: str, description: str, value,
               label: str = "") -> dict:  # fmt: skip
    term_id = derived_id("term", taxonomy, code)
    return _clean({
        "label": label,
        "id": derived_id("attribute", link_id, taxonomy, code),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": link_type,
        "taxonomy_term_id": term_id,
        "value": value,
        "taxonomy_term": {"id": term_id, "code": code, "name": name or code, "description": description or name or code,
                          "taxonomy": taxonomy},
    })  # fmt: skip


def _clean(data: dict, keep: tuple = ()) -> dict:
    """Drop empty values (HSDS types do not allow null), except required fields in `keep`."""
    return {k: v for k, v in data.items() if k in keep or (v is not None and v != "" and v != [])}


# --- files -------------------------------------------------------------------------------------------------


def iter_services(queryset: QuerySet[Service], *, access: ConfidentialAccess, chunk: int = 500) -> Iterator[dict]:
    """Yield services in HSDS form, ordered by HSDS id, a chunk of fully prefetched services at a time.

    The order is computed once; each chunk is then fetched by primary key (an OFFSET over the sorted
    queryset would sort everything again for every chunk).
    """
    ids = Ids()
    order = [pk for _, pk in sorted((ids("service", s), s.pk) for s in queryset.only("pk"))]
    for start in range(0, len(order), chunk):
        keys = order[start : start + chunk]
        found = {s.pk: s for s in export_queryset(Service.objects.filter(pk__in=keys))}
        for pk in keys:
            yield service_data(found[pk], access=access, ids=ids, modified=False)


def write_json(path: Path, services: Iterable[dict]) -> int:
    """Write services as a JSON list; return how many."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as out:
        out.write("[")
        for count, service in enumerate(services, start=1):
            out.write(("\n" if count == 1 else ",\n") + json.dumps(service, ensure_ascii=False, sort_keys=True))
        out.write("\n]\n")
    return count


CSV_TABLES = ("organization", "service", "service_at_location", "location", "address", "phone", "schedule",
              "accessibility", "language", "attribute", "taxonomy_term", "service_capacity", "unit", "url",
              "service_area")  # fmt: skip


def write_csv(folder: Path, services: Iterable[dict]) -> int:
    """Write services in HSDS tabular form (one CSV per table, with datapackage.json); return how many."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    resources = {table: spec.resource(table) for table in CSV_TABLES}
    rows: dict[str, dict[str, dict]] = {table: {} for table in CSV_TABLES}
    count = 0
    for service in services:
        _flatten(service, rows)
        count += 1
    for table in CSV_TABLES:
        resource = resources[table]
        columns = [f["name"] for f in resource["schema"]["fields"]]
        with (folder / resource["path"]).open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for key in sorted(rows[table]):
                writer.writerow(rows[table][key])
    package = {k: v for k, v in spec.datapackage().items() if k != "resources"} | {"version": spec.PACKAGE_VERSION}
    package["resources"] = [resources[table] for table in CSV_TABLES]
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2))
    return count


def _flatten(service: dict, rows: dict) -> None:
    def put(table, item, **links):
        flat = {k: v for k, v in item.items() if not isinstance(v, list | dict)}
        rows[table][flat["id"]] = {**flat, **{k: v for k, v in links.items() if v}}

    def attributes(items):
        for attribute in items or []:
            put("attribute", attribute)
            put("taxonomy_term", attribute["taxonomy_term"])

    organization = service["organization"]
    put("organization", organization)
    for phone in organization.get("phones", []):
        put("phone", phone, organization_id=organization["id"])
        attributes(phone.get("attributes"))
    for website in organization.get("additional_websites", []):
        put("url", website)
    put("service", service)
    for url in service.get("additional_urls", []):
        put("url", url)
    for capacity in service.get("capacities", []):
        put("service_capacity", capacity, unit_id=capacity["unit"]["id"])
        put("unit", capacity["unit"])
    for phone in service.get("phones", []):
        put("phone", phone, service_id=service["id"])
        attributes(phone.get("attributes"))
    for language in service.get("languages", []):
        put("language", language)
    attributes(service.get("attributes"))
    for offer in service.get("service_at_locations", []):
        put("service_at_location", offer)
        for area in offer.get("service_areas", []):
            put("service_area", area)
        for schedule in offer.get("schedules", []):
            put("schedule", schedule)
        location = offer["location"]
        put("location", location)
        for address in location.get("addresses", []):
            put("address", address)
        for phone in location.get("phones", []):
            put("phone", phone, location_id=location["id"])
            attributes(phone.get("attributes"))
        for schedule in location.get("schedules", []):
            put("schedule", schedule)
        for record in location.get("accessibility", []):
            put("accessibility", record)
            attributes(record.get("attributes"))
        attributes(location.get("attributes"))

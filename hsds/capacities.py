"""HSDS 3.1 service_capacity, both ways. HSDS counts a service's capacity; this directory counts beds on the site
(Location.beds_total, beds_available, capacity_updated_at) and other units on the service
(providers.ServiceCapacity: appointment slots, places in a group...).

Written: each site's beds as one capacity (unit "Bed") of each service offered there, `available` the beds free,
`maximum` the total, `updated` when the site last gave them, described "Beds at <site name>" (the same beds for every
service of the site, never to be added up); a site that does not say how many are free has none (`available` is
required). Other units as they are kept, their description as the viewer may see it.

Read: a capacity whose unit is a bed (its identifier or name "bed(s)" or "cama(s)") gives the beds of the service's
site when it has one, or of the site its description names as written above; else it is reported and left out (HSDS
does not say which site). A count older than the site's own here is left out too: beds change daily, the newest
wins. Other units replace the service's when a record gives `capacities`.
"""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from hsds.additions import web_address
from providers import registry
from providers.disclosure import SiteDisclosure, SiteMarks, withhold_texts
from providers.models import MAX_COUNT, ListingChange, ServiceCapacity
from providers.models.capacities import BED_WORDS

BED_UNIT = {"name": "Bed", "scheme": "victim-services-directory", "identifier": "bed"}
LENGTHS = {"unit.name": 100, "unit.scheme": 100, "unit.identifier": 100, "unit.uri": 500, "description": 500}


def is_beds(unit: dict) -> bool:
    return any(str(unit.get(key) or "").strip().lower() in BED_WORDS for key in ("identifier", "name"))


# --- export --------------------------------------------------------------------------------------------------


def records(service, service_id: str, *, access, ids, derived_id) -> list[dict]:
    """The capacities of a prefetched service in HSDS form, as this viewer may see them."""
    offers = list(service.service_at_locations.all())
    # A count nobody confirmed has no `updated` to give (HSDS requires one); it is not exported.
    found = [_beds(o.location, service_id, ids, derived_id) for o in offers
             if o.location.beds_available is not None and o.location.capacity_updated_at is not None]  # fmt: skip
    kept = list(service.capacities.all())
    hidden = [SiteMarks.of(o.location) for o in offers if kept and not SiteDisclosure.of(o.location, access).exact]
    for capacity in kept:
        if capacity.location_id is not None:
            description = SiteDisclosure.of(capacity.location, access).text(capacity.description)
        else:  # the service's own text: withheld when it names a site the viewer may not see
            description = withhold_texts({"description": capacity.description}, hidden)[0]["description"]
        where = ids("location", capacity.location) if capacity.location_id else ""
        unit = {"name": capacity.unit, "scheme": capacity.unit_scheme, "identifier": capacity.unit_identifier,
                "uri": capacity.unit_uri}  # fmt: skip
        found.append(_record(derived_id, service_id, where, unit, capacity.available, capacity.maximum,
                             description, capacity.updated))  # fmt: skip
    return found


def _beds(location, service_id: str, ids, derived_id) -> dict:
    location_id = ids("location", location)
    return _record(derived_id, service_id, location_id, BED_UNIT, location.beds_available, location.beds_total,
                   f"Beds at {location.name or location_id}", location.capacity_updated_at)  # fmt: skip


def _record(derived_id, service_id, where, unit: dict, available, maximum, description, updated) -> dict:
    unit = {key: value for key, value in unit.items() if value}
    unit_id = derived_id("unit", unit.get("scheme", ""), unit.get("identifier", ""), unit["name"])
    record = {"id": derived_id("capacity", service_id, where, unit_id), "service_id": service_id,
              "unit": {"id": unit_id, **unit}, "available": available, "maximum": maximum,
              "description": description, "updated": updated.isoformat()}  # fmt: skip
    return {key: value for key, value in record.items() if value is not None and value != ""}


# --- import --------------------------------------------------------------------------------------------------


def check(capacities, path: str, problem) -> list:
    """Problems of a record's capacities: whole counts from 0 to MAX_COUNT, available not above maximum, `updated`
    a date and time, texts the registry can keep."""
    found = []
    latest = timezone.now() + timedelta(days=1)
    for index, capacity in enumerate(capacities or []):
        here = f"{path}[{index}]"
        counts_ok = True
        for name in ("available", "maximum"):
            value = capacity.get(name)
            if value is not None and not (0 <= value <= MAX_COUNT and value == int(value)):  # (NaN fails both)
                found.append(problem(f"{here}.{name}", f"not a whole number from 0 to {MAX_COUNT}: {value!r}"))
                counts_ok = False
        available, maximum = capacity.get("available"), capacity.get("maximum")
        if counts_ok and maximum is not None and available > maximum:
            found.append(problem(f"{here}.available", f"available {available} is above maximum {maximum}"))
        moment = _moment(capacity["updated"])
        if moment is None:
            found.append(problem(f"{here}.updated", f"not a date and time (ISO 8601): {capacity['updated']!r}"))
        elif not EARLIEST <= moment <= latest:
            # A count from the future would win over every later one, and year 9999 cannot be read back.
            found.append(problem(f"{here}.updated", f"not between 2000 and tomorrow: {capacity['updated']!r}"))
        for name, limit in LENGTHS.items():
            owner, _, key = name.rpartition(".")
            value = (capacity.get(owner) if owner else capacity).get(key)
            if value is not None and len(str(value)) > limit:
                found.append(problem(f"{here}.{name}", f"longer than {limit} characters"))
        uri = (capacity.get("unit") or {}).get("uri")
        if uri and not web_address(uri):
            found.append(problem(f"{here}.unit.uri", f"not a web address (http or https): {uri!r}"))
    return found


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _moment(text) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)  # no offset: read as UTC
    except (ValueError, OverflowError):  # OverflowError: a moment past year 9999 in UTC
        return None


def write(writer, record, service, sites: list[tuple[str, object]]) -> str:
    """Write a record's capacities (`sites`: the HSDS id and Location of each site of the service, as written)."""
    data = record.data
    if "capacities" not in data:
        return "unchanged"  # a 3.0 source says nothing of counts: what is here stays
    outcome, others = "unchanged", []
    for index, capacity in enumerate(data["capacities"]):
        if is_beds(capacity["unit"]):
            if _write_beds(writer, record, f"$.capacities[{index}]", capacity, sites) == "updated":
                outcome = "updated"
            continue
        unit = capacity["unit"]
        others.append(ServiceCapacity(
            service=service, location=sites[0][1] if len(sites) == 1 else None, unit=unit["name"],
            unit_scheme=unit.get("scheme") or "", unit_identifier=unit.get("identifier") or "",
            unit_uri=unit.get("uri") or "", available=int(capacity["available"]),
            maximum=None if capacity.get("maximum") is None else int(capacity["maximum"]),
            description=capacity.get("description") or "", updated=_moment(capacity["updated"]),
        ))  # fmt: skip
    if service.pk in writer.created:
        writer.new_rows.extend(others)
    elif registry.capacities_replace(service=service, capacities=others, source=ListingChange.Source.IMPORT,
                                     user=writer.user, now=writer.now):  # fmt: skip
        outcome = "updated"
    return outcome


def _write_beds(writer, record, here: str, capacity: dict, sites) -> str:
    from hsds.validation import Problem  # (validation reads this module's checks)

    def warn(reason: str) -> str:
        writer.report.warnings.append(Problem(str(record.data["id"]), record.where, here, reason, level="warning"))
        return "unchanged"

    described = str(capacity.get("description") or "")
    named = [site for hsds_id, site in sites if described.endswith(f" at {site.name or hsds_id}")]
    site = sites[0][1] if len(sites) == 1 else (named[0] if len(named) == 1 else None)
    if site is None:
        return warn(f"beds of a service at {len(sites)} sites, its description naming none of them: left out "
                    "(HSDS counts a service's capacity; beds here are a site's)")  # fmt: skip
    maximum = capacity.get("maximum")
    if maximum is None and site.beds_total is not None and capacity["available"] > site.beds_total:
        return warn(f"{capacity['available']} beds available, more than the site's {site.beds_total}: left out")
    values = {"beds_available": int(capacity["available"]), "capacity_updated_at": _moment(capacity["updated"])}
    if maximum is not None:  # (HSDS's maximum is optional: without it the site's total stays)
        values["beds_total"] = int(maximum)
    key = ("beds", str(site.pk))
    if key in writer.done:
        return "unchanged" if writer.done[key] == values else warn("the site's beds were given otherwise already")
    writer.done[key] = values
    if site.pk not in writer.created and site.capacity_updated_at and site.capacity_updated_at > values[
            "capacity_updated_at"]:  # fmt: skip
        return warn(f"the beds counted here at {site.capacity_updated_at.isoformat()} are newer: kept")
    changed = {f: (getattr(site, f), v) for f, v in values.items() if getattr(site, f) != v}
    for field, (_, value) in changed.items():
        setattr(site, field, value)
    if not changed or site.pk in writer.created:
        return "unchanged"  # a new site's row is inserted with them at the end
    registry.record_save(site)
    writer.record_history(site, changed)
    return "updated"

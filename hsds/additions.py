"""What HSDS 3.1 adds that this directory keeps as the source gives it and writes back (hsds.models): a service's
additional_urls, an organization's additional_websites and the service_areas of a service at a site (this
directory's own areas are providers.ServiceArea). A record that gives one of these fields replaces what is kept; one
that does not (a 3.0 source) leaves it.

A service area of a confidential site is the site's free text: its name, description, extent and uri are shown as
the disclosure policy shows the site's other texts (providers.disclosure)."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from hsds.models import AdditionalUrl, OfferServiceArea

MAX_EXTENT_CHARS = 100_000  # a drawn area, not a country's coastline: a longer extent is reported and left out
LENGTHS = {"name": 255, "extent_type": 64, "uri": 2000}


# --- export --------------------------------------------------------------------------------------------------


def urls(rows, *, owner: str, owner_id: str, derived_id) -> list[dict]:
    """HSDS url objects of an organization's or a service's kept addresses (`owner`: 'organization' or 'service')."""
    return [_clean({"id": derived_id("url", owner_id, row.url, row.label), f"{owner}_id": owner_id,
                    "label": row.label, "url": row.url}) for row in rows]  # fmt: skip


def service_areas(offer, offer_id: str, site) -> list[dict]:
    """HSDS service_area objects of a service at a site, as the viewer may see the site (`site`: its disclosure)."""
    found = []
    for area in offer.hsds_areas.all():
        extent = site.text(area.extent)
        found.append(_clean({
            "id": area.hsds_id, "service_at_location_id": offer_id, "name": site.text(area.name),
            "description": site.text(area.description), "extent": extent,
            "extent_type": area.extent_type if extent else "", "uri": site.text(area.uri),
        }))  # fmt: skip
    return found


def _clean(data: dict) -> dict:
    return {key: value for key, value in data.items() if value}


# --- import --------------------------------------------------------------------------------------------------


_WEB = URLValidator(schemes=["http", "https"])


def web_address(value) -> bool:
    """Whether a kept address is one a reader may follow (http or https; never javascript: or a file)."""
    try:
        _WEB(str(value or ""))
    except ValidationError:
        return False
    return True


def check(data: dict, problem) -> list:
    """Problems of what a record gives to be kept: lengths the registry can keep; a long extent is a warning."""
    labels = [str(attribute.get("label") or "") for attribute in data.get("attributes") or []]
    found = [problem(f"$.attributes[{index}].label", "longer than 255 characters")
             for index, label in enumerate(labels) if len(label) > 255]  # fmt: skip
    given = [
        ("$.additional_urls", data.get("additional_urls")),
        ("$.organization.additional_websites", (data.get("organization") or {}).get("additional_websites")),
    ]
    for path, items in given:
        for index, item in enumerate(items or []):
            for name, limit in (("label", 255), ("url", 2000)):
                if len(str(item.get(name) or "")) > limit:
                    found.append(problem(f"{path}[{index}].{name}", f"longer than {limit} characters"))
            if not web_address(item.get("url")):
                found.append(problem(f"{path}[{index}].url", f"not a web address (http or https): {item.get('url')!r}"))
    for number, offer in enumerate(data.get("service_at_locations") or []):
        for index, area in enumerate(offer.get("service_areas") or []):
            here = f"$.service_at_locations[{number}].service_areas[{index}]"
            found += [problem(f"{here}.{name}", f"longer than {limit} characters") for name, limit in LENGTHS.items()
                      if len(str(area.get(name) or "")) > limit]  # fmt: skip
            if len(str(area.get("extent") or "")) > MAX_EXTENT_CHARS:
                area["_extent_left_out"] = True
                reason = f"longer than {MAX_EXTENT_CHARS} characters: left out"
                found.append(problem(f"{here}.extent", reason, "warning"))
    return found


def write(writer, data: dict, service, organization, offers: list[tuple[dict, object]]) -> str:
    """Replace what is kept of a record (`offers`: each service_at_location given with the one written)."""
    outcome = "unchanged"
    nested = data.get("organization") or {}
    key = ("organization-urls", str(nested.get("id")))
    if "additional_websites" in nested and key not in writer.done:
        writer.done[key] = True
        rows = [AdditionalUrl(organization=organization, label=u.get("label") or "", url=u["url"])
                for u in nested["additional_websites"]]  # fmt: skip
        outcome = _replace(writer, organization, AdditionalUrl.objects.filter(organization=organization), rows,
                           lambda row: (row.label, row.url))  # fmt: skip
    if "additional_urls" in data:
        rows = [AdditionalUrl(service=service, label=u.get("label") or "", url=u["url"])
                for u in data["additional_urls"]]  # fmt: skip
        if _replace(writer, service, AdditionalUrl.objects.filter(service=service), rows,
                    lambda row: (row.label, row.url)) == "updated":  # fmt: skip
            outcome = "updated"
    for given, offer in offers:
        if "service_areas" not in given:
            continue
        rows = [OfferServiceArea(offer=offer, hsds_id=str(area["id"]), name=area.get("name") or "",
                                 description=area.get("description") or "",
                                 extent="" if area.get("_extent_left_out") else area.get("extent") or "",
                                 extent_type=area.get("extent_type") or "", uri=area.get("uri") or "")
                for area in given["service_areas"]]  # fmt: skip
        if _replace(writer, offer, OfferServiceArea.objects.filter(offer=offer), rows, _area_key) == "updated":
            outcome = "updated"
    return outcome


def _area_key(area: OfferServiceArea) -> tuple:
    return area.hsds_id, area.name, area.description, area.extent, area.extent_type, area.uri


def _replace(writer, owner, current, rows: list, key) -> str:
    """Replace kept rows of a record (a new record's are inserted in bulk at the end of the import)."""
    if owner.pk in writer.created:
        writer.new_rows.extend(rows)
        return "unchanged"
    if sorted(map(key, current)) == sorted(map(key, rows)):
        return "unchanged"
    current.delete()
    if rows:
        type(rows[0]).objects.bulk_create(rows)
    return "updated"

"""Where an import's sites without coordinates are, looked up before its transaction; and the flags a site carries
in a package (this directory's own taxonomy: a confidential site is flagged so)."""

from hsds.models import ExternalId
from hsds.readers import SourceRecord
from providers import registry
from providers.models import Location

FLAGS_TAXONOMY = "victim-services-directory-flag"
CONFIDENTIAL_FLAG = "confidential-location"


def term_of(attribute: dict) -> dict:
    """An HSDS attribute's taxonomy term ({} without one)."""
    return attribute.get("taxonomy_term") or {}


def flags_of(record: dict) -> set[str]:
    """The codes of this directory's flags on a record of a package (a site's, a phone's)."""
    return {
        term_of(a).get("code") for a in record.get("attributes") or [] if term_of(a).get("taxonomy") == FLAGS_TAXONOMY
    }


def site_points(records: list[SourceRecord], source: str) -> dict[str, tuple[float, float]]:
    """Return the points of the sites in these records that come without coordinates and have none here yet, by
    their HSDS id: looked up before the import's transaction (an online geocoder is a network round trip; a
    confidential site's address, flagged in the file or here, is looked up offline only)."""
    wanted = {}
    for record in records:
        for offer in record.data.get("service_at_locations") or []:
            data = offer.get("location") or {}
            addresses = data.get("addresses") or []
            physical = next((a for a in addresses if a.get("address_type", "physical") == "physical"), None)
            if data.get("latitude") is None and physical and data.get("location_type") != "virtual":
                wanted[str(data["id"])] = (physical, CONFIDENTIAL_FLAG in flags_of(data))
    known = dict(ExternalId.objects.filter(source=source, record_type="location", external_id__in=list(wanted))
                 .values_list("external_id", "record_id"))  # fmt: skip
    sites = {s["id"]: s for s in Location.objects.filter(pk__in=known.values()).values("id", "latitude",
                                                                                       "is_confidential")}  # fmt: skip
    points = {}
    for external_id, (address, confidential) in wanted.items():
        site = sites.get(known.get(external_id))
        if site is not None and site["latitude"] is not None:
            continue
        confidential = confidential or bool(site and site["is_confidential"])
        point = registry.address_point(address, confidential=confidential)
        if point is not None:
            points[external_id] = point
    return points

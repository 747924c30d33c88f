"""Duplicates planted in the demo data, as a registry fed by several sources has them (docs/stewardship.md): a few
organizations listed a second time under a name written otherwise, their site a few metres off with its street
written otherwise, the same phone, one service. The moderation page's queue shows them with their evidence, for a
merge to be tried. Ids are derived from the originals', so a seed gives the same data every time."""

import uuid

from providers import registry
from providers.models import Address, Location, Organization, Phone, Service, ServiceAtLocation

TWINS = 3
_NAMESPACE = uuid.UUID("6f1d3c2a-5b7e-4f0a-9c1d-2e3f4a5b6c7d")
_STREET_WORDS = {"St": "Street", "Ave": "Avenue", "Rd": "Road", "Blvd": "Boulevard", "Dr": "Drive", "Ln": "Lane"}


def _id(kind: str, original) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{kind}:{original}")


def twin_name(name: str) -> str:
    """ "[DEMO] Lantern Legal Aid of Fresno" -> "[DEMO] Lantern Legal Aid - Fresno, Inc." """
    return f"{name.replace(' of ', ' - ')}, Inc."


def twin_street(line: str) -> str:
    """ "7231 Hill Blvd" -> "7231 Hill Boulevard." """
    words = line.split()
    return " ".join(_STREET_WORDS.get(word, word) for word in words) + "."


def plant_twins(count: int = TWINS) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """List `count` organizations (with a phone and an ordinary street address) a second time; return the pairs."""
    sources = (
        Organization.objects.filter(phones__isnull=False, locations__is_confidential=False,
                                    locations__location_type="physical", locations__addresses__isnull=False)
        .distinct().order_by("name", "id")[:count]
    )  # fmt: skip
    pairs = []
    for original in sources:
        site = original.locations.filter(is_confidential=False, location_type="physical").order_by("id").first()
        address = site.addresses.order_by("id").first()
        service = original.services.order_by("id").first()
        twin = Organization.objects.create(id=_id("organization", original.pk), name=twin_name(original.name),
                                           description=original.description)  # fmt: skip
        Phone.objects.create(id=_id("phone", original.pk), organization=twin, number=original.phones.first().number,
                             description="Main line")  # fmt: skip
        moved = Location(
            id=_id("location", site.pk),
            organization=twin,
            name=site.name,
            time_zone=site.time_zone,
            latitude=round(site.latitude + 0.00004, 6),
            longitude=site.longitude,
        )  # about 4 m north
        registry.record_save(moved)
        Address.objects.create(id=_id("address", address.pk), location=moved, address_1=twin_street(address.address_1),
                               city=address.city, state_province=address.state_province,
                               postal_code=address.postal_code)  # fmt: skip
        if service is not None:
            copy = Service.objects.create(
                id=_id("service", service.pk),
                organization=twin,
                name=service.name,
                description=service.description,
                last_verified_on=service.last_verified_on,
            )
            copy.needs.set(service.needs.all())
            ServiceAtLocation.objects.create(id=_id("offer", service.pk), service=copy, location=moved)
        pairs.append((original.pk, twin.pk))
    return pairs

"""Duplicates planted in the demo data, as a registry fed by several sources has them (docs/stewardship.md): a few
organizations listed a second time under a name written otherwise, their site a few metres off with its street
written otherwise, the same phone, one service; and, within one organization each, a service entered a second time
under a longer name and a site listed a second time a few metres off. The moderation page's queue shows them with
their evidence, for a merge (organizations) or "not a duplicate" to be tried. Ids are derived from the originals', so
a seed gives the same data every time."""

import re
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


def _plain_sites(organization):
    return organization.locations.filter(is_confidential=False, location_type="physical", addresses__isnull=False,
                                         phones__isnull=False).distinct().order_by("id")  # fmt: skip


def misspelt(name: str) -> str:
    """The name as another source typed it: the last vowel but one of its longest word left out ("Managment")."""
    words = name.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    vowels = [i for i, letter in enumerate(word) if letter in "aeiou"]
    if len(vowels) >= 2:
        words[longest] = word[: vowels[-2]] + word[vowels[-2] + 1 :]
    return " ".join(words)


def plant_listed_twice(exclude: set) -> list[tuple[str, uuid.UUID, uuid.UUID]]:
    """List one organization's service a second time (its name misspelt, its needs, at its site) and another
    organization's site a second time (its name written otherwise, about 6 m off, its street written otherwise, its
    phone, its services), none of them of the organizations in `exclude`; return (kind, original, copy) of each."""
    candidates = (
        Organization.objects.exclude(pk__in=exclude)
        .filter(locations__is_confidential=False, locations__location_type="physical",
                locations__addresses__isnull=False, locations__phones__isnull=False, services__isnull=False)
        .distinct().order_by("name", "id")[:2]
    )  # fmt: skip
    planted = []
    for kind, organization in zip(("service", "location"), candidates, strict=False):
        site = _plain_sites(organization).first()
        if kind == "service":
            service = organization.services.filter(service_at_locations__location=site).order_by("id").first()
            copy = Service.objects.create(id=_id("service-twice", service.pk), organization=organization,
                                          name=misspelt(service.name), description=service.description,
                                          last_verified_on=service.last_verified_on)  # fmt: skip
            copy.needs.set(service.needs.all())
            ServiceAtLocation.objects.create(id=_id("offer-twice", service.pk), service=copy, location=site)
            planted.append(("service", service.pk, copy.pk))
            continue
        address, phone = site.addresses.order_by("id").first(), site.phones.order_by("id").first()
        copy = Location(id=_id("location-twice", site.pk), organization=organization, time_zone=site.time_zone,
                        name=re.sub(r" (\d+)$", r" #\1", site.name), latitude=round(site.latitude + 0.00006, 6),
                        longitude=site.longitude)  # fmt: skip
        registry.record_save(copy)
        Address.objects.create(id=_id("address-twice", address.pk), location=copy, city=address.city,
                               address_1=twin_street(address.address_1), state_province=address.state_province,
                               postal_code=address.postal_code)  # fmt: skip
        Phone.objects.create(id=_id("phone-twice", site.pk), location=copy, number=phone.number,
                             description=phone.description)  # fmt: skip
        ServiceAtLocation.objects.bulk_create(
            ServiceAtLocation(id=_id(f"offer-twice:{offer.pk}", site.pk), service_id=offer.service_id, location=copy)
            for offer in site.service_at_locations.order_by("id")
        )
        planted.append(("location", site.pk, copy.pk))
    return planted

"""Writes to the registry."""

import logging

from django.db import transaction

from geo.geocoding import GeocodingError, geocode
from providers.models import Address, Location

logger = logging.getLogger(__name__)


def address_query(address: Address) -> str:
    """Return the one-line form of an address that geocoders expect."""
    street = ", ".join(part for part in (address.address_1, address.address_2) if part)
    return f"{street}, {address.city}, {address.state_province} {address.postal_code}".strip(", ")


@transaction.atomic
def location_locate_from_address(*, location: Location, address: Address) -> bool:
    """Give a location without coordinates the geocoded point of its address; return True when it did.

    Coordinates a person or an import gave explicitly are never replaced. A virtual location has no point.
    """
    location = Location.objects.select_for_update().get(pk=location.pk)
    if location.latitude is not None or location.location_type == Location.LocationType.VIRTUAL:
        return False
    try:
        # A confidential site's address never leaves this machine: gazetteer only.
        found = geocode(address_query(address), online=not location.is_confidential)
    except GeocodingError as exc:
        logger.info("location %s not geocoded: %s", location.pk, type(exc).__name__)
        return False
    location.latitude, location.longitude = round(found.latitude, 6), round(found.longitude, 6)
    location.save()
    return True

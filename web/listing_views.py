"""Listing detail and the printable sheet. Confidential sites follow providers.access: the exact place only
for those who may see it; the printed sheet, which leaves with a survivor, never carries a confidential
site's address or direct lines, whoever prints it."""

import json
import uuid

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from providers import selectors
from providers.access import ConfidentialAccess, confidential_access_for_user
from providers.models import Location, ServiceArea, ServiceAtLocation

WEEKDAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}


def site_view(location, access: ConfidentialAccess) -> dict:
    """Return what a caller may see of a site: point, address lines, phones and hours."""
    exact = access.may_see_exact(location)
    address = location.primary_address()
    lines = []
    if address:
        street = ", ".join(p for p in (address.address_1, address.address_2) if p) if exact else ""
        lines = [line for line in (street, f"{address.city}, {address.state_province} {address.postal_code}") if line]
    phones = [p for p in location.phones.all() if exact or p.is_front_door]
    hours = sorted(location.schedules.all(), key=lambda s: (s.weekday, s.opens_at))
    return {
        "exact": exact,
        "latitude": location.latitude if exact else location.public_latitude,
        "longitude": location.longitude if exact else location.public_longitude,
        "address": lines,
        "phones": phones,
        "hours": [(WEEKDAYS[s.weekday], s.opens_at, s.closes_at, s.service_id) for s in hours],
    }


@require_GET
def listing(request, location_id):
    """Return one site: its services, hours in its own time zone, phones, languages, eligibility, and the
    services' areas on the map."""
    try:
        location = selectors.location_list().prefetch_related(
            "service_at_locations__service__needs", "service_at_locations__service__languages",
            "service_at_locations__service__populations",
        ).get(pk=uuid.UUID(str(location_id)))  # fmt: skip
    except (ValueError, Location.DoesNotExist):
        raise Http404("No such listing.") from None
    access = confidential_access_for_user(request.user)
    site = site_view(location, access)
    services = [offer.service for offer in location.service_at_locations.all()]
    areas = ServiceArea.objects.filter(service__in=services).annotate(shape=AsGeoJSON("extent", precision=3))
    map_data = {
        "point": [site["latitude"], site["longitude"]] if site["latitude"] is not None else None,
        "approximate": not site["exact"],
        "areas": [{"name": a.name, "geometry": json.loads(a.shape)} for a in areas if a.shape],
    }
    return render(request, "web/listing.html", {
        "location": location, "site": site, "services": services, "map_data": json.dumps(map_data),
    })  # fmt: skip


@never_cache
@require_GET
def print_sheet(request):
    """Return a one-page sheet of chosen services at locations for a survivor to take away (no client data)."""
    ids = []
    for part in request.GET.get("offers", "").split(",")[:12]:
        try:
            ids.append(uuid.UUID(part))
        except ValueError:
            continue
    offers = (
        ServiceAtLocation.objects.filter(pk__in=ids)
        .select_related("service__organization", "location")
        .prefetch_related("location__addresses", "location__phones", "location__schedules")
    )
    # Paper leaves the building: nobody's sheet shows a confidential site's address or direct lines.
    paper = ConfidentialAccess()
    rows = [(offer, site_view(offer.location, paper)) for offer in offers]
    return render(request, "web/print.html", {"rows": rows})

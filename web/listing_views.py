"""Listing detail and the printable sheet, as the disclosure policy (providers.disclosure, docs/privacy.md) lets the
caller see each site; the printed sheet, which leaves with a survivor, always shows the public's view of a
confidential site, whoever prints it."""

import json
import uuid

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.dates import WEEKDAYS  # 0 = Monday, in the reader's language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.routing import replica_reads
from geo import basemap
from providers import accessibility, handout, selectors
from providers.access import ConfidentialAccess, confidential_access_for_user
from providers.disclosure import SiteDisclosure, service_texts
from providers.models import Location, Service, ServiceArea
from providers.translations import localized, page_text, page_texts, translated_fields

PRINT_LIMIT = 12  # services at locations on one printed sheet


def site_view(location, access: ConfidentialAccess) -> dict:
    """Return what a caller may see of a site: point, address lines, phones, hours and its notes."""
    site = SiteDisclosure.of(location, access)
    hours = sorted(location.schedules.all(), key=lambda s: (s.weekday, s.opens_at))
    names = {offer.service_id: page_text(offer.service, "name") for offer in location.service_at_locations.all()}
    return {
        "exact": site.exact,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "address": site.address_lines(location.primary_address()),
        "phones": [
            {"number": phone.number, "extension": phone.extension, "is_front_door": phone.is_front_door,
             "description": site.text(phone.description)}
            for phone in site.phones(location.phones.all())
        ],
        "hours": [
            (WEEKDAYS[s.weekday - 1], s.opens_at, s.closes_at, s.service_id, page_text(s, "description", site.text))
            for s in hours
        ],
        # Dates the site, or a service there, is closed or keeps other hours, from yesterday on.
        "hours_changes": [
            {**row, "note": page_text(row, "note", site.text), "service": names.get(row["service_id"])}
            for row in selectors.hours_exceptions_ahead([location.pk]).get(location.pk, [])
        ],
        "description": page_text(location, "description", site.text),
        "organization_name": page_text(location.organization, "name"),
        "transportation": site.text(location.transportation),
        "accessibility": accessibility.described(location.accessibility),
        "accessibility_details": site.text(location.accessibility_details),
    }  # fmt: skip


@replica_reads()
@require_GET
def listing(request, location_id):
    """Return one site: its services, hours in its own time zone, phones, languages, eligibility, and the
    services' areas on the map."""
    try:
        location = selectors.location_list().prefetch_related(
            "service_at_locations__service__needs", "service_at_locations__service__languages",
            "service_at_locations__service__populations",
            # Every site of each service: what the policy checks the services' texts against.
            "service_at_locations__service__service_at_locations__location__addresses",
            "service_at_locations__service__service_at_locations__location__phones",
        ).get(pk=uuid.UUID(str(location_id)))  # fmt: skip
    except (ValueError, Location.DoesNotExist):
        raise Http404("No such listing.") from None
    access = confidential_access_for_user(request.user)
    site = site_view(location, access)
    services = [offer.service for offer in location.service_at_locations.all()]
    for service in services:
        values, _ = localized(service, translated_fields(Service))
        shown, _ = service_texts(service, access, texts=values)
        # Each text in the reader's language when it has one, marked when not (providers.translations).
        service.shown_texts = page_texts(service, translated_fields(Service), values={**values, **shown})
    areas = ServiceArea.objects.filter(service__in=services).annotate(shape=AsGeoJSON("extent", precision=3))
    map_data = {
        "point": [site["latitude"], site["longitude"]] if site["latitude"] is not None else None,
        "approximate": not site["exact"],
        "areas": [{"name": a.name, "geometry": json.loads(a.shape)} for a in areas if a.shape],
        "basemap": basemap.config(),
    }
    return render(request, "web/listing.html", {
        "location": location, "site": site, "services": services, "map_data": json.dumps(map_data),
    })  # fmt: skip


@replica_reads()
@never_cache
@require_GET
def print_sheet(request):
    """Return a one-page sheet of chosen services at locations for a survivor to take away (no client data): the
    handout's words (providers.handout), the public's view of every site whoever prints it."""
    chosen = request.GET.get("offers", "").split(",")[:PRINT_LIMIT]  # malformed ids are skipped by the handout
    items = handout.handout_items(chosen, limit=PRINT_LIMIT)
    return render(request, "web/print.html", {
        "handout": handout.handout_text(items, language=translation.get_language(), paper=True),
    })  # fmt: skip

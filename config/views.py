"""The landing page (the search UI arrives with the web app)."""

from django.shortcuts import render

from providers.models import Location, Organization, Service


def home(request):
    """Return the landing page: crisis lines, what the directory holds, where the API is."""
    counts = {
        "organizations": Organization.objects.count(),
        "services": Service.objects.count(),
        "locations": Location.objects.count(),
    }
    return render(request, "home.html", {"counts": counts})

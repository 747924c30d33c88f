"""The pages people use. They call the same API (search runs /api/match/ from the browser) or the same
services and selectors as the API: the rules live there, not here."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.roles import user_role
from core.routing import replica_reads
from geo import basemap
from providers import accessibility
from providers.models import Language, NeedTerm
from referrals.permissions import may_send_referrals
from sends.permissions import may_send_lists


@replica_reads()
@require_GET
def search(request):
    """Return the search page: a place, needs grouped by category, filters; results come from /api/match/."""
    # One query for the whole taxonomy, grouped under its top-level terms (a term, its children, theirs).
    terms = list(NeedTerm.objects.select_related("parent").order_by("sort_order", "name"))
    root = {term.pk: term.pk if term.parent_id is None else term.parent.parent_id or term.parent_id for term in terms}
    groups = [
        {"group": top, "needs": [t for t in terms if root[t.pk] == top.pk]} for top in terms if top.parent_id is None
    ]
    context = {
        "need_groups": groups,
        "search_languages": Language.objects.filter(code__in=settings.SEARCH_LANGUAGES).order_by("name"),
        "role": user_role(request.user),
        "can_refer": may_send_referrals(request.user),
        "can_send_list": may_send_lists(request.user),
        "accessibility_features": accessibility.Feature.choices,
        "map_config": json.dumps({**basemap.config(), "labels": search_labels()}),
    }
    return render(request, "web/search.html", context)


def search_labels() -> dict[str, str]:
    """The words search.js writes into the page, in the reader's language (the script has no catalogue)."""
    return {
        "mi": _("mi"), "openNow": _("open now"), "bedsFree": _("beds free"), "languages": _("languages"),
        "approximate": _("approximate area (confidential site)"), "stale": _("listing may be out of date"),
        "servesArea": _("serves your area"), "byPhone": _("by phone or online"), "phone": _("Phone"),
        "sendReferral": _("Send referral"), "details": _("Details"), "addToSheet": _("Choose (print or send)"),
        "more": _("Why it matches, and where"), "plan": _("Coverage plan"),
        "none": _("No services found within the radius."), "failed": _("The search failed; please try again."),
        "approximateArea": _("approximate area"), "results": _("results"),
        "need": _("need"), "organization": _("organization"), "service": _("service"),
        "suggestions": _("suggestions"), "oneSuggestion": _("1 suggestion"), "noSuggestions": _("No suggestions"),
    }  # fmt: skip


@require_GET
@cache_control(public=True, max_age=basemap.CACHE_SECONDS)
def states_geojson(request):
    """Return US state outlines (simplified) from the project's own boundary data."""
    return HttpResponse(basemap.states(), content_type="application/geo+json")


@require_GET
@cache_control(public=True, max_age=basemap.CACHE_SECONDS)
def places_json(request):
    """Return the larger places a whole-country map names."""
    return HttpResponse(basemap.national_places(), content_type="application/json")


@require_GET
@cache_control(public=True, max_age=basemap.CACHE_SECONDS)
def basemap_cell(request, x: int, y: int):
    """Return one cell's county outlines and place names (geo.basemap)."""
    if not basemap.valid_cell(x, y):
        raise Http404("No such map cell.")
    return HttpResponse(basemap.cell(x, y), content_type="application/json")

"""Provider portal and moderator queue pages. The rules are the API's: permissions from
providers.permissions, writes through providers.services (operational fields at once, trust fields as
change requests), reads through the selectors."""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from providers import accessibility, selectors, services
from providers.access import confidential_access_for_user
from providers.disclosure import SiteDisclosure
from providers.edit_api import HoursExceptionEditSerializer
from providers.editing import RECORD_KINDS, organization_id_of, read_value
from providers.models import (
    Application,
    ChangeRequest,
    Location,
    Organization,
    RecordType,
    Service,
    Suggestion,
    ahead_since,
)
from providers.permissions import is_moderator, may_edit_listing
from providers.translations import spanish_name, translated_fields
from referrals import selectors as referral_selectors
from stewardship import selectors as duplicate_selectors
from stewardship import services as duplicate_services
from stewardship.applications import pending_lookalikes
from stewardship.merge import MergeRefused, organizations_merge
from stewardship.models import DuplicateCandidate
from web.feedback import error_text, flat_errors

DUPLICATES_SHOWN = 50  # the most likely open pairs on the page (all of them: /api/duplicates/)

# Fields a provider edits on the portal page, per record: (field, label). Which of them apply at once and
# which go to review is providers.editing's decision, shown next to each field.
LOCATION_FIELDS = [
    ("beds_total", _l("Beds (total)")),
    ("beds_available", _l("Beds available")),
    ("name", _l("Site name")),
    ("transportation", _l("How to get there")),
    ("description", _l("About this site")),
    ("description_es", _l("About this site, in Spanish")),
]
SERVICE_FIELDS = [
    ("alert", _l("Alert (e.g. no intake this week)")),
    ("alert_es", _l("Alert, in Spanish")),
    ("name", _l("Service name")),
    ("name_es", _l("Service name, in Spanish")),
    ("description", _l("Description")),
    ("description_es", _l("Description, in Spanish")),
    ("eligibility_description", _l("Who is eligible")),
    ("eligibility_description_es", _l("Who is eligible, in Spanish")),
    ("application_process", _l("How to apply")),
    ("application_process_es", _l("How to apply, in Spanish")),
]

# Shown in a text box (several lines), the rest in a one-line field.
LONG_TEXTS = {"description", "description_es", "eligibility_description", "eligibility_description_es",
              "application_process", "application_process_es", "transportation"}  # fmt: skip


def _own_organization(request) -> Organization:
    organization = request.user.organization if request.user.is_authenticated else None
    if organization is None or not may_edit_listing(request.user, organization.pk):
        raise PermissionDenied
    return organization


@never_cache
@login_required
def portal(request):
    """Return the provider's page: incoming referrals, beds, the listing's fields, re-verification."""
    organization = _own_organization(request)
    kinds = {kind: set(spec.operational) for kind, spec in RECORD_KINDS.items()}
    locations = list(organization.locations.order_by("name").prefetch_related("service_at_locations__service"))
    dates = selectors.hours_exceptions_to_edit(organization)
    holidays = selectors.federal_holidays_ahead(timezone.localdate())
    for location in locations:
        location.dates_ahead = dates.get(location.pk, [])
        taken = _site_days(location.dates_ahead)
        location.holidays_open = [(day, name) for day, name in holidays if day not in taken]
    return render(request, "web/portal.html", {
        "organization": organization,
        "received": referral_selectors.referral_list(user=request.user, direction="received")[:20],
        "locations": locations,
        "services": organization.services.order_by("name"),
        "location_fields": [(f, label, f in kinds[RecordType.LOCATION], f in LONG_TEXTS)
                            for f, label in LOCATION_FIELDS],
        "service_fields": [(f, label, f in kinds[RecordType.SERVICE], f in LONG_TEXTS) for f, label in SERVICE_FIELDS],
        "accessibility_features": accessibility.Feature.choices,
        "pending": ChangeRequest.objects.filter(organization=organization, status="pending").order_by("-created_at"),
        "stale": selectors.organization_list().filter(pk=organization.pk, stale=True).exists(),
    })  # fmt: skip


@require_POST
@login_required
def portal_capacity(request, location_id):
    location = get_object_or_404(Location, pk=location_id)
    if not may_edit_listing(request.user, location.organization_id):
        raise PermissionDenied
    values = {"accepting_referrals": request.POST.get("accepting_referrals") == "on"}
    if request.POST.get("beds_available", "") != "":
        values["beds_available"] = _int(request.POST["beds_available"])
    _apply(request, location, values, confirm_capacity=True)
    return redirect("portal")


@require_POST
@login_required
def portal_edit(request, record_type: str, record_id):
    model = {"location": Location, "service": Service}.get(record_type)
    if model is None:
        raise PermissionDenied
    record = get_object_or_404(model, pk=record_id)
    if not may_edit_listing(request.user, organization_id_of(record)):
        raise PermissionDenied
    fields = dict(LOCATION_FIELDS if model is Location else SERVICE_FIELDS)
    values, current = {}, {field: read_value(record, field) for field in fields}
    for field in fields:
        if field in request.POST:
            raw = request.POST[field].replace("\r\n", "\n").strip()  # (a text box sends its lines with CRLF)
            if isinstance(current[field], str) and raw == current[field].replace("\r\n", "\n").strip():
                values[field] = current[field]  # left as it was (the form sends every field): no change, no review
                continue
            values[field] = _int(raw) if field.startswith("beds") else raw
            if field.startswith("beds") and raw == "":
                values[field] = None
    # A Spanish box left as it was beside an English text that changed translated the old text: it goes with it
    # (providers.translations.stale_spanish), and the provider is told.
    for field in translated_fields(model):
        spanish = spanish_name(field)
        changed = field in values and values[field] != current[field]
        if changed and values.get(spanish) and values[spanish] == current.get(spanish):
            del values[spanish]
            messages.info(request, _("A changed text's Spanish form is removed with the old text: give the new one."))
    _apply(request, record, values)
    return redirect("portal")


@require_POST
@login_required
def portal_accessibility(request, location_id):
    """A site's accessibility: the features ticked (at once) and the details (reviewed, as other free text)."""
    location = _editable_location(request, location_id)
    # In the edit's JSON form (codes once each, sorted); a textarea sends its line breaks as CRLF.
    values = {
        "accessibility": sorted(set(request.POST.getlist("accessibility"))),
        "accessibility_details": request.POST.get("accessibility_details", "").replace("\r\n", "\n").strip(),
    }
    _apply(request, location, values)
    return redirect("portal")


@require_POST
@login_required
def portal_verify(request):
    organization = _own_organization(request)
    count = services.organization_verify(user=request.user, organization=organization)
    messages.success(request, f"Confirmed {count} service(s) as current today.")
    return redirect("portal")


def _editable_location(request, location_id) -> Location:
    location = get_object_or_404(Location, pk=location_id)
    if not may_edit_listing(request.user, location.organization_id):
        raise PermissionDenied
    return location


@require_POST
@login_required
def portal_dates(request, location_id):
    """Add a date (or dates) the site, or a service there, is closed or keeps other hours; remove one; or add the
    federal holidays the provider ticked as closed."""
    location = _editable_location(request, location_id)
    if "remove" in request.POST:
        _dates(request, location, [], remove=[request.POST["remove"]])
    elif "holiday" in request.POST:
        names = dict(selectors.federal_holidays_ahead(timezone.localdate()))
        taken = _site_days(location.hours_exceptions.all())  # a holiday the site already has a date for: left
        ticked = set(request.POST.getlist("holiday"))
        chosen = [day for day in names if day.isoformat() in ticked and day not in taken]
        if not chosen:
            messages.info(request, _("Nothing to add: those dates are already there."))
            return redirect("portal")
        closed = {"closed": True, "opens_at": None, "closes_at": None, "service_id": None}
        _dates(request, location, [{**closed, "starts_on": day, "ends_on": day, "note": names[day]} for day in chosen])
    else:
        fields = ("starts_on", "ends_on", "opens_at", "closes_at", "note", "note_es", "service_id")
        entry = {name: request.POST[name].strip() for name in fields if request.POST.get(name, "").strip()}
        entry.setdefault("ends_on", entry.get("starts_on"))
        entry["closed"] = not (entry.get("opens_at") or entry.get("closes_at"))  # closed unless hours are given
        form = HoursExceptionEditSerializer(data=entry)
        if not form.is_valid():
            messages.error(request, error_text(flat_errors(form.errors)))
            return redirect("portal")
        if form.validated_data["ends_on"] < ahead_since():
            messages.error(request, error_text({"ends_on": [_("That date has passed.")]}))
            return redirect("portal")
        _dates(request, location, [form.validated_data])
    return redirect("portal")


def _site_days(exceptions) -> set:
    """The days the site's own dated changes (not a service's) cover."""
    return {e.starts_on + timedelta(days=n) for e in exceptions if e.service_id is None
            for n in range((e.ends_on - e.starts_on).days + 1)}  # fmt: skip


def _dates(request, location, added: list[dict], remove=()) -> None:
    try:
        services.location_hours_exceptions_add(user=request.user, location=location, added=added, remove=remove)
    except ValidationError as exc:
        messages.error(request, error_text(exc.message_dict))
        return
    messages.success(request, _("Saved the dates."))


def _apply(request, record, values: dict, **options) -> None:
    try:
        result = services.listing_edit(user=request.user, instance=record, values=values, **options)
    except ValidationError as exc:
        messages.error(request, error_text(exc.message_dict))
        return
    if result.applied:
        messages.success(request, "Saved: " + ", ".join(result.applied))
    if result.change_request:
        messages.info(request, "Sent for review: " + ", ".join(result.change_request.changes))
    if not result.applied and not result.change_request:
        messages.info(request, "Nothing changed.")


def _int(raw: str):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return raw  # the service's checks name the field


@never_cache
@login_required
def moderation(request):
    """Return the moderators' queue: change requests, applications, suggestions, stale listings."""
    if not is_moderator(request.user):
        raise PermissionDenied
    applications = []
    for application, looks_like in pending_lookalikes(100):
        application.looks_like = looks_like
        applications.append(application)
    pairs = list(duplicate_selectors.duplicate_queue()[:DUPLICATES_SHOWN])
    sides = duplicate_selectors.sides_of(pairs)
    access = confidential_access_for_user(request.user)
    for pair in pairs:
        records = sides.get(pair.kind, {})
        pair.sides = [records.get(pair.first_id), records.get(pair.second_id)]
        for side in pair.sides:
            _with_addresses_shown(side, access)
    return render(request, "web/moderation.html", {
        "change_requests": ChangeRequest.objects.filter(status="pending").select_related("organization")[:100],
        "applications": applications,
        "duplicates": pairs,
        "suggestions": Suggestion.objects.filter(status="open").select_related("organization")[:100],
        "stale": selectors.organization_list().filter(stale=True).order_by("name")[:100],
        "today": timezone.localdate(),
    })  # fmt: skip


def _with_addresses_shown(record, access) -> None:
    """Give a site of a pair, or each site of a service of a pair, its address as the disclosure policy shows it to
    this reader (a moderator: exactly), as `address_shown`."""
    if isinstance(record, Service):
        record.sites_shown = [offer.location for offer in record.service_at_locations.all()]
        for site in record.sites_shown:
            _with_addresses_shown(site, access)
    elif isinstance(record, Location):
        record.address_shown = ", ".join(SiteDisclosure.of(record, access).address_lines(record.primary_address()))


@require_POST
@login_required
def moderation_not_duplicate(request, pair_id):
    """A moderator says a pair of organizations, services or sites is two listings (remembered by later
    searches)."""
    if not is_moderator(request.user):
        raise PermissionDenied
    pair = get_object_or_404(DuplicateCandidate, pk=pair_id)
    try:
        duplicate_services.duplicate_not_duplicate(candidate=pair, user=request.user)
    except (duplicate_services.AlreadyDecided, duplicate_services.Gone):
        messages.info(request, "That pair was already decided or is no longer in the queue.")
    else:
        messages.success(request, "Marked as two listings.")
    return redirect("moderation")


@require_POST
@login_required
def moderation_merge(request, pair_id):
    """A moderator merges a pair: keeps the organization named by `keep`, the other merged into it."""
    if not is_moderator(request.user):
        raise PermissionDenied
    pair = get_object_or_404(DuplicateCandidate, pk=pair_id, status=DuplicateCandidate.Status.OPEN)
    if pair.kind != DuplicateCandidate.Kind.ORGANIZATION:
        messages.error(request, error_text({"kind": [_("Only pairs of organizations can be merged.")]}))
        return redirect("moderation")
    keep = request.POST.get("keep", "")
    ids = {str(pair.first_id): pair.second_id, str(pair.second_id): pair.first_id}
    if keep not in ids:
        messages.error(request, error_text({"keep": [_("One of the pair's two organizations.")]}))
        return redirect("moderation")
    try:
        organizations_merge(kept_id=uuid.UUID(keep), merged_id=ids[keep], user=request.user, pair=pair)
    except MergeRefused as refused:
        messages.error(request, error_text({refused.field: [refused.message]}))
    else:
        messages.success(request, _("Merged. The merged listing's id now points to the one kept."))
    return redirect("moderation")


@require_POST
@login_required
def moderation_review(request, kind: str, pk: int, decision: str):
    """Approve or reject a change request or application, or resolve a suggestion."""
    if not is_moderator(request.user):
        raise PermissionDenied
    reason = request.POST.get("reason", "")
    try:
        if kind == "change-request":
            item = get_object_or_404(ChangeRequest, pk=pk)
            if decision == "approve":
                _, conflicts = services.change_request_approve(
                    change_request=item, moderator=request.user, reason=reason
                )
                if conflicts:
                    messages.error(request, f"Not applied: the record changed meanwhile ({', '.join(conflicts)}).")
            else:
                services.change_request_reject(change_request=item, moderator=request.user, reason=reason)
        elif kind == "application":
            item = get_object_or_404(Application, pk=pk)
            if decision == "approve":
                services.application_approve(application=item, moderator=request.user)
            else:
                services.application_reject(application=item, moderator=request.user, reason=reason)
        elif kind == "suggestion":
            item = get_object_or_404(Suggestion, pk=pk)
            status = Suggestion.Status.RESOLVED if decision == "approve" else Suggestion.Status.DISMISSED
            services.suggestion_resolve(suggestion=item, moderator=request.user, status=status, note=reason)
        else:
            raise PermissionDenied
    except ValidationError as exc:
        messages.error(request, error_text(exc.message_dict))
    except services.ChangeRequestNotPending:
        messages.error(request, "This was already reviewed.")
    return redirect("moderation")

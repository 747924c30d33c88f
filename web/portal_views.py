"""Provider portal and moderator queue pages. The rules are the API's: permissions from
providers.permissions, writes through providers.services (operational fields at once, trust fields as
change requests), reads through the selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from providers import selectors, services
from providers.editing import RECORD_KINDS, organization_id_of
from providers.models import Application, ChangeRequest, Location, Organization, RecordType, Service, Suggestion
from providers.permissions import is_moderator, may_edit_listing
from referrals import selectors as referral_selectors
from web.feedback import error_text

# Fields a provider edits on the portal page, per record: (field, label). Which of them apply at once and
# which go to review is providers.editing's decision, shown next to each field.
LOCATION_FIELDS = [("beds_total", "Beds (total)"), ("beds_available", "Beds available"), ("name", "Site name"),
                   ("transportation", "How to get there")]  # fmt: skip
SERVICE_FIELDS = [("alert", "Alert (e.g. no intake this week)"), ("name", "Service name"),
                  ("description", "Description"), ("eligibility_description", "Who is eligible")]  # fmt: skip


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
    return render(request, "web/portal.html", {
        "organization": organization,
        "received": referral_selectors.referral_list(user=request.user, direction="received")[:20],
        "locations": organization.locations.order_by("name"),
        "services": organization.services.order_by("name"),
        "location_fields": [(f, label, f in kinds[RecordType.LOCATION]) for f, label in LOCATION_FIELDS],
        "service_fields": [(f, label, f in kinds[RecordType.SERVICE]) for f, label in SERVICE_FIELDS],
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
    values = {}
    for field in fields:
        if field in request.POST:
            raw = request.POST[field].strip()
            values[field] = _int(raw) if field.startswith("beds") else raw
            if field.startswith("beds") and raw == "":
                values[field] = None
    _apply(request, record, values)
    return redirect("portal")


@require_POST
@login_required
def portal_verify(request):
    organization = _own_organization(request)
    count = services.organization_verify(user=request.user, organization=organization)
    messages.success(request, f"Confirmed {count} service(s) as current today.")
    return redirect("portal")


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
    return render(request, "web/moderation.html", {
        "change_requests": ChangeRequest.objects.filter(status="pending").select_related("organization")[:100],
        "applications": Application.objects.filter(status="pending")[:100],
        "suggestions": Suggestion.objects.filter(status="open").select_related("organization")[:100],
        "stale": selectors.organization_list().filter(stale=True).order_by("name")[:100],
        "today": timezone.localdate(),
    })  # fmt: skip


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

"""Referral workspace pages: send a referral from a search result (with the consent step), my referrals,
and answering or withdrawing one. Every rule is the API's: the same input serializer, services and
selectors; these views only turn forms into those calls."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError as DRFValidationError

from core.idempotency import request_fingerprint
from providers.models import NeedTerm, ServiceAtLocation
from referrals import selectors, services
from referrals.actions import ACTIONS, referral_take_action
from referrals.models import Urgency
from referrals.permissions import may_send_referrals
from referrals.serializers import ReferralCreateSerializer
from web.feedback import error_text


@never_cache
@login_required
def referral_new(request):
    """Return the send-a-referral form for one search result; on POST, send it and show its page."""
    if not may_send_referrals(request.user):
        raise PermissionDenied
    offer_id = request.POST.get("service_at_location") or request.GET.get("offer")
    try:
        offer = get_object_or_404(ServiceAtLocation.objects.select_related("service__organization", "location"),
                                  pk=uuid.UUID(str(offer_id)))  # fmt: skip
    except ValueError:
        raise Http404("No such service at location.") from None
    errors = {}
    if request.method == "POST":
        data = _create_data(request.POST)
        form = ReferralCreateSerializer(data=data)
        if form.is_valid():
            try:
                referral, _ = services.referral_create(
                    sender=request.user,
                    idempotency_key=request.POST.get("idempotency_key") or str(uuid.uuid4()),
                    request_hash=request_fingerprint(form.validated_data),
                    **form.validated_data,
                )
            except ValidationError as exc:
                errors = exc.message_dict
            except services.IdempotencyKeyReused:
                errors = {"form": ["This form was already sent with other details; start again."]}
            else:
                return redirect("referral-page", code=referral.code)
        else:
            errors = form.errors
    wanted = set(request.POST.getlist("needs") or request.GET.get("needs", "").split(","))
    return render(request, "web/referral_new.html", {
        "offer": offer,
        "needs": NeedTerm.objects.order_by("sort_order", "name"),
        "wanted": wanted,
        "urgencies": Urgency.choices,
        "errors": errors,
        "values": request.POST,
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4(),
        "default_expiry": (timezone.localdate() + timezone.timedelta(days=30)).isoformat(),
    }, status=400 if errors else 200)  # fmt: skip


def _create_data(post) -> dict:
    data = {
        "service_at_location": post.get("service_at_location"),
        "needs": post.getlist("needs"),
        "urgency": post.get("urgency") or Urgency.ROUTINE,
        "note": post.get("note", ""),
        "do_not_contact": post.get("do_not_contact") == "on",
    }
    contact = {k: post.get(f"client_{k}", "").strip() for k in ("name", "phone", "email", "preferred_language")}
    if any(contact.values()):
        data["client_contact"] = {k: v for k, v in contact.items() if v} or {}
    if post.get("consent") == "on":
        data["consent"] = {
            "purpose": post.get("consent_purpose", ""),
            "expires_at": f"{post.get('consent_expires')}T23:59:59Z",
        }
    return data


@never_cache
@login_required
def referral_list_page(request):
    """Return the referrals the user sent and those their organization received (the inbox)."""
    return render(request, "web/referral_list.html", {
        "sent": selectors.referral_list(user=request.user, direction="sent")[:100],
        "received": selectors.referral_list(user=request.user, direction="received")[:100],
    })  # fmt: skip


@require_POST
@login_required
def referral_act(request, code: str, action: str):
    """Take a lifecycle action from the referral page (the API's table and rules: referrals.actions), then show
    the page again with what went wrong, if anything."""
    if action not in ACTIONS:
        raise Http404
    referral = selectors.referral_get(user=request.user, code=code)
    try:
        referral_take_action(referral=referral, user=request.user, name=action, data=request.POST)
    except services.TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    except DRFValidationError as exc:
        messages.error(request, error_text(exc.detail))
    except ValidationError as exc:
        messages.error(request, error_text(exc.message_dict))
    return redirect("referral-page", code=referral.code)

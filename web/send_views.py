"""Send a list to a survivor from the search page: the chosen services, the channel and number or address, the
language and the safety check; then what became of it. Every rule is the API's (sends.api.create_send)."""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache

from providers import handout
from sends import selectors
from sends.api import create_send
from sends.models import MAX_OFFERS, Channel
from sends.permissions import may_send_lists
from sends.serializers import LANGUAGES
from web.feedback import flat_errors


@never_cache
@login_required
def send_new(request):
    """The send form for the services chosen on the search page (their ids in `offers`); on POST, queue it."""
    if not may_send_lists(request.user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    offers = [offer for offer in source.get("offers", "").split(",") if offer][: MAX_OFFERS + 1]
    language = source.get("language") or translation.get_language()
    language = language if language in LANGUAGES else LANGUAGES[0]
    errors, status = {}, 200
    if len(offers) > MAX_OFFERS:
        errors = {"offers": [f"Choose at most {MAX_OFFERS} services to send: untick some in the search."]}
    if request.method == "POST":
        data = {
            "offers": offers, "channel": request.POST.get("channel", ""), "to": request.POST.get("to", ""),
            "language": language, "safety_confirmed": request.POST.get("safety_confirmed") == "on",
        }  # fmt: skip
        status, body, _headers = create_send(request.user, request.POST.get("idempotency_key"), data)
        if status == 201:
            return redirect("send-status", send_id=body["id"])
        errors = flat_errors(body)
    items = handout.handout_items(offers, limit=MAX_OFFERS)
    return render(request, "web/send_new.html", {
        "offers": ",".join(offers),
        "items": items,
        "previews": [(code, handout.handout_text(items, language=code)) for code in LANGUAGES],
        "language": language,
        "languages": [(code, translation.get_language_info(code)["name_local"]) for code in LANGUAGES],
        "channels": [channel for channel in Channel.choices if settings.SMS_BACKEND or channel[0] != Channel.SMS],
        "errors": errors,
        # The safety question is asked again after any error; the number or address is shown again only to be
        # corrected (a refused send leaves it out).
        "values": {"channel": request.POST.get("channel"), "to": request.POST.get("to", "") if status == 400 else ""},
        # The same key while the form is corrected (a double press sends once); a new one once the key was refused.
        "idempotency_key": (request.POST.get("idempotency_key") if status == 400 and "Idempotency-Key" not in errors
                            else None) or uuid.uuid4(),
    }, status=status)  # fmt: skip


@never_cache
@login_required
def send_status(request, send_id):
    """What became of one list the user sent (never the number or address)."""
    return render(request, "web/send_status.html", {"send": selectors.send_get(user=request.user, send_id=send_id)})

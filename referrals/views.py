"""The referral page that notification emails link to: sign-in required, same visibility rule and access
log as the API. (The full referral workspace is the web app's.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from referrals import selectors, services
from referrals.actions import action_inputs
from referrals.models import ReferralAccess, allowed_actions
from referrals.permissions import referral_sides


@never_cache
@login_required
def referral_page(request, code: str):
    """Return one referral's page for its sender or receiving organization; 404 for anyone else."""
    referral = selectors.referral_get(user=request.user, code=code)
    services.referral_access_record(referral=referral, user=request.user, action=ReferralAccess.Action.VIEW, via="web")
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "events": selectors.referral_events(referral=referral),
            "actions": [
                {"name": name, "inputs": action_inputs(name)}
                for name in allowed_actions(referral.status, referral_sides(request.user, referral))
            ],
            "contact": referral.consented_contact(),
        },
    )

"""The referral lifecycle actions: one table that the API (referrals.api) and the web pages (web.referral_views,
referrals/templates/referrals/detail.html) both take their actions, inputs and rules from.

Taking an action checks, in this order, who may act (PermissionDenied: 403), whether the referral's status allows
it (TransitionNotAllowed: 409, naming the actions that are allowed), and what was sent (ValidationError naming
the field: 400); then the service function changes the referral and records the event.
"""

from collections.abc import Callable
from dataclasses import dataclass

from rest_framework import serializers

from referrals import services
from referrals.models import TRANSITIONS, Referral, allowed_actions
from referrals.permissions import check_may_act
from referrals.serializers import (
    CloseSerializer,
    CompleteSerializer,
    DeclineSerializer,
    EmptySerializer,
    WithdrawSerializer,
)


@dataclass(frozen=True)
class ReferralAction:
    name: str
    summary: str  # for people: the API's documentation and the page's button
    function: Callable[..., Referral]
    input: type[serializers.Serializer] = EmptySerializer


ACTIONS = {
    action.name: action
    for action in (
        ReferralAction("accept", "Accept (receiving organization)", services.referral_accept),
        ReferralAction("decline", "Decline with a reason (receiving organization)", services.referral_decline,
                       DeclineSerializer),
        ReferralAction("start", "Start work (receiving organization)", services.referral_start),
        ReferralAction("complete", "Complete with an outcome (receiving organization)", services.referral_complete,
                       CompleteSerializer),
        ReferralAction("close", "Close with a reason (receiving organization)", services.referral_close,
                       CloseSerializer),
        ReferralAction("withdraw", "Withdraw, with a reason if you like (sender)", services.referral_withdraw,
                       WithdrawSerializer),
    )
}  # fmt: skip
assert set(ACTIONS) == set(TRANSITIONS) - {"expire"}  # every action a person takes; expiry is the system's


def referral_take_action(*, referral: Referral, user, name: str, data) -> Referral:
    """Take one lifecycle action as `user` with the input `data` (a dict or QueryDict); see the module docstring
    for what is raised."""
    action = ACTIONS[name]
    sides = check_may_act(user, referral, name)
    if referral.status not in TRANSITIONS[name][0]:
        raise services.TransitionNotAllowed(
            action=name, status=referral.status, allowed=allowed_actions(referral.status, sides)
        )
    form = action.input(data=data)
    form.is_valid(raise_exception=True)
    return action.function(referral=referral, actor=user, **form.validated_data)


def action_inputs(name: str) -> list[dict]:
    """Return what a page's form for an action asks: each input field, with its choices if it has any."""
    inputs = []
    for field_name, field in ACTIONS[name].input().fields.items():
        choices = list(field.choices.items()) if isinstance(field, serializers.ChoiceField) else None
        inputs.append({"name": field_name, "label": field.label or field_name.replace("_", " ").capitalize(),
                       "choices": choices, "required": field.required})  # fmt: skip
    return inputs

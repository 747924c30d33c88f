"""Who may do what with referrals: the one place for these rules (every view and service goes through it).

- The sender (the user who sent it) sees it and may withdraw it, while they may still send referrals (and,
  for provider staff, still belong to the organization they sent it for).
- Provider staff of the receiving organization see it and answer it.
- Nobody else sees it: not the sender's colleagues, not other providers, not moderators or admins through
  the API. They get 404, so reference codes cannot be probed.
- Hotline staff, specialists and provider staff (of an organization) may send referrals.
- Moderators read aggregate reports only.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from rest_framework.permissions import BasePermission

from accounts.roles import Role, user_role
from providers.permissions import is_moderator
from referrals.models import TRANSITIONS, Side

SENDING_ROLES = frozenset({Role.HOTLINE, Role.SPECIALIST, Role.PROVIDER})


def referral_sides(user, referral) -> set[str]:
    """Return the sides (sender, receiver) this user holds on a referral; empty when they may not see it."""
    sides: set[str] = set()
    if user is None or not user.is_authenticated:
        return sides
    if referral.sender_id == user.id and _still_sends_for(user, referral.sender_organization_id):
        sides.add(Side.SENDER)
    if receiving_organization_id_for(user) == referral.receiving_organization_id:
        sides.add(Side.RECEIVER)
    return sides


def check_may_act(user, referral, action: str) -> set[str]:
    """Return the user's sides on the referral if they may take this action; raise PermissionDenied if not.

    `user` None is the system (expiry). Call after the referral was found through the visibility rule.
    """
    side = TRANSITIONS[action][2]
    sides = {Side.SYSTEM} if user is None else referral_sides(user, referral)
    if side not in sides:
        who = "the sender" if side == Side.SENDER else "the receiving organization"
        raise PermissionDenied(f"Only {who} may {action} this referral.")
    return sides


def referrals_visible_q(user) -> Q:
    """Return a filter for the referrals a user may see: sent by them, or received by their organization."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    visible = Q(pk__in=[])
    if may_send_referrals(user):
        # Provider staff keep their sent referrals only while they work for the organization that sent them.
        visible = Q(sender_id=user.id, sender_organization_id=user.organization_id)
        if user_role(user) != Role.PROVIDER:
            visible = Q(sender_id=user.id)
    organization_id = receiving_organization_id_for(user)
    if organization_id is not None:
        visible |= Q(receiving_organization_id=organization_id)
    return visible


def _still_sends_for(user, sender_organization_id) -> bool:
    """Return True while the sender may still send referrals, for the same organization (if provider staff):
    someone who moved organization or role no longer sees what they sent."""
    if not may_send_referrals(user):
        return False
    return user_role(user) != Role.PROVIDER or user.organization_id == sender_organization_id


def may_send_referrals(user) -> bool:
    """Return True when the user may send referrals (provider staff only on behalf of an organization)."""
    role = user_role(user)
    return role in SENDING_ROLES and (role != Role.PROVIDER or user.organization_id is not None)


def may_read_reports(user) -> bool:
    return is_moderator(user)


def receiving_organization_id_for(user):
    """Return the organization whose received referrals this user answers (provider staff only), or None."""
    return user.organization_id if user_role(user) == Role.PROVIDER else None


class CanSendReferrals(BasePermission):
    message = "Only hotline staff, specialists and provider staff may send referrals."

    def has_permission(self, request, view):
        return may_send_referrals(request.user)


class CanReadReports(BasePermission):
    message = "Referral reports are for moderators."

    def has_permission(self, request, view):
        return may_read_reports(request.user)

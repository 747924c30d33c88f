"""Who may change listings and moderate: the one place for these rules (the confidential-location rule is
in providers/access.py).

- Provider staff edit their own organization's records (operational fields at once, trust fields for
  review), re-verify them, and see their own change requests and history.
- Moderators review change requests, applications and suggestions, invite staff, see every history and
  may re-verify a listing (e.g. after a phone call).
- Anyone may apply to be listed and report a wrong listing (rate-limited).
"""

from django.db.models import Q
from rest_framework.permissions import BasePermission

from accounts.roles import Role, user_role


def is_moderator(user) -> bool:
    return user_role(user) == Role.MODERATOR


def may_edit_listing(user, organization_id) -> bool:
    """Return True when the user is provider staff of the organization that owns the record."""
    if user_role(user) != Role.PROVIDER or user.organization_id is None:
        return False
    return user.organization_id == organization_id


def may_verify_listing(user, organization_id) -> bool:
    return may_edit_listing(user, organization_id) or is_moderator(user)


def may_see_history(user, organization_id) -> bool:
    # History holds before/after values of confidential addresses: only those who may see them exactly.
    return may_edit_listing(user, organization_id) or is_moderator(user)


def change_requests_visible_q(user) -> Q:
    """Return a filter for the change requests a user may see: all for moderators, their organization's for
    provider staff, none for anyone else."""
    if is_moderator(user):
        return Q()
    if user_role(user) == Role.PROVIDER and user.organization_id is not None:
        return Q(organization_id=user.organization_id)
    return Q(pk__in=[])


class IsModerator(BasePermission):
    message = "Only moderators may do this."

    def has_permission(self, request, view):
        return is_moderator(request.user)


class IsProviderOrModerator(BasePermission):
    message = "Only provider staff and moderators may do this."

    def has_permission(self, request, view):
        role = user_role(request.user)
        return role == Role.MODERATOR or (role == Role.PROVIDER and request.user.organization_id is not None)

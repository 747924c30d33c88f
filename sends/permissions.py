"""Who may send a list of services to a survivor: hotline staff and victim assistance specialists, the people on
the call with them. A sender sees only their own sends."""

from rest_framework.permissions import BasePermission

from accounts.roles import Role, user_role

SENDING_ROLES = frozenset({Role.HOTLINE, Role.SPECIALIST})


def may_send_lists(user) -> bool:
    return user_role(user) in SENDING_ROLES


class CanSendLists(BasePermission):
    message = "Only hotline staff and specialists may send a list of services to a survivor."

    def has_permission(self, request, view):
        return may_send_lists(request.user)

"""Who may read the coverage map: the staff who find and fund providers (hotline, specialists, moderators). It
shows no listing and nobody's request, but it is a working tool, not a public page."""

from rest_framework.permissions import BasePermission

from accounts.roles import Role, user_role

READERS = frozenset({Role.HOTLINE, Role.SPECIALIST, Role.MODERATOR})


def may_see_coverage(user) -> bool:
    return user_role(user) in READERS


class MaySeeCoverage(BasePermission):
    message = "Only hotline staff, specialists and moderators may see the coverage map."

    def has_permission(self, request, view):
        return may_see_coverage(request.user)

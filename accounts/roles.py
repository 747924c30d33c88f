"""The roles of the directory (DESIGN.md, Roles) and the one place that answers "what role is this?".

Roles are Django groups. A user holds at most one role; superusers count as admins.
"""

from enum import StrEnum


class Role(StrEnum):
    HOTLINE = "hotline"
    SPECIALIST = "specialist"
    PROVIDER = "provider"
    MODERATOR = "moderator"


ROLE_DESCRIPTIONS = {
    Role.HOTLINE: "Hotline staff: search everything, see confidential sites, send and follow referrals.",
    Role.SPECIALIST: "Victim assistance specialist: as hotline, and listed with a coverage area.",
    Role.PROVIDER: "Provider staff: edit their own organization's listings and answer its referrals.",
    Role.MODERATOR: "Moderator: vet organizations and changes, chase stale listings, manage users.",
}


def user_role(user) -> Role | None:
    """Return the user's role, or None for anonymous users and users without one."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_directory_role", False)
    if cached is not False:
        return cached
    names = {group.name for group in user.groups.all()}
    role = next((r for r in Role if r.value in names), None)
    user._directory_role = role
    return role


def user_has_role(user, *roles: Role) -> bool:
    """Return True when the user holds one of the given roles."""
    return user_role(user) in roles

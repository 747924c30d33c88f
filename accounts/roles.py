"""The roles of the directory (docs/privacy.md, Roles) and the one place that answers "what role is this?".

Roles are Django groups. A user holds at most one role; superusers count as admins.
"""

from enum import StrEnum


class Role(StrEnum):
    HOTLINE = "hotline"
    SPECIALIST = "specialist"
    PROVIDER = "provider"
    MODERATOR = "moderator"


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

"""Who may see a confidential site's exact place: the one rule, used by every view, filter and serializer.

Hotline staff, specialists and moderators see confidential sites exactly; provider staff see their own
organization's; everyone else (the public, other providers) sees what providers.disclosure shows of a generalized
site (docs/privacy.md).
"""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q

from accounts.roles import Role, user_role

ROLES_SEEING_ALL_CONFIDENTIAL = {Role.HOTLINE, Role.SPECIALIST, Role.MODERATOR}


@dataclass(frozen=True)
class ConfidentialAccess:
    """Which confidential locations a caller may see exactly."""

    all: bool = False
    organization_id: UUID | None = None

    def may_see_exact(self, location) -> bool:
        """Return True when the caller may see this location's exact point, address and phones."""
        if not location.is_confidential or self.all:
            return True
        return self.organization_id is not None and location.organization_id == self.organization_id

    def point_q(self, lookup: str, value, prefix: str = "") -> Q:
        """Return a filter on the point this caller is answered from (exact or public)."""
        exact = Q(**{f"{prefix}point__{lookup}": value})
        public = Q(**{f"{prefix}public_point__{lookup}": value})
        if self.all:
            return exact
        if self.organization_id is not None:
            own = Q(**{f"{prefix}organization_id": self.organization_id})
            return (own & exact) | (~own & public)
        return public

    def bbox_q(self, bbox: "BBox", prefix: str = "") -> Q:
        """Return a filter for locations whose caller-visible point lies in the box (edges included).

        The box is compared with the latitude/longitude columns, so its edges are lines of latitude and
        longitude as on a map (a geography polygon would bend them into great circles).
        """

        def inside(lat: str, lon: str) -> Q:
            return Q(
                **{
                    f"{prefix}{lat}__gte": bbox.min_lat,
                    f"{prefix}{lat}__lte": bbox.max_lat,
                    f"{prefix}{lon}__gte": bbox.min_lon,
                    f"{prefix}{lon}__lte": bbox.max_lon,
                }
            )

        exact, public = inside("latitude", "longitude"), inside("public_latitude", "public_longitude")
        if self.all:
            return exact
        if self.organization_id is not None:
            own = Q(**{f"{prefix}organization_id": self.organization_id})
            return (own & exact) | (~own & public)
        return public


@dataclass(frozen=True)
class BBox:
    """A map box in WGS84 degrees."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def confidential_access_for_user(user) -> ConfidentialAccess:
    """Return the confidential-location access of a user (anonymous users get none)."""
    if user is None or not user.is_authenticated:
        return ConfidentialAccess()
    if user.is_superuser or user_role(user) in ROLES_SEEING_ALL_CONFIDENTIAL:
        return ConfidentialAccess(all=True)
    if user_role(user) == Role.PROVIDER and user.organization_id:
        return ConfidentialAccess(organization_id=user.organization_id)
    return ConfidentialAccess()

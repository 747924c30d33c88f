"""The provider registry's models (Open Referral HSDS 3.0 names), one module per concern; importable from here."""

from providers.hours import open_at, period_covers
from providers.models.areas import RegionExtentMixin, ServiceArea, VictimAssistanceSpecialist
from providers.models.base import ADULT_AGE_YEARS, MAX_AGE_YEARS, TimestampedModel
from providers.models.capacities import MAX_COUNT, ServiceCapacity
from providers.models.exceptions import MAX_EXCEPTION_DAYS, HoursException, ahead_since
from providers.models.moderation import (
    Application,
    ChangeRequest,
    Invitation,
    ListingChange,
    MergedId,
    RecordType,
    Suggestion,
)
from providers.models.registry import (
    Address,
    Location,
    LocationType,
    Organization,
    Phone,
    PhoneType,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    is_stale,
    validate_time_zone,
)
from providers.models.vocabulary import Language, NeedTerm, Population

__all__ = [
    "ADULT_AGE_YEARS", "MAX_AGE_YEARS", "MAX_COUNT", "MAX_EXCEPTION_DAYS", "Address", "Application", "ChangeRequest",
    "HoursException", "Invitation", "Language",
    "ListingChange", "Location", "LocationType", "MergedId", "NeedTerm", "Organization", "Phone", "PhoneType",
    "Population",
    "RecordType", "RegionExtentMixin", "Schedule", "Service", "ServiceArea", "ServiceAtLocation", "ServiceCapacity",
    "ServiceStatus",
    "Suggestion", "TimestampedModel", "VictimAssistanceSpecialist", "ahead_since", "is_stale", "open_at",
    "period_covers",
    "validate_time_zone",
]  # fmt: skip

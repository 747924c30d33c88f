"""What matching takes and gives: the request, the facts read of each candidate, and the ranked result."""

from dataclasses import dataclass, field
from datetime import date

from geopy.location import Location as GeoPoint

from geo.units import m_to_mi, miles_to_m
from providers.disclosure import SiteDisclosure
from providers.models import NeedTerm, VictimAssistanceSpecialist

MAX_CANDIDATES_PER_NEED = 100


@dataclass(frozen=True)
class MatchRequest:
    """A survivor's needs and constraints (the place is the origin point given to matching.engine.match)."""

    needs: tuple[str, ...]
    languages: tuple[str, ...] = ()
    language_required: bool = False
    age: int | None = None
    gender: str | None = None
    trafficking_type: str | None = None
    citizenship: str | None = None
    lgbtq: bool | None = None
    radius_m: float = miles_to_m(50)
    open_now: bool = False
    accepting_referrals: bool = False
    include_virtual: bool = True
    accessibility: tuple[str, ...] = ()  # providers.accessibility codes: only sites offering every one
    limit: int = 20
    keywords: str = ""  # words (matching.search.clean_query): only offers they find, ranked up by relevance

    @property
    def candidates_per_need(self) -> int:
        # Enough nearest rows per need for the ranking to reorder; more when a post-filter (open now) will drop
        # some.
        wanted = max(2 * self.limit, 20) * (2 if self.open_now else 1)
        return min(wanted, MAX_CANDIDATES_PER_NEED)


@dataclass
class Facts:
    """What ranking and the answer need of one candidate, as the match statement reads it (no model objects: a
    request looks at up to a few hundred candidates and shows twenty). The fields from service_id to
    lgbtq_specific are its match index row's (matching.models.MatchCandidate), read by these names."""

    offer_id: object
    service_id: object
    location_id: object
    organization_id: object  # the location's organization (who may see the site exactly is decided on it)
    is_confidential: bool
    location_type: str
    latitude: float | None
    longitude: float | None
    public_latitude: float | None
    public_longitude: float | None
    time_zone: str
    open_24_7: bool
    accepting_referrals: bool
    beds_total: int | None
    beds_available: int | None
    last_verified_on: date | None
    interpretation: bool
    lgbtq_specific: bool = False
    needs: frozenset = frozenset()  # need codes
    languages: set = field(default_factory=set)
    periods: tuple = ()  # (ISO weekday, opens, closes), as providers.hours.open_at takes them
    card: tuple | None = None  # its offer card (matching.models.OfferCard) as (column names, values)


@dataclass
class OfferView:
    """What is shown of an option (names, address, phone), as the caller may see it."""

    service_id: object
    service_name: str
    organization_id: object
    organization_name: str
    location_id: object
    location_name: str
    address: dict | None  # already generalized when the caller may not see the site
    phone: dict | None  # a confidential site's front door when the caller may not see the site


@dataclass
class MatchOption:
    view: OfferView | None
    facts: Facts
    site: SiteDisclosure  # what the caller sees of the site (providers.disclosure)
    latitude: float | None
    longitude: float | None
    distance_m: float | None
    in_service_area: bool
    needs_met: list[str]
    open_now: bool | None
    stale: bool
    last_verified: date | None
    days_since_verified: int | None = None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class UncoveredNeed:
    need: NeedTerm
    nearest: MatchOption | None
    radius_m: float
    open_now_required: bool = False

    @property
    def message(self) -> str:
        label = _lower_first(self.need.name) + (" open now" if self.open_now_required else "")
        if self.nearest is None:
            return f"no {label} found in the directory for this person"
        view = self.nearest.view
        name = f"{view.organization_name} ({view.service_name})"
        return (
            f"no {label} within {m_to_mi(self.radius_m):.0f} mi; "
            f"nearest is {name} at {m_to_mi(self.nearest.distance_m):.0f} mi"
        )


def _lower_first(name: str) -> str:
    """'Immigration legal services' -> 'immigration legal services'; 'T visa' stays as it is."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name


@dataclass
class CoveragePlan:
    options: list[MatchOption]
    covered: list[str]
    uncovered: list[UncoveredNeed]


@dataclass
class SpecialistMatch:
    specialist: VictimAssistanceSpecialist
    covers_origin: bool


@dataclass
class MatchResult:
    origin: GeoPoint
    request: MatchRequest
    options: list[MatchOption]
    coverage_plan: CoveragePlan
    specialists: list[SpecialistMatch]

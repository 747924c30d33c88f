"""The ranking formula: one function, written down in docs/matching.md. Change both together.

Hard filters (eligibility, inactive services, required language / accepting referrals / open now) have
already removed what cannot help; this orders what is left by how well it fits.
"""

from dataclasses import dataclass

from geo.units import m_to_mi

HOUSING_NEEDS = {"housing", "emergency-shelter", "transitional-housing", "long-term-housing"}

WEIGHT_NEEDS = 100.0  # times the share of requested needs the option meets
WEIGHT_DISTANCE = 25.0  # penalty at the edge of the radius, linear from 0 at the origin
WEIGHT_LANGUAGE = 20.0  # a requested language is spoken
WEIGHT_INTERPRETATION = 5.0  # no requested language spoken, but interpretation is offered
PENALTY_NOT_ACCEPTING = 30.0
BONUS_BEDS_FREE = 10.0  # for housing needs only
PENALTY_NO_BEDS = 15.0  # for housing needs only
WEIGHT_OPEN_NOW = 5.0  # + when open, - when closed, 0 when hours are unknown
PENALTY_STALE = 10.0
BONUS_LGBTQ_SPECIFIC = 10.0  # when the client asked for LGBTQ+-specific programs
WEIGHT_KEYWORD = 40.0  # times the keyword search's relevance (capped at 1), when words were given


@dataclass(frozen=True)
class RankInput:
    """What the ranking looks at for one option (and nothing else)."""

    needs_requested: int
    needs_met: tuple[str, ...]
    distance_m: float | None  # None: reached through its service area only, no office in the radius
    radius_m: float
    in_service_area: bool
    languages_requested: tuple[str, ...]
    languages_spoken: tuple[str, ...]  # of the requested ones
    interpretation_offered: bool
    accepting_referrals: bool
    beds_total: int | None
    beds_available: int | None
    open_now: bool | None
    days_since_verified: int | None
    stale: bool
    lgbtq_requested: bool
    lgbtq_specific: bool
    language_names: dict[str, str]
    service_area_name: str = ""
    keyword_relevance: float | None = None  # matching.search's, when the request gave words


def rank(option: RankInput) -> tuple[float, list[str]]:
    """Return (score, reasons): higher scores rank first; reasons explain the score in plain words."""
    score, reasons = 0.0, []
    if option.needs_requested:  # (none when only words were given)
        score = WEIGHT_NEEDS * len(option.needs_met) / option.needs_requested
        reasons.append(f"offers {len(option.needs_met)} of {option.needs_requested} needs")

    if option.distance_m is not None and (option.distance_m <= option.radius_m or not option.in_service_area):
        score -= WEIGHT_DISTANCE * min(option.distance_m / option.radius_m, 1.0)
        reasons.append(f"{m_to_mi(option.distance_m):.1f} mi")
    else:
        # Reached by phone or online through its service area: as if halfway to the edge.
        score -= WEIGHT_DISTANCE / 2
        area = f" ({option.service_area_name})" if option.service_area_name else ""
        reasons.append(f"serves this area{area}")

    if option.languages_requested:
        if option.languages_spoken:
            score += WEIGHT_LANGUAGE
            names = [option.language_names.get(code, code) for code in option.languages_spoken]
            reasons.append(f"{' and '.join(names)} spoken")
        elif option.interpretation_offered:
            score += WEIGHT_INTERPRETATION
            reasons.append("interpretation available")
        else:
            names = [option.language_names.get(code, code) for code in option.languages_requested]
            reasons.append(f"no {' or '.join(names)} listed")

    if not option.accepting_referrals:
        score -= PENALTY_NOT_ACCEPTING
        reasons.append("not accepting referrals")

    if option.beds_total is not None and HOUSING_NEEDS & set(option.needs_met):
        if option.beds_available:
            score += BONUS_BEDS_FREE
            reasons.append(f"{option.beds_available} bed{'s' if option.beds_available != 1 else ''} free")
        elif option.beds_available == 0:
            score -= PENALTY_NO_BEDS
            reasons.append("no beds free")

    if option.open_now is True:
        score += WEIGHT_OPEN_NOW
        reasons.append("open now")
    elif option.open_now is False:
        score -= WEIGHT_OPEN_NOW
        reasons.append("closed now")

    if option.lgbtq_requested and option.lgbtq_specific:
        score += BONUS_LGBTQ_SPECIFIC
        reasons.append("LGBTQ+-specific program")

    if option.days_since_verified is None:
        reasons.append("never verified (stale)")
    elif option.stale:
        reasons.append(f"not verified for {option.days_since_verified} days (stale)")
    else:
        days = option.days_since_verified
        reasons.append("verified today" if days == 0 else f"verified {days} day{'s' if days != 1 else ''} ago")
    if option.stale:
        score -= PENALTY_STALE

    if option.keyword_relevance is not None:
        # (What the words matched is said by the engine, for the options shown: matching.search.explain.)
        score += WEIGHT_KEYWORD * min(option.keyword_relevance, 1.0)

    return round(score, 3), reasons

"""From the rows the match statements return to ranked options: facts read by column name, the checks that need
the clock or the caller (open now, who may see a site exactly), ranking, and what is shown of each option."""

from datetime import time
from functools import lru_cache
from operator import itemgetter

from geopy.distance import geodesic

from matching.ranking import RankInput, rank
from matching.results import Facts, MatchOption, OfferView
from matching.statements import INDEX_FACTS, Rows
from matching.taxonomy import Taxonomy, numbers
from providers.disclosure import SiteDisclosure
from providers.hours import open_at
from providers.models import is_stale
from providers.phones import dialable


def read_rows(rows: Rows, taxonomy: Taxonomy) -> tuple[dict, list, list]:
    """Split match/beyond statement rows into Facts by offer, the reach rows (offer, distance, covers, area) and
    the beyond rows (offer, need code, distance)."""
    facts, reach, beyond = {}, [], []
    kind, offer, requested, distance, covers, area = rows.positions(
        ("kind", "offer_id", "requested", "distance_m", "covers", "area")
    )
    scalars = itemgetter(*rows.positions(INDEX_FACTS))
    needs, languages, hours = rows.positions(("service_needs", "languages", "hours"))
    card_start, card_names = rows.card_start, rows.card_names
    has_card = card_start + card_names.index("service_at_location_id")
    for row in rows.rows:
        offer_id = row[offer]
        if row[kind] == "reach":
            reach.append((offer_id, row[distance], row[covers], row[area] or ""))
        else:
            beyond.append((offer_id, row[requested], row[distance]))
        if offer_id not in facts:
            facts[offer_id] = Facts(
                offer_id, *scalars(row), needs=taxonomy.need_codes(row[needs]), languages=set(row[languages]),
                periods=periods(row[hours]),
                card=(card_names, row[card_start:]) if row[has_card] is not None else None,
            )  # fmt: skip
    return facts, reach, beyond


def _clock(seconds: int) -> time | None:
    # -1: an exception's closed date (index_rows.sql)
    return None if seconds < 0 else time(seconds // 3600, seconds // 60 % 60, seconds % 60)


@lru_cache(maxsize=4096)
def periods(hours: str) -> tuple:
    """An index row's hours (matching.models) as open_at() takes them: ((day, opens, closes), ...), weekly and
    the exceptions' dates (providers.hours)."""
    values = numbers(hours)
    return tuple((values[i], _clock(values[i + 1]), _clock(values[i + 2])) for i in range(0, len(values), 3))


def build_option(fact: Facts, *, access, origin, distance_m, in_service_area, request, expanded, now) -> MatchOption:
    site = SiteDisclosure.of(fact, access)
    if fact.is_confidential and distance_m is not None and site.exact != access.all and site.point is not None:
        # The statement measured to the point its walk used (the exact one for callers who see every site, else
        # the public one), but provider staff are shown their own confidential sites exactly, however the row was
        # found: measure to the point this caller is shown.
        distance_m = geodesic((origin.latitude, origin.longitude), site.point).meters
    needs_met = [code for code in request.needs if expanded[code] & fact.needs]
    today = now.date()
    return MatchOption(
        view=None,
        facts=fact,
        site=site,
        latitude=site.latitude,
        longitude=site.longitude,
        distance_m=distance_m,
        in_service_area=in_service_area,
        needs_met=needs_met,
        open_now=open_at(now, time_zone=fact.time_zone, open_24_7=fact.open_24_7, periods=fact.periods),
        stale=is_stale(fact.last_verified_on, today),
        last_verified=fact.last_verified_on,
        # A date in the future (a typo, or clocks) reads as "today", not "-3 days ago".
        days_since_verified=None if fact.last_verified_on is None else max((today - fact.last_verified_on).days, 0),
    )


def rank_option(option: MatchOption, *, request, language_names, area_name, keyword_relevance=None) -> None:
    fact = option.facts
    option.score, option.reasons = rank(
        RankInput(
            needs_requested=len(request.needs),
            needs_met=tuple(option.needs_met),
            distance_m=option.distance_m,
            radius_m=request.radius_m,
            in_service_area=option.in_service_area,
            languages_requested=request.languages,
            languages_spoken=tuple(code for code in request.languages if code in fact.languages),
            interpretation_offered=fact.interpretation,
            accepting_referrals=fact.accepting_referrals,
            beds_total=fact.beds_total,
            beds_available=fact.beds_available,
            open_now=option.open_now,
            days_since_verified=option.days_since_verified,
            stale=option.stale,
            lgbtq_requested=bool(request.lgbtq),
            lgbtq_specific=fact.lgbtq_specific,
            language_names=language_names,
            service_area_name=area_name,
            keyword_relevance=keyword_relevance,
        )
    )


def _phone(card: dict, owner: str) -> dict | None:
    number = card[f"{owner}_phone"]
    if number is None:
        return None
    extension = card[f"{owner}_phone_extension"]
    return {
        "number": number,
        "display": dialable(number, extension),
        "extension": extension,
        "type": card[f"{owner}_phone_type"],
        "is_front_door": card[f"{owner}_phone_is_front_door"],
    }


def offer_view(fact: Facts, site: SiteDisclosure) -> OfferView:
    """Return what is shown of an offer (its card) to a caller, as the disclosure policy lets them see the site.

    One number per option (a list shows one line each): the site's first the policy allows; when the caller sees
    the site exactly and it has none, the service's, else the organization's. A generalized site shows its front
    door or no number (the card holds the site's first number, a front door first)."""
    card = dict(zip(*fact.card, strict=True))
    phone = next(iter(site.phones([p for p in [_phone(card, "site")] if p])), None)
    if phone is None and site.exact:
        phone = _phone(card, "service") or _phone(card, "organization")
    return OfferView(
        card["service_id"], card["service_name"], card["organization_id"], card["organization_name"],
        fact.location_id, card["location_name"], site.address(card), phone,
    )  # fmt: skip


def sort_key(option: MatchOption):
    distance = option.distance_m if option.distance_m is not None else float("inf")
    # UUIDs order as their text does (fixed-width hex), without making the text for every comparison.
    return (-option.score, distance, option.facts.offer_id)

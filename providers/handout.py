"""The handout: the services at locations chosen for a survivor, as the public sees them (the disclosure policy's
public view, whoever prepares it: a confidential site's city and front-door numbers, never its street or direct
lines), worded by one template, translated per language, for the printed sheet and for a message (docs/privacy.md).

A message opens with two neutral lines (no "trafficking", "victim" or "shelter" where a lock screen shows it),
names the hotline by its number only and ends with how to delete it; the services follow as they are named."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS_ABBR

from providers.access import ConfidentialAccess
from providers.disclosure import SiteDisclosure
from providers.models import ServiceAtLocation
from providers.phones import dialable
from providers.translations import SPANISH, spanish_text

PUBLIC = ConfidentialAccess()  # a handout leaves the building: the public's view of every site
# Words a message's opening and signature must not hold: whoever else reads the survivor's phone should not learn
# from them what the message is about (English and Spanish).
SENSITIVE_WORDS = ("trafficking", "victim", "shelter", "abuse", "trata", "víctima", "refugio", "abuso")


def check_sender_name(app_configs=None, **kwargs) -> list:
    """System check: HANDOUT_SENDER_NAME, the signature of a message, holds none of SENSITIVE_WORDS."""
    from django.core import checks

    name = settings.HANDOUT_SENDER_NAME.casefold()
    found = [word for word in SENSITIVE_WORDS if word in name]
    if not found:
        return []
    return [checks.Error(
        f"HANDOUT_SENDER_NAME holds {', '.join(repr(w) for w in found)}: a message a survivor is sent is signed with"
        " it, where others may read it.", hint="Choose a neutral name, e.g. 'Service directory'.",
        id="providers.E001",
    )]  # fmt: skip


@dataclass(frozen=True)
class HandoutItem:
    organization: str
    service: str
    place: tuple[str, ...]  # address lines: a confidential site's city, state and ZIP only
    phones: tuple[str, ...]  # as people dial them
    hours: tuple[tuple, ...]  # (weekday 0-6, opens, closes)
    # The days ahead the site, or this service there, is closed: (first, last) of each closure (never its note,
    # which may place a site; other hours are left to "call before you go").
    closed_on: tuple[tuple, ...] = ()
    # The names' Spanish forms ('' when none): a handout is worded in the survivor's language, the names too.
    organization_es: str = ""
    service_es: str = ""

    def names(self, language: str) -> tuple[str, str]:
        """The organization's and the service's names in `language`, else as they are (a name is still the name)."""
        if language == SPANISH:
            return self.organization_es or self.organization, self.service_es or self.service
        return self.organization, self.service

    def hours_text(self) -> list[str]:
        return [f"{WEEKDAYS_ABBR[day]} {opens:%H:%M}–{closes:%H:%M}" for day, opens, closes in self.hours]


def handout_items(offer_ids, *, limit: int) -> list[HandoutItem]:
    """The chosen services at locations (at most `limit`, in the order given; unknown or malformed ids skipped)."""
    ids = []
    for given in offer_ids:
        try:
            ids.append(uuid.UUID(str(given)))
        except ValueError:
            continue
    ids = list(dict.fromkeys(ids))[:limit]
    offers = {
        offer.pk: offer
        for offer in ServiceAtLocation.objects.filter(pk__in=ids)
        .select_related("service__organization", "location")
        .prefetch_related(
            "location__addresses", "location__phones", "location__schedules", "location__hours_exceptions"
        )
    }
    return [_item(offers[pk]) for pk in ids if pk in offers]


def _item(offer: ServiceAtLocation) -> HandoutItem:
    location = offer.location
    site = SiteDisclosure.of(location, PUBLIC)
    schedules = sorted(location.schedules.all(), key=lambda s: (s.weekday, s.opens_at))
    return HandoutItem(
        organization=offer.service.organization.name,
        service=offer.service.name,
        organization_es=spanish_text(offer.service.organization, "name"),
        service_es=spanish_text(offer.service, "name"),
        place=tuple(site.address_lines(location.primary_address())),
        phones=tuple(dialable(str(p.number), p.extension or "") for p in site.phones(location.phones.all())),
        hours=tuple((s.weekday - 1, s.opens_at, s.closes_at) for s in schedules),
        closed_on=_closed_ahead(offer),
    )


CLOSED_AHEAD_DAYS = 14  # closures a handout names: the next two weeks, when someone may go


def _closed_ahead(offer: ServiceAtLocation) -> tuple[tuple, ...]:
    today = timezone.localdate()
    last = today + timedelta(days=CLOSED_AHEAD_DAYS)
    closures = {
        (e.starts_on, e.ends_on)
        for e in offer.location.hours_exceptions.all()
        if e.closed and e.service_id in (None, offer.service_id) and e.ends_on >= today and e.starts_on <= last
    }
    return tuple(sorted(closures))


def handout_text(items: list[HandoutItem], *, language: str | None, paper: bool = False) -> str:
    """The handout's words in `language` (a supported one, else the site's): for a message, or (`paper`) for the
    printed sheet. Plain text, not markup: whatever embeds it escapes it (the names are providers' words)."""
    try:
        language = translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        language = settings.LANGUAGE_CODE
    named = [(item, *item.names(language[:2])) for item in items]
    with translation.override(language):
        text = render_to_string(
            "providers/handout.txt", {"items": named, "paper": paper, "sender": settings.HANDOUT_SENDER_NAME}
        )
    return str("\n".join(line.rstrip() for line in text.strip().splitlines()))

"""What a viewer sees of a site: the one disclosure policy every output renders (docs/privacy.md).

providers.access decides WHO may see a confidential site exactly (hotline staff, specialists, moderators, the
site's own organization). This module decides WHAT everyone else sees of it, for every output: the REST API, the
match results, the HSDS API and export, the web pages, the printed sheet, referrals. A generalized site shows
- its fixed public point (1-3 km from the real one), never the exact one;
- of its address the type, city, state, the 5-digit ZIP and the country: never a street line, an attention line,
  a region, or a ZIP+4 (which can name a single block);
- its front-door phones only;
- none of its free text (description, directions, the notes of its hours, its phones' and offers' descriptions)
  unless a moderator marked that exact text safe (`Location.safe_texts`, by digest: an edited text is withheld
  again by itself);
and the free text of a service offered there is withheld when it names the site (its street, ZIP+4 or a direct
line), unless marked safe on that site.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from providers.access import ConfidentialAccess

ADDRESS_FIELDS = ("address_type", "attention", "address_1", "address_2", "city", "region", "state_province",
                  "postal_code", "country")  # fmt: skip
GENERALIZED_ADDRESS_FIELDS = ("address_type", "city", "state_province", "postal_code", "country")
# A service's free text, which may name the sites it is offered at.
SERVICE_TEXT_FIELDS = ("description", "eligibility_description", "application_process", "interpretation_services",
                       "fees_description", "alert")  # fmt: skip

_ZIP5 = re.compile(r"^\s*(\d{5})")
DIRECTIONS = frozenset("n s e w ne nw se sw north south east west".split())
UNIT_WORDS = frozenset("apt apartment unit ste suite fl floor rm room bldg building lot".split())
# The common USPS street suffixes, as a street line ends with them (lower case, without a period).
STREET_TYPES = frozenset((
    "street st road rd avenue ave av boulevard blvd drive dr lane ln court ct place pl way highway hwy parkway pkwy "
    "circle cir terrace ter trail trl square sq loop expressway expy freeway fwy pike turnpike tpke row alley aly"
).split())  # fmt: skip
_SPACE = re.compile(r"\s+")


def zip5(postal_code: str | None) -> str:
    """Return the 5-digit ZIP of a postal code ('77002-6008' -> '77002'), or '' when it does not start with one."""
    found = _ZIP5.match(postal_code or "")
    return found[1] if found else ""


def text_digest(text: str) -> str:
    """Return the digest a moderator's safe mark keeps for a text (the exact text: any edit changes it)."""
    return hashlib.sha256(text.encode()).hexdigest()


def _value(record, name: str):
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)


@dataclass(slots=True)
class SiteDisclosure:
    """What one viewer sees of one site. Build it with `SiteDisclosure.of(site, access)`."""

    exact: bool
    is_confidential: bool
    latitude: float | None
    longitude: float | None
    safe_texts: frozenset = frozenset()

    @classmethod
    def of(cls, site, access: ConfidentialAccess) -> "SiteDisclosure":
        """`site`: a Location, or anything with its is_confidential, organization_id, (public_)latitude and
        (public_)longitude (the match engine's facts)."""
        exact = access.may_see_exact(site)
        point = (site.latitude, site.longitude) if exact else (site.public_latitude, site.public_longitude)
        return cls(exact, site.is_confidential, *point, frozenset(getattr(site, "safe_texts", None) or ()))

    @property
    def precision(self) -> str:
        return "exact" if self.exact else "approximate"

    @property
    def point(self) -> tuple[float, float] | None:
        return None if self.latitude is None or self.longitude is None else (self.latitude, self.longitude)

    def address(self, address) -> dict | None:
        """Return the fields of an address (an Address or a mapping of its fields) this viewer may see."""
        if address is None or _value(address, "address_type") is None:
            return None
        if self.exact:
            return {name: _value(address, name) for name in ADDRESS_FIELDS}
        shown = {name: _value(address, name) for name in GENERALIZED_ADDRESS_FIELDS}
        shown["postal_code"] = zip5(shown["postal_code"])
        return shown

    def address_lines(self, address) -> list[str]:
        """Return an address as the lines a page prints: the street (when shown), then city, state and ZIP."""
        shown = self.address(address)
        if shown is None:
            return []
        street = ", ".join(part for part in (shown.get("address_1"), shown.get("address_2")) if part)
        place = f"{shown['city']}, {shown['state_province']} {shown['postal_code']}".strip()
        return [line for line in (street, place) if line]

    def phones(self, phones: Iterable) -> list:
        """Return the phones this viewer may see, in their order: a generalized site's front doors only."""
        return [phone for phone in phones if self.exact or _value(phone, "is_front_door")]

    def text(self, value: str | None) -> str:
        """Return a free text of the site as this viewer may see it: '' when withheld."""
        if not value or self.exact or not self.is_confidential or text_digest(value) in self.safe_texts:
            return value or ""
        return ""

    def withholds(self, value: str | None) -> bool:
        return bool(value) and not self.text(value)


@dataclass(frozen=True)
class SiteMarks:
    """What in a text would place a confidential site: its street lines and street names, its ZIP+4, the digits
    of its direct lines."""

    words: tuple[str, ...]
    digits: tuple[str, ...]
    safe_texts: frozenset
    # (house number, the street's name words): "Calle Elm 1234" and "1234 N Elm" place "1234 Elm Street NW" too.
    streets: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, location) -> "SiteMarks":
        return cls.from_parts(location.addresses.all(), location.phones.all(), location.safe_texts)

    @classmethod
    def from_parts(cls, addresses: Iterable, phones: Iterable, safe_texts) -> "SiteMarks":
        """The marks of a site from its addresses and phones (objects or mappings of their fields)."""
        words, digits, streets = set(), set(), set()
        for address in addresses:
            for line in (_value(address, "address_1"), _value(address, "address_2")):
                line = _normalized(line)
                if line:
                    words.add(line)
                    name = line.split(" ", 1)[1] if line[:1].isdigit() and " " in line else ""
                    if len(name.split()) >= 2:  # "elm street", not a lone "elm"
                        words.add(name)
                    if street := _street(line.split()):
                        streets.add(street)
            postal_code = _value(address, "postal_code") or ""
            if len(re.sub(r"\D", "", postal_code)) > 5:
                digits.add(re.sub(r"\D", "", postal_code))
        for phone in phones:
            if not _value(phone, "is_front_door"):
                number = re.sub(r"\D", "", str(_value(phone, "number") or ""))
                if number:  # an empty number would be "in" every text: everything withheld
                    digits.update({number, number[-10:]})
        return cls(tuple(sorted(words)), tuple(sorted(digits)), frozenset(safe_texts or ()), tuple(sorted(streets)))

    def found_in(self, text: str) -> bool:
        """Return True when the text names the site and is not marked safe on it."""
        if not text or text_digest(text) in self.safe_texts:
            return False
        plain, numbers = _normalized(text), re.sub(r"\D", "", text)
        return (
            any(word in plain for word in self.words)
            or any(number in numbers for number in self.digits)
            or any(_beside(plain.split(), number, core) for number, core in self.streets)
        )


def street_of(line: str | None) -> tuple[str, tuple[str, ...]] | None:
    """The house number and the street name's words of a street line, as a site's marks read it ("1234 N Elm St
    NW, Apt 5" -> ("1234", ("elm",))); None without a house number first."""
    return _street(_normalized(line).split())


def _street(tokens: list[str]) -> tuple[str, tuple[str, ...]] | None:
    """The house number and the name's words of a street line's words: "1234 n elm st nw apt 5" -> ("1234", ("elm",)).
    None without a number first, or with a name too short to tell (the "a" of "1 A St")."""
    if len(tokens) < 2 or not tokens[0].isdigit():
        return None
    name = tokens[1:]
    typed = [i for i, word in enumerate(name) if word in STREET_TYPES]
    if typed:
        name = name[: typed[-1]]
    while name and (name[-1] in DIRECTIONS or name[-1] in UNIT_WORDS or name[-1].isdigit()):
        name = name[:-1]
    while name and name[0] in DIRECTIONS:
        name = name[1:]
    return (tokens[0], tuple(name)) if len("".join(name)) >= 3 else None


def _beside(words: list[str], number: str, name: tuple[str, ...]) -> bool:
    """The street's number and name next to each other in either order, one word between at most ("1234 Elm",
    "Elm 1234", "calle Elm 1234", "1234 N Elm")."""
    size = len(name)
    for at, word in enumerate(words):
        if word == number:
            after = (tuple(words[at + gap : at + gap + size]) for gap in (1, 2))
            before = (tuple(words[max(at - gap - size, 0) : at - gap]) for gap in (0, 1))
            if any(found == name for found in (*after, *before)):
                return True
    return False


def _normalized(text: str | None) -> str:
    return _SPACE.sub(" ", re.sub(r"[^\w\s]", " ", (text or "").lower())).strip()


def service_texts(
    service, access: ConfidentialAccess, texts: Mapping | None = None
) -> tuple[dict[str, str], list[str]]:
    """Return a service's free text as this viewer may see it, and the fields withheld. `texts`: the texts to be
    shown, when not the service's own (those in the reader's language, providers.translations).

    Reads `service.service_at_locations` with their locations' addresses and phones (prefetch them).
    """
    hidden_sites = [
        offer.location
        for offer in service.service_at_locations.all()
        if offer.location.is_confidential and not access.may_see_exact(offer.location)
    ]
    return withhold_texts(service, [SiteMarks.of(site) for site in hidden_sites], texts)


def withhold_texts(service, hidden_marks: Iterable[SiteMarks], shown: Mapping | None = None) -> tuple[dict, list]:
    """A service's free text (a Service or a mapping of its fields; or `shown`, the texts to be shown of it) without
    what names the sites it is offered at that this viewer may not see (their marks), and the fields withheld."""
    texts = {name: (shown[name] if shown and name in shown else _value(service, name)) or ""
             for name in SERVICE_TEXT_FIELDS}  # fmt: skip
    withheld = []
    for marks in hidden_marks:
        for name, value in texts.items():
            if value and marks.found_in(value):
                texts[name] = ""
                withheld.append(name)
    return texts, sorted(set(withheld))

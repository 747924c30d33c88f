"""Geocoding with geopy's interface: an offline gazetteer by default, an online geocoder when configured.

`geocode(query)` is the one entry point. It returns a `geopy.location.Location` whose `raw` holds
`source` ("coordinates", "gazetteer", or the online service's name) and `precision`.

- "lat,lon" strings are parsed here and never sent anywhere.
- The gazetteer (built from the `zipcodes` package, no network) answers 5-digit ZIP codes (also ZIP+4 and
  addresses ending in a ZIP, at the ZIP's centroid), "City, ST" / "City, State" (the centroid of that city's
  ZIP codes) and bare city names that exist in one state only.
- With GEOCODER set to a geopy service (nominatim, photon, pelias, arcgis, ...), that service is asked
  first, through geopy's RateLimiter and with a timeout; when it fails (network, HTTP error, timeout) the
  gazetteer answers instead. Online answers are cached in the database under a keyed hash of the query.
  Gazetteer answers are not cached: they are computed in memory from packaged data, so a cache row would
  cost a write per search and keep a record of searched places for nothing.

Queries are never logged: a search place may be where a survivor is.
"""

import hashlib
import hmac
import inspect
import logging
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

import zipcodes
from django.conf import settings
from django.utils import timezone
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.location import Location

from geo.fips import STATE_FIPS_TO_USPS, USPS_TO_NAME
from geo.models import GeocodeCacheEntry

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 300
MAX_CANDIDATES = 30

STATE_NAMES = {name.lower(): code for code, name in USPS_TO_NAME.items()} | {"virgin islands": "VI"}
STATE_CODES = set(STATE_FIPS_TO_USPS.values())

COORDINATES_RE = re.compile(r"^\s*([-+]?\d{1,3}(?:\.\d+)?)\s*,\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$")
ZIP_RE = re.compile(r"^(\d{5})(?:-\d{4})?$")
# A ZIP code at the end of an address counts only after a comma or a state code ("TX 77002"), so that
# "Apt 12345" or "PO Box 12345" is not read as a ZIP code.
TRAILING_ZIP_RE = re.compile(r"(?:,|\b[A-Za-z]{2})\s*(\d{5})(?:-\d{4})?\s*$")
COUNTRY_SUFFIX_RE = re.compile(r",?\s*(?:USA|U\.S\.A\.|US|U\.S\.|United States(?: of America)?)\s*$", re.IGNORECASE)
ABBREVIATIONS = [(re.compile(r"\bSt\.?\s+(?=\w)", re.IGNORECASE), "Saint "),
                 (re.compile(r"\bFt\.?\s+(?=\w)", re.IGNORECASE), "Fort "),
                 (re.compile(r"\bMt\.?\s+(?=\w)", re.IGNORECASE), "Mount ")]  # fmt: skip


class GeocodingError(ValueError):
    """A place that cannot be turned into one point; the message is meant for the person who typed it."""

    candidates: list[str] = []


class PlaceNotFound(GeocodingError):
    pass


class AmbiguousPlace(GeocodingError):
    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message)
        self.candidates = candidates


def _location(label: str, latitude: float, longitude: float, *, source: str, precision: str) -> Location:
    return Location(label, (latitude, longitude), {"source": source, "precision": precision})


def normalize(query: str) -> str:
    return " ".join(str(query).split())


def parse_coordinates(query: str) -> Location | None:
    """Return a Location for a "lat,lon" string, None if it is not one; GeocodingError when out of range."""
    match = COORDINATES_RE.match(query)
    if not match:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if not -90 <= latitude <= 90:
        raise GeocodingError(f"Latitude {latitude} is out of range: it must be between -90 and 90 (use lat,lon).")
    if not -180 <= longitude <= 180:
        raise GeocodingError(f"Longitude {longitude} is out of range: it must be between -180 and 180.")
    return _location(f"{latitude}, {longitude}", latitude, longitude, source="coordinates", precision="exact")


@dataclass(frozen=True)
class _Place:
    label: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Town:
    name: str
    state: str
    latitude: float
    longitude: float
    zip_codes: int


class Gazetteer:
    """An offline geocoder over US ZIP codes and cities, with geopy's `geocode(query, exactly_one)`."""

    def __init__(self, records: list[dict]):
        self.zips: dict[str, _Place] = {}
        standard: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        other: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        aliases: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
        names: dict[tuple[str, str], str] = {}
        for record in records:
            if not record.get("lat") or not record.get("long"):
                continue
            point = (float(record["lat"]), float(record["long"]))
            city, state = record["city"].title(), record["state"]
            self.zips[record["zip_code"]] = _Place(f"{record['zip_code']}, {city}, {state}", *point)
            if state not in STATE_CODES:
                continue  # military APO/FPO codes: reachable by ZIP only, not by a "city"
            key = (city.lower(), state)
            names[key] = city
            (standard if record["zip_code_type"] == "STANDARD" else other)[key].append(point)
            for alias in record.get("acceptable_cities") or []:
                alias_key = (alias.lower(), state)
                names.setdefault(alias_key, alias.title())
                aliases[alias_key].append(point)
        # A city's point is the centroid of its street-delivery ZIP codes (PO-box-only towns: of those).
        self.cities: dict[tuple[str, str], _Place] = {}
        for key in set(standard) | set(other) | set(aliases):
            points = standard.get(key) or other.get(key) or aliases[key]
            latitude = statistics.fmean(p[0] for p in points)
            longitude = statistics.fmean(p[1] for p in points)
            self.cities[key] = _Place(f"{names[key]}, {key[1]}", round(latitude, 5), round(longitude, 5))
        # The towns a map names, with their street-delivery ZIP codes counted: the package has no population,
        # and that count is the nearest measure of a place's size it holds (New York 101, a village 1).
        self.towns: list[Town] = sorted(
            (Town(names[key], key[1], self.cities[key].latitude, self.cities[key].longitude, len(standard.get(key, ())))
             for key in set(standard) | set(other)),
            key=lambda town: (-town.zip_codes, town.name),
        )  # fmt: skip
        self.states_of_city: dict[str, list[str]] = defaultdict(list)
        for city, state in sorted(self.cities):
            self.states_of_city[city].append(state)

    def geocode(self, query: str, exactly_one: bool = True):
        """Return a Location (exactly_one) or a list of them; None / [] when the place is unknown.

        With exactly_one, a name that fits several places raises AmbiguousPlace listing them.
        """
        candidates = self._candidates(normalize(query))
        if not exactly_one:
            return candidates
        if not candidates:
            return None
        if len(candidates) > 1:
            labels = [c.address for c in candidates[:MAX_CANDIDATES]]
            raise AmbiguousPlace(
                f"'{normalize(query)}' matches {len(candidates)} places; add the state, e.g. '{labels[0]}'.", labels
            )
        return candidates[0]

    def _zip(self, code: str) -> list[Location]:
        place = self.zips.get(code)
        if place is None:
            return []
        return [_location(place.label, place.latitude, place.longitude, source="gazetteer", precision="zip")]

    def _city(self, city: str, state: str) -> list[Location]:
        place = self.cities.get((city.lower(), state))
        if place is None:
            # "St. Louis" is "Saint Louis" in the USPS data; "Ft Worth" is "Fort Worth".
            expanded = city
            for pattern, replacement in ABBREVIATIONS:
                expanded = pattern.sub(replacement, expanded)
            place = self.cities.get((normalize(expanded).lower(), state))
        if place is None:
            return []
        return [_location(place.label, place.latitude, place.longitude, source="gazetteer", precision="city")]

    @staticmethod
    def _state(text: str) -> str | None:
        text = text.strip().rstrip(".")
        if text.upper() in STATE_CODES:
            return text.upper()
        return STATE_NAMES.get(text.lower())

    def _candidates(self, query: str) -> list[Location]:
        query = COUNTRY_SUFFIX_RE.sub("", query).strip(" ,")
        if not query:
            return []
        match = ZIP_RE.match(query)
        if match:
            return self._zip(match.group(1))
        trailing = TRAILING_ZIP_RE.search(query)
        if trailing:
            # An address ending in a ZIP code: its centroid is the best the gazetteer knows.
            return self._zip(trailing.group(1))
        parts = [part.strip() for part in query.split(",") if part.strip()]
        if len(parts) >= 2:
            state = self._state(parts[-1])
            if state:
                return self._city(parts[-2], state)
            return []
        words = query.split(" ")
        if len(words) >= 2:
            for size in (2, 1):  # "Houston TX", "Santa Fe New Mexico"
                state = self._state(" ".join(words[-size:]))
                if state and len(words) > size:
                    found = self._city(" ".join(words[:-size]), state)
                    if found:
                        return found
        return [self._city(query, state)[0] for state in self.states_of_city.get(query.lower(), [])]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Return the process-wide gazetteer (built on first use, about a second)."""
    return Gazetteer(zipcodes.list_all())


def _query_hash(query: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{settings.GEOCODER}:{query.lower()}".encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _online_geocoder(service: str, url: str, user_agent: str, timeout_s: float, min_delay_s: float):
    cls = get_geocoder_for_service(service)
    accepted = inspect.signature(cls.__init__).parameters
    options = {"user_agent": user_agent, "timeout": timeout_s}
    if url:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        options.update(domain=parts.netloc + parts.path.rstrip("/"), scheme=parts.scheme)
    geocoder = cls(**{name: value for name, value in options.items() if name in accepted})
    # Public geocoders allow about one request a second; errors are not retried here because the
    # gazetteer answers at once instead.
    return RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_s, max_retries=0, swallow_exceptions=False)


def online_geocoder():
    """Return the configured online geocoder's rate-limited geocode function, or None (gazetteer only)."""
    if settings.GEOCODER == "gazetteer":
        return None
    return _online_geocoder(
        settings.GEOCODER,
        settings.GEOCODER_URL,
        settings.GEOCODER_USER_AGENT,
        settings.GEOCODER_TIMEOUT_S,
        settings.GEOCODER_MIN_DELAY_S,
    )


def _cached(query: str) -> Location | None:
    fresh_after = timezone.now() - timedelta(days=settings.GEOCODE_CACHE_DAYS)
    entry = GeocodeCacheEntry.objects.filter(query_hash=_query_hash(query), created_at__gte=fresh_after).first()
    if entry is None:
        return None
    return _location(entry.label, entry.latitude, entry.longitude, source=entry.source, precision="address")


def _remember(query: str, found: Location) -> None:
    GeocodeCacheEntry.objects.update_or_create(
        query_hash=_query_hash(query),
        defaults={
            "latitude": found.latitude,
            "longitude": found.longitude,
            "label": found.address[:500],
            "source": settings.GEOCODER,
            "created_at": timezone.now(),
        },
    )


def geocode(query: str, *, online: bool = True) -> Location:
    """Return the point for a place typed by a person or found in an import.

    online=False keeps the query on this machine (the gazetteer only): used for the addresses of
    confidential sites, which must never be sent to a third-party service.

    Raises PlaceNotFound (unknown or empty), AmbiguousPlace (with candidates) or GeocodingError (e.g.
    coordinates out of range), each with a message fit to show the user.
    """
    text = normalize(query)
    if not text:
        raise PlaceNotFound("Enter a place: a ZIP code, 'City, ST', an address or 'lat,lon'.")
    if len(text) > MAX_QUERY_LENGTH:
        raise GeocodingError(f"A place may be at most {MAX_QUERY_LENGTH} characters.")
    coordinates = parse_coordinates(text)
    if coordinates is not None:
        return coordinates

    lookup = online_geocoder() if online else None
    if lookup is not None and not ZIP_RE.match(text):
        cached = _cached(text)
        if cached is not None:
            return cached
        try:
            found = lookup(text, exactly_one=True)
        except (GeopyError, OSError, ValueError) as exc:
            # The query itself is not logged (see module docstring).
            logger.warning("online geocoder %s failed (%s); using the gazetteer", settings.GEOCODER, type(exc).__name__)
            found = None
        else:
            if found is not None:
                if not (-90 <= found.latitude <= 90 and -180 <= found.longitude <= 180):
                    found = None
                else:
                    found = _location(
                        found.address, found.latitude, found.longitude, source=settings.GEOCODER, precision="address"
                    )
                    _remember(text, found)
                    return found

    result = gazetteer().geocode(text)
    if result is None:
        raise PlaceNotFound(
            f"No place found for '{text}'. Try a 5-digit ZIP code, 'City, ST' (e.g. 'Houston, TX') or 'lat,lon'."
        )
    return result

"""Where and what the fictional demo listings are: US ZIP-code centroids (offline, from the zipcodes package),
metro areas, and the word lists names and streets are made from."""

import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import zipcodes
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from geo.expressions import WGS84
from geo.fips import USPS_TO_NAME

# The demo covers the 50 states, DC and Puerto Rico.
STATES = {code: name for code, name in USPS_TO_NAME.items() if code not in {"GU", "AS", "MP", "VI"}}

# Large metro areas get a share of the listings, as real directories do. (name, state, lat, lon)
METROS = [
    ("Houston", "TX", 29.76, -95.37), ("New York", "NY", 40.71, -74.01), ("Los Angeles", "CA", 34.05, -118.24),
    ("Chicago", "IL", 41.88, -87.63), ("Dallas", "TX", 32.78, -96.80), ("Miami", "FL", 25.76, -80.19),
    ("Atlanta", "GA", 33.75, -84.39), ("Washington", "DC", 38.91, -77.04), ("Philadelphia", "PA", 39.95, -75.17),
    ("Phoenix", "AZ", 33.45, -112.07), ("San Francisco", "CA", 37.77, -122.42), ("Seattle", "WA", 47.61, -122.33),
    ("Denver", "CO", 39.74, -104.99), ("Las Vegas", "NV", 36.17, -115.14), ("San Antonio", "TX", 29.42, -98.49),
    ("Orlando", "FL", 28.54, -81.38), ("Minneapolis", "MN", 44.98, -93.27), ("Detroit", "MI", 42.33, -83.05),
    ("Boston", "MA", 42.36, -71.06), ("San Diego", "CA", 32.72, -117.16), ("Portland", "OR", 45.52, -122.68),
    ("Charlotte", "NC", 35.23, -80.84), ("New Orleans", "LA", 29.95, -90.07), ("El Paso", "TX", 31.76, -106.49),
    ("Newark", "NJ", 40.74, -74.17),
]  # fmt: skip
METRO_SHARE = 0.4
METRO_RADIUS_DEG = 0.45  # about 50 km: the ZIP codes that count as "in" a metro area

LANGUAGE_WEIGHTS = [
    ("zh", 8), ("vi", 6), ("ko", 4), ("tl", 5), ("ru", 4), ("ar", 4), ("ht", 3), ("fr", 4), ("pt", 4),
    ("hi", 3), ("th", 2), ("km", 1), ("so", 1), ("am", 1), ("uk", 2), ("pl", 1), ("ne", 1), ("my", 1),
]  # fmt: skip

FIRST_NAMES = [
    "Ana", "Luis", "Maria", "James", "Mei", "Thanh", "Amina", "David", "Sofia", "Ravi", "Grace", "Omar",
    "Elena", "Kwame", "Rosa", "Daniel", "Priya", "Jorge", "Hana", "Samuel", "Lucia", "Marcus", "Ivy", "Nadia",
]  # fmt: skip
LAST_NAMES = [
    "Garcia", "Nguyen", "Johnson", "Chen", "Okafor", "Patel", "Rivera", "Kim", "Haddad", "Lopez", "Smith",
    "Santos", "Walker", "Ibrahim", "Martinez", "Brown", "Reyes", "Park", "Morales", "Davis",
]  # fmt: skip
NAME_WORDS = [
    "Harbor", "Beacon", "Bridge", "Cedar", "Compass", "Dawn", "Freedom", "Haven", "Hope", "Lantern", "Meadow",
    "New Path", "North Star", "Open Door", "Pathways", "Refuge", "Rising", "Safe Passage", "Sunrise",
    "Willow", "Anchor", "Clear Water", "Horizon", "Kindred", "Restore", "Shelter Rock", "True North",
]  # fmt: skip
STREETS = [
    "Main",
    "Oak",
    "Maple",
    "Cedar",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Park",
    "Pine",
    "River",
    "Church",
]
STREET_TYPES = ["St", "Ave", "Blvd", "Rd", "Ln", "Way"]

FRONT_DOOR_DESCRIPTION = "Front-door line: reaches the program without revealing where it is."


@dataclass(frozen=True)
class ZipPlace:
    code: str
    city: str
    state: str
    latitude: float
    longitude: float
    time_zone: str
    area_code: str


@lru_cache(maxsize=1)
def us_zip_places() -> tuple[ZipPlace, ...]:
    """Return the active, standard ZIP codes of the states (and DC, PR) with a centroid and a time zone."""
    valid_zones = zoneinfo.available_timezones()
    places = []
    for z in zipcodes.list_all():
        if z["zip_code_type"] != "STANDARD" or not z["active"] or z["state"] not in STATES:
            continue
        if z["timezone"] not in valid_zones or not z["lat"] or not z["long"]:
            continue
        area_codes = z.get("area_codes") or ["202"]
        places.append(
            ZipPlace(z["zip_code"], z["city"].title(), z["state"], float(z["lat"]), float(z["long"]),
                     z["timezone"], area_codes[0])
        )  # fmt: skip
    return tuple(places)


def approximate_state_outline(places: list[ZipPlace]) -> MultiPolygon:
    """Return a rough outline of a state: the convex hull of its ZIP centroids, widened by ~15 km.

    Used only when the Census boundaries are not loaded (`manage.py load_boundaries`).
    """
    # Built from WKT: one GEOS call instead of a Point object per ZIP code.
    wkt = "MULTIPOINT(" + ",".join(f"({p.longitude} {p.latitude})" for p in places) + ")"
    hull = GEOSGeometry(wkt, srid=WGS84).convex_hull.buffer(0.15)
    outline = hull if isinstance(hull, MultiPolygon) else MultiPolygon(hull)
    outline.srid = WGS84
    return outline

"""The location list as GeoJSON features built from plain rows: the map search's page, without a model instance or
a nested serializer per address, phone and hours period (docs/benchmarks.md, "The map search").

The shape is LocationSerializer's, field for field (tests/providers/test_location_features.py compares the two for
every kind of caller), and what a caller sees of a confidential site is decided by providers.disclosure as there.
"""

from collections import defaultdict
from types import SimpleNamespace

from rest_framework import serializers

from geo.units import distance_in_m, m_to_km, m_to_mi
from providers import accessibility, selectors
from providers.access import ConfidentialAccess
from providers.disclosure import ADDRESS_FIELDS, SiteDisclosure
from providers.fields import ClockTimeField
from providers.models import Address, Organization, Phone, Schedule, ServiceAtLocation
from providers.translations import in_language, reader_language, shown_texts

# What a feature reads of the location itself (the disclosure decision reads the points, the organization and the
# safe texts; they are not all shown).
LOCATION_COLUMNS = (
    "id", "name", "alternate_name", "description", "transportation", "location_type", "organization_id",
    "is_confidential", "latitude", "longitude", "public_latitude", "public_longitude",
    "safe_texts", "time_zone", "open_24_7", "beds_total", "beds_available", "accepting_referrals",
    "capacity_updated_at", "updated_at", "accessibility", "accessibility_details", "i18n",
)  # fmt: skip
# The map's light list (/api/locations/map/): what a marker and its label need; the rest from /api/locations/{id}/.
MAP_COLUMNS = (
    "id", "name", "location_type", "organization_id", "is_confidential", "latitude", "longitude", "public_latitude",
    "public_longitude", "open_24_7", "beds_total", "beds_available", "accepting_referrals",
)  # fmt: skip
_DATETIME = serializers.DateTimeField()
_CLOCK = ClockTimeField()


def location_rows(queryset, columns=LOCATION_COLUMNS):
    """The filtered, ordered locations as rows for `location_features` (or, with MAP_COLUMNS, `map_features`): a
    page of it is read, not the whole."""
    columns += ("distance",) if "distance" in queryset.query.annotations else ()
    return queryset.values(*columns)


def phones_by(owner: str, owner_ids: list) -> dict:
    """The phones of these owners (`owner`: "location_id", "service_id") as PhoneSerializer shows them, with their
    languages, in Phone's order, by owner id."""
    rows = list(
        Phone.objects.filter(**{f"{owner}__in": owner_ids}).values(
            "id", owner, "number", "extension", "type", "description", "is_front_door"
        )
    )
    languages = defaultdict(list)
    through = Phone.languages.through.objects.filter(phone_id__in=[row["id"] for row in rows])
    for phone_id, code in through.order_by("language_id").values_list("phone_id", "language_id"):
        languages[phone_id].append(code)
    phones = defaultdict(list)
    for row in rows:
        owner_id = row.pop(owner)
        row.update(id=str(row["id"]), languages=languages.get(row["id"], []))
        if row["number"]:
            row["number"] = row["number"].as_e164
        else:
            del row["number"]  # as PhoneSerializer, whose field is skipped for an empty number
        phones[owner_id].append(row)
    return phones


def _details(page_ids: list) -> tuple[dict, dict, dict]:
    """Addresses, phones (with their languages) and hours of the page's locations, in the serializer's orders (each
    model's Meta.ordering), by location id."""
    addresses, schedules = defaultdict(list), defaultdict(list)
    for row in Address.objects.filter(location_id__in=page_ids).values("location_id", *ADDRESS_FIELDS):
        addresses[row.pop("location_id")].append(row)
    phones = phones_by("location_id", page_ids)
    for row in Schedule.objects.filter(location_id__in=page_ids).values(
        "location_id", "weekday", "opens_at", "closes_at", "service_id", "description", "i18n"
    ):
        schedules[row.pop("location_id")].append(row)
    return addresses, phones, schedules


def _names_and_offers(rows: list) -> tuple[dict, dict]:
    """The page's organizations' names (read apart: joined to the locations, the planner joined every location in
    the radius before keeping a page) and the services offered at its locations (by id), by location id."""
    names = selectors.names_in_language(Organization, (row["organization_id"] for row in rows))
    offers = defaultdict(list)
    language = reader_language()
    for row in (
        ServiceAtLocation.objects.filter(location_id__in=[row["id"] for row in rows])
        .order_by("id")
        .values("id", "location_id", "service_id", "service__name", "service__i18n", "service__status")
    ):
        service = {"name": row["service__name"], "i18n": row["service__i18n"]}
        offers[row["location_id"]].append(
            {
                "service_at_location_id": str(row["id"]),
                "service_id": str(row["service_id"]),
                "name": in_language(service, "name", language).value,
                "status": row["service__status"],
            }
        )
    return names, offers


def _distance(row, to_unit) -> float | None:
    distance = row.get("distance")
    return None if distance is None else round(to_unit(distance_in_m(distance)), 3)


def _marker(row, site: SiteDisclosure, names: dict, offers: dict) -> dict:
    """The properties the map's light list and the full list share (MAP_COLUMNS' and the page's offers)."""
    return {
        "name": row["name"],
        "location_type": row["location_type"],
        "organization": {"id": str(row["organization_id"]), "name": names.get(row["organization_id"])},
        "is_confidential": row["is_confidential"],
        "precision": site.precision,
        "open_24_7": row["open_24_7"],
        "beds_total": row["beds_total"],
        "beds_available": row["beds_available"],
        "accepting_referrals": row["accepting_referrals"],
        "services": offers.get(row["id"], []),
        "distance_km": _distance(row, m_to_km),
        "distance_mi": _distance(row, m_to_mi),
    }


def _feature(row, site: SiteDisclosure, properties: dict) -> dict:
    point = site.point
    geometry = None if point is None else {"type": "Point", "coordinates": [point[1], point[0]]}
    return {"id": str(row["id"]), "type": "Feature", "geometry": geometry, "properties": properties}


def location_features(rows, access: ConfidentialAccess) -> list[dict]:
    """GeoJSON features of the rows (`location_rows`), as this caller may see each site."""
    rows = list(rows)
    if not rows:
        return []
    names, offers = _names_and_offers(rows)
    addresses, phones, schedules = _details([row["id"] for row in rows])
    exceptions = selectors.hours_exceptions_ahead(row["id"] for row in rows)
    features = []
    for row in rows:
        site = SiteDisclosure.of(SimpleNamespace(**row), access)
        location_id = row["id"]
        texts = shown_texts(row, ("description",), site)
        properties = {
            **_marker(row, site, names, offers),
            "alternate_name": row["alternate_name"],
            "description": texts["description"],
            "transportation": site.text(row["transportation"]),
            "accessibility": accessibility.described(row["accessibility"]),
            "accessibility_details": site.text(row["accessibility_details"]),
            "latitude": site.latitude,
            "longitude": site.longitude,
            "addresses": [site.address(address) for address in addresses.get(location_id, ())],
            "phones": [
                {**phone, "description": site.text(phone["description"])}
                for phone in site.phones(phones.get(location_id, ()))
            ],
            "time_zone": row["time_zone"],
            "schedules": [
                {
                    "weekday": period["weekday"],
                    "opens_at": _CLOCK.to_representation(period["opens_at"]),
                    "closes_at": _CLOCK.to_representation(period["closes_at"]),
                    "service_id": None if period["service_id"] is None else str(period["service_id"]),
                    **shown_texts(period, ("description",), site),
                }
                for period in schedules.get(location_id, ())
            ],
            "hours_exceptions": [
                {
                    **{name: exception[name] for name in selectors.HOURS_EXCEPTION_FIELDS if name != "i18n"},
                    "starts_on": exception["starts_on"].isoformat(),
                    "ends_on": exception["ends_on"].isoformat(),
                    "opens_at": _clock_or_none(exception["opens_at"]),
                    "closes_at": _clock_or_none(exception["closes_at"]),
                    "service_id": None if exception["service_id"] is None else str(exception["service_id"]),
                    **shown_texts(exception, ("note",), site),
                }
                for exception in exceptions.get(location_id, ())
            ],
            "capacity_updated_at": _datetime(row["capacity_updated_at"]),
            "updated_at": _datetime(row["updated_at"]),
            "text_languages": texts["text_languages"],
        }
        features.append(_feature(row, site, properties))
    return features


def map_features(rows, access: ConfidentialAccess) -> list[dict]:
    """The light features of the rows (`location_rows(queryset, MAP_COLUMNS)`), as this caller may see each site:
    MapLocationSerializer's shape."""
    rows = list(rows)
    if not rows:
        return []
    if "services" in rows[0]:  # read with the page (providers.map_list), with the names' Spanish forms
        language = reader_language()
        names = {row["organization_id"]: in_language({"name": row["organization_name"], "i18n":
                                                      row["organization_i18n"]}, "name", language).value
                 for row in rows}  # fmt: skip
        offers = {row["id"]: [{**{k: v for k, v in offer.items() if k != "i18n"},
                               "name": in_language(offer, "name", language).value} for offer in row["services"]]
                  for row in rows}  # fmt: skip
    else:
        names, offers = _names_and_offers(rows)
    features = []
    for row in rows:
        site = SiteDisclosure.of(SimpleNamespace(**row), access)
        features.append(_feature(row, site, _marker(row, site, names, offers)))
    return features


def _clock_or_none(value) -> str | None:
    return None if value is None else _CLOCK.to_representation(value)


def _datetime(value) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)

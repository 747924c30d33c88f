"""Output serializers for the registry API. Explicit fields everywhere; nothing is `__all__`.

Locations and services read the caller's ConfidentialAccess from the context ("access") and show what the
disclosure policy (providers.disclosure, docs/privacy.md) lets that caller see of confidential sites.
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geo.units import distance_in_m, m_to_km, m_to_mi
from providers import accessibility, selectors
from providers.access import ConfidentialAccess
from providers.disclosure import SiteDisclosure, service_texts
from providers.fields import ClockTimeField
from providers.models import (
    Address,
    Language,
    Location,
    NeedTerm,
    Organization,
    Phone,
    Population,
    Schedule,
    Service,
    ServiceStatus,
    VictimAssistanceSpecialist,
    is_stale,
)
from providers.translations import in_language, localized, reader_language, shown_texts, translated_fields

# A number that may be null: coordinates of a virtual location, distances without `near`.
NULLABLE_DOUBLE = serializers.FloatField(allow_null=True)


class NeedTermSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="The parent's code; null for a top-level need."
    )

    class Meta:
        model = NeedTerm
        fields = ["code", "name", "description", "parent"]


class PopulationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Population
        fields = ["code", "name", "dimension", "description"]


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["code", "name"]


class PhoneSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="number.as_e164", read_only=True)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Phone
        fields = ["id", "number", "extension", "type", "description", "is_front_door", "languages"]


TEXT_LANGUAGES_HELP = (
    'The texts shown in the other language, by field ({"description": "en"}): the reader\'s language (?lang=, '
    "Accept-Language) has none for them. Empty when every text is in the reader's language."
)


class TextLanguagesField(serializers.DictField):
    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), read_only=True, help_text=TEXT_LANGUAGES_HELP, **kwargs)


class LocalizedTextsMixin:
    """Shows a record's translated texts in the reader's language (providers.translations), with the marker."""

    def to_representation(self, record):
        data = super().to_representation(record)
        fields = [field for field in translated_fields(type(record)) if field in data]
        values, other = localized(record, fields)
        data.update(values, text_languages=other)
        return data


class OrganizationRefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="In the reader's language when it has one.")

    class Meta:
        model = Organization
        fields = ["id", "name"]

    def get_name(self, organization) -> str:
        return in_language(organization, "name", reader_language()).value


class OrganizationSerializer(LocalizedTextsMixin, serializers.ModelSerializer):
    phones = PhoneSerializer(many=True, read_only=True)
    stale = serializers.BooleanField(read_only=True, help_text="An active service was not verified recently.")
    text_languages = TextLanguagesField()

    class Meta:
        model = Organization
        fields = ["id", "name", "alternate_name", "description", "email", "website", "phones", "stale", "updated_at",
                  "text_languages"]  # fmt: skip


class ServiceLocationRefSerializer(serializers.Serializer):
    """Where a service is offered, without coordinates (those come from /api/locations/)."""

    service_at_location_id = serializers.UUIDField(source="id")
    location_id = serializers.UUIDField()
    name = serializers.CharField(source="location.name")
    location_type = serializers.CharField(source="location.location_type")
    is_confidential = serializers.BooleanField(source="location.is_confidential")


class ServiceSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    needs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    populations = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    phones = PhoneSerializer(many=True, read_only=True)
    locations = ServiceLocationRefSerializer(source="service_at_locations", many=True, read_only=True)
    stale = serializers.SerializerMethodField(help_text="Not verified within LISTING_STALE_AFTER_DAYS.")
    withheld = serializers.SerializerMethodField(
        help_text="Text fields left empty because they name a confidential site this caller may not see exactly."
    )
    text_languages = TextLanguagesField()

    class Meta:
        model = Service
        fields = [
            "id",
            "organization",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "needs",
            "populations",
            "languages",
            "minimum_age",
            "maximum_age",
            "eligibility_description",
            "interpretation_services",
            "application_process",
            "fees_description",
            "alert",
            "last_verified_on",
            "stale",
            "phones",
            "locations",
            "withheld",
            "updated_at",
            "text_languages",
        ]

    def to_representation(self, service):
        data = super().to_representation(service)
        values, other = localized(service, translated_fields(Service))
        texts, withheld = service_texts(service, self.context.get("access") or ConfidentialAccess(), texts=values)
        data.update(values, **texts, withheld=withheld)
        data["text_languages"] = {field: language for field, language in other.items() if data[field]}
        return data

    def get_withheld(self, service) -> list[str]:
        return []  # filled in by to_representation (the schema's field)

    def get_stale(self, service) -> bool:
        return service.status == ServiceStatus.ACTIVE and is_stale(service.last_verified_on, timezone.localdate())


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = [
            "address_type",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
        ]


class ShownAddressSerializer(AddressSerializer):
    """A location's address as the caller may see it (providers.disclosure): every field for those who may see the
    site exactly; for a generalized confidential site only the type, city, state, 5-digit ZIP and country."""

    # Only describes LocationSerializer.get_addresses, which returns SiteDisclosure.address().
    class Meta(AddressSerializer.Meta):
        extra_kwargs = {
            field: {"required": False} for field in AddressSerializer.Meta.fields if field not in
            ("address_type", "city", "state_province", "postal_code", "country")
        }  # fmt: skip


class ScheduleSerializer(serializers.ModelSerializer):
    service_id = serializers.UUIDField(allow_null=True)
    opens_at = ClockTimeField()
    closes_at = ClockTimeField()
    text_languages = TextLanguagesField()

    class Meta:
        model = Schedule
        fields = ["weekday", "opens_at", "closes_at", "service_id", "description", "text_languages"]


class HoursExceptionSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="The last day it applies.")
    closed = serializers.BooleanField()
    opens_at = ClockTimeField(allow_null=True, help_text="The hours kept instead, when not closed.")
    closes_at = ClockTimeField(allow_null=True)
    service_id = serializers.UUIDField(allow_null=True, help_text="One service's dates; null: the whole site's.")
    note = serializers.CharField(help_text="Empty for a generalized site unless marked safe.")
    text_languages = TextLanguagesField()


class AccessibilityFeatureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the reader's language.")


class LocationServiceRefSerializer(serializers.Serializer):
    service_at_location_id = serializers.UUIDField(source="id")
    service_id = serializers.UUIDField()
    name = serializers.SerializerMethodField(help_text="In the reader's language when it has one.")
    status = serializers.CharField(source="service.status")

    def get_name(self, offer) -> str:
        return in_language(offer.service, "name", reader_language()).value


class LocationSerializer(GeoFeatureModelSerializer):
    """A location as a GeoJSON Feature, as the caller may see it (providers.disclosure)."""

    geometry = serializers.SerializerMethodField()
    organization = OrganizationRefSerializer(read_only=True)
    description = serializers.SerializerMethodField(help_text="Empty for a generalized site unless marked safe.")
    transportation = serializers.SerializerMethodField(help_text="How to get there; as description.")
    accessibility = serializers.SerializerMethodField(
        help_text="Accessibility features the site offers (/api/accessibility/), with their labels."
    )
    accessibility_details = serializers.SerializerMethodField(help_text="More on access; as description.")
    precision = serializers.SerializerMethodField(help_text="'exact', or 'approximate' for a generalized site.")
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    addresses = serializers.SerializerMethodField()
    phones = serializers.SerializerMethodField()
    schedules = serializers.SerializerMethodField()
    hours_exceptions = serializers.SerializerMethodField(
        help_text="Dates from yesterday on when the site, or a service there, keeps other hours or is closed."
    )
    services = LocationServiceRefSerializer(source="service_at_locations", many=True, read_only=True)
    distance_km = serializers.SerializerMethodField(help_text="From `near`, to the point shown; null without near.")
    distance_mi = serializers.SerializerMethodField(help_text="From `near`, to the point shown; null without near.")
    text_languages = serializers.SerializerMethodField(help_text=TEXT_LANGUAGES_HELP)

    class Meta:
        model = Location
        geo_field = "geometry"
        id_field = "id"
        fields = [
            "id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "accessibility",
            "accessibility_details",
            "location_type",
            "organization",
            "is_confidential",
            "precision",
            "latitude",
            "longitude",
            "addresses",
            "phones",
            "time_zone",
            "open_24_7",
            "schedules",
            "hours_exceptions",
            "beds_total",
            "beds_available",
            "accepting_referrals",
            "capacity_updated_at",
            "services",
            "distance_km",
            "distance_mi",
            "updated_at",
            "text_languages",
        ]

    def _site(self, obj: Location) -> SiteDisclosure:
        # One decision per location and request (every field below asks it).
        if getattr(obj, "_disclosure", None) is None:
            obj._disclosure = SiteDisclosure.of(obj, self.context.get("access") or ConfidentialAccess())
        return obj._disclosure

    def get_geometry(self, obj: Location) -> dict | None:
        point = self._site(obj).point
        return None if point is None else {"type": "Point", "coordinates": [point[1], point[0]]}

    def get_description(self, obj: Location) -> str:
        return localized(obj, ("description",), shown=self._site(obj).text)[0]["description"]

    @extend_schema_field(TextLanguagesField())
    def get_text_languages(self, obj: Location) -> dict:
        return localized(obj, ("description",), shown=self._site(obj).text)[1]

    def get_transportation(self, obj: Location) -> str:
        return self._site(obj).text(obj.transportation)

    @extend_schema_field(AccessibilityFeatureSerializer(many=True))
    def get_accessibility(self, obj: Location) -> list[dict]:
        return accessibility.described(obj.accessibility)

    def get_accessibility_details(self, obj: Location) -> str:
        return self._site(obj).text(obj.accessibility_details)

    def get_precision(self, obj: Location) -> str:
        return self._site(obj).precision

    @extend_schema_field(NULLABLE_DOUBLE)
    def get_latitude(self, obj: Location) -> float | None:
        return self._site(obj).latitude

    @extend_schema_field(NULLABLE_DOUBLE)
    def get_longitude(self, obj: Location) -> float | None:
        return self._site(obj).longitude

    @extend_schema_field(NULLABLE_DOUBLE)
    def get_distance_km(self, obj: Location) -> float | None:
        distance = getattr(obj, "distance", None)
        return None if distance is None else round(m_to_km(distance_in_m(distance)), 3)

    @extend_schema_field(NULLABLE_DOUBLE)
    def get_distance_mi(self, obj: Location) -> float | None:
        distance = getattr(obj, "distance", None)
        return None if distance is None else round(m_to_mi(distance_in_m(distance)), 3)

    @extend_schema_field(ShownAddressSerializer(many=True))
    def get_addresses(self, obj: Location):
        return [self._site(obj).address(address) for address in obj.addresses.all()]

    @extend_schema_field(PhoneSerializer(many=True))
    def get_phones(self, obj: Location):
        site = self._site(obj)
        phones = PhoneSerializer(site.phones(obj.phones.all()), many=True).data
        return [{**phone, "description": site.text(phone["description"])} for phone in phones]

    @extend_schema_field(ScheduleSerializer(many=True))
    def get_schedules(self, obj: Location):
        site = self._site(obj)
        return [
            {**ScheduleSerializer(period).data, **shown_texts(period, ("description",), site)}
            for period in obj.schedules.all()
        ]

    @extend_schema_field(HoursExceptionSerializer(many=True))
    def get_hours_exceptions(self, obj: Location):
        site = self._site(obj)
        rows = selectors.hours_exceptions_ahead([obj.pk]).get(obj.pk, [])
        return [{**HoursExceptionSerializer(row).data, **shown_texts(row, ("note",), site)} for row in rows]


class MapLocationSerializer(LocationSerializer):
    """A location as the map's light list shows it (/api/locations/map/): a marker and its label; the rest from
    /api/locations/{id}/. Documents providers.features.map_features, which a test compares with it."""

    class Meta(LocationSerializer.Meta):
        fields = [
            "id", "name", "location_type", "organization", "is_confidential", "precision", "open_24_7", "beds_total",
            "beds_available", "accepting_referrals", "services", "distance_km", "distance_mi",
        ]  # fmt: skip


class SpecialistSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="phone.as_e164", read_only=True)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = VictimAssistanceSpecialist
        fields = [
            "id",
            "name",
            "hsi_office",
            "phone",
            "email",
            "languages",
            "on_call_24_7",
            "coverage_description",
            "state_codes",
            "county_fips",
        ]


class SpecialistDetailSerializer(GeoFeatureModelSerializer):
    phone = serializers.CharField(source="phone.as_e164", read_only=True)
    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = VictimAssistanceSpecialist
        geo_field = "coverage_area"
        id_field = "id"
        fields = [
            "id",
            "name",
            "hsi_office",
            "phone",
            "email",
            "languages",
            "on_call_24_7",
            "coverage_description",
            "state_codes",
            "county_fips",
        ]


class MergedPointerSerializer(serializers.Serializer):
    detail = serializers.CharField()
    merged_into = serializers.UUIDField(help_text="The id of the record this one was merged into.")


def merged_pointer(kept_id, location: str) -> Response:
    """The answer for the id of a merged record: 301 to the kept one (HSDS consumers and others hold our ids)."""
    body = {"detail": "This record was merged into another; it is at merged_into.", "merged_into": str(kept_id)}
    # Not kept by a browser or proxy for long: an undone merge brings the id back.
    return Response(body, status=301, headers={"Location": location, "Cache-Control": "no-cache"})

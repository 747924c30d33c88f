"""Input validation for a match request (API query string, JSON body and the `match` command) and the
output representation of a match result."""

import math

from django.conf import settings
from rest_framework import serializers

from geo.units import km_to_m, m_to_km, m_to_mi, miles_to_m
from matching.eligibility import CITIZENSHIP_REQUEST, GENDER_REQUEST, TRAFFICKING_REQUEST
from matching.engine import MatchRequest
from providers.models import Language, NeedTerm
from providers.serializers import AddressSerializer, GeneralizedAddressSerializer

MAX_NEEDS = 10
MAX_LIMIT = 100


class QueryBooleanField(serializers.BooleanField):
    """A boolean whose absence from a query string means its default, not False (DRF's form rule)."""

    default_empty_html = serializers.empty


def _split(values) -> list[str]:
    items = []
    for value in values or []:
        items.extend(part.strip() for part in str(value).split(",") if part.strip())
    return list(dict.fromkeys(items))


class MatchInputSerializer(serializers.Serializer):
    near = serializers.CharField(max_length=300, help_text="ZIP code, 'City, ST', address or 'lat,lon'.")
    needs = serializers.ListField(
        child=serializers.CharField(max_length=64),
        help_text=f"1 to {MAX_NEEDS} need codes (/api/taxonomy/), repeated or comma-separated.",
    )
    language = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list, help_text="ISO 639-1 codes."
    )
    language_required = QueryBooleanField(default=False, help_text="Only services speaking a requested language.")
    age = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=130)
    gender = serializers.ChoiceField(choices=list(GENDER_REQUEST), required=False, allow_null=True, default=None)
    trafficking_type = serializers.ChoiceField(
        choices=list(TRAFFICKING_REQUEST), required=False, allow_null=True, default=None
    )
    citizenship = serializers.ChoiceField(
        choices=list(CITIZENSHIP_REQUEST), required=False, allow_null=True, default=None
    )
    lgbtq = QueryBooleanField(
        required=False, allow_null=True, default=None,
        help_text="true: prefer LGBTQ+-specific programs; false: leave them out; absent: no effect.",
    )  # fmt: skip
    radius_mi = serializers.FloatField(required=False, allow_null=True, default=None)
    radius_km = serializers.FloatField(required=False, allow_null=True, default=None)
    open_now = QueryBooleanField(default=False, help_text="Only options open now (in their own time zone).")
    accepting_referrals = QueryBooleanField(default=False, help_text="Only options accepting referrals.")
    include_virtual = QueryBooleanField(default=True, help_text="Include services reached through their area.")
    limit = serializers.IntegerField(default=20, min_value=1, max_value=MAX_LIMIT)

    def validate_needs(self, value):
        codes = _split(value)
        if not codes:
            raise serializers.ValidationError("Give at least one need code.")
        if len(codes) > MAX_NEEDS:
            raise serializers.ValidationError(f"At most {MAX_NEEDS} needs per request.")
        known = set(NeedTerm.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(f"Unknown need codes: {', '.join(unknown)}.")
        return codes

    def validate_language(self, value):
        codes = _split(value)
        known = set(Language.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(f"Unknown language codes: {', '.join(unknown)} (use ISO 639-1).")
        return codes

    def validate(self, data):
        radius_mi, radius_km = data.get("radius_mi"), data.get("radius_km")
        if radius_mi is not None and radius_km is not None:
            raise serializers.ValidationError({"radius_km": "Give radius_mi or radius_km, not both."})
        max_m = miles_to_m(settings.SEARCH_MAX_RADIUS_MI)
        radius_m = miles_to_m(settings.SEARCH_DEFAULT_RADIUS_MI)
        for name, value, to_m in (("radius_mi", radius_mi, miles_to_m), ("radius_km", radius_km, km_to_m)):
            if value is None:
                continue
            if not math.isfinite(value) or value <= 0:
                raise serializers.ValidationError({name: f"{name} must be a number greater than 0."})
            if to_m(value) > max_m + 1:
                raise serializers.ValidationError(
                    {name: f"{name} must be at most {settings.SEARCH_MAX_RADIUS_MI} miles ({m_to_km(max_m):.0f} km)."}
                )
            radius_m = to_m(value)
        if data["language_required"] and not data["language"]:
            raise serializers.ValidationError({"language_required": "language_required needs a language."})
        data["radius_m"] = radius_m
        return data

    def to_request(self) -> MatchRequest:
        data = self.validated_data
        return MatchRequest(
            near=data["near"],
            needs=tuple(data["needs"]),
            languages=tuple(data["language"]),
            language_required=data["language_required"],
            age=data["age"],
            gender=data["gender"],
            trafficking_type=data["trafficking_type"],
            citizenship=data["citizenship"],
            lgbtq=data["lgbtq"],
            radius_m=data["radius_m"],
            open_now=data["open_now"],
            accepting_referrals=data["accepting_referrals"],
            include_virtual=data["include_virtual"],
            limit=data["limit"],
        )


# --- output ----------------------------------------------------------------------------------------------


class RefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class MatchPhoneSerializer(serializers.Serializer):
    number = serializers.CharField(source="number.as_e164")
    extension = serializers.CharField()
    type = serializers.CharField()
    is_front_door = serializers.BooleanField()


def _km(distance_m):
    return None if distance_m is None else round(m_to_km(distance_m), 2)


def _mi(distance_m):
    return None if distance_m is None else round(m_to_mi(distance_m), 2)


class MatchOptionSerializer(serializers.Serializer):
    service_at_location_id = serializers.UUIDField(source="offer.id")
    organization = RefSerializer(source="offer.service.organization")
    service = RefSerializer(source="offer.service")
    location = serializers.SerializerMethodField()
    phone = MatchPhoneSerializer(allow_null=True)
    distance_km = serializers.SerializerMethodField()
    distance_mi = serializers.SerializerMethodField()
    needs_met = serializers.ListField(child=serializers.CharField())
    in_service_area = serializers.BooleanField()
    open_now = serializers.BooleanField(allow_null=True)
    accepting_referrals = serializers.BooleanField(source="offer.location.accepting_referrals")
    beds_available = serializers.IntegerField(source="offer.location.beds_available", allow_null=True)
    beds_total = serializers.IntegerField(source="offer.location.beds_total", allow_null=True)
    last_verified = serializers.DateField(allow_null=True)
    stale = serializers.BooleanField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())

    def get_distance_km(self, option) -> float | None:
        return _km(option.distance_m)

    def get_distance_mi(self, option) -> float | None:
        return _mi(option.distance_m)

    def get_location(self, option) -> dict:
        location = option.offer.location
        addresses = list(location.addresses.all())
        address_serializer = AddressSerializer if option.exact else GeneralizedAddressSerializer
        return {
            "id": str(location.id),
            "name": location.name,
            "location_type": location.location_type,
            "is_confidential": location.is_confidential,
            "precision": "exact" if option.exact else "approximate",
            "latitude": option.latitude,
            "longitude": option.longitude,
            "time_zone": location.time_zone,
            "address": address_serializer(addresses[0]).data if addresses else None,
        }


class PlanOptionSerializer(serializers.Serializer):
    service_at_location_id = serializers.UUIDField(source="offer.id")
    organization = RefSerializer(source="offer.service.organization")
    service = RefSerializer(source="offer.service")
    needs_met = serializers.ListField(child=serializers.CharField())
    distance_mi = serializers.SerializerMethodField()
    in_service_area = serializers.BooleanField()

    def get_distance_mi(self, option) -> float | None:
        return _mi(option.distance_m)


class UncoveredNeedSerializer(serializers.Serializer):
    need = serializers.CharField(source="need.code")
    message = serializers.CharField()
    nearest = PlanOptionSerializer(allow_null=True)


class CoveragePlanSerializer(serializers.Serializer):
    options = PlanOptionSerializer(many=True)
    covered_needs = serializers.ListField(source="covered", child=serializers.CharField())
    uncovered = UncoveredNeedSerializer(many=True)


class SpecialistMatchSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="specialist.id")
    name = serializers.CharField(source="specialist.name")
    hsi_office = serializers.CharField(source="specialist.hsi_office")
    phone = serializers.CharField(source="specialist.phone.as_e164")
    email = serializers.CharField(source="specialist.email")
    languages = serializers.SerializerMethodField()
    on_call_24_7 = serializers.BooleanField(source="specialist.on_call_24_7")
    coverage_description = serializers.CharField(source="specialist.coverage_description")
    covers_origin = serializers.BooleanField()

    def get_languages(self, match) -> list[str]:
        return [language.code for language in match.specialist.languages.all()]


class OriginSerializer(serializers.Serializer):
    lat = serializers.FloatField(source="latitude")
    lon = serializers.FloatField(source="longitude")
    label = serializers.CharField(source="address")
    source = serializers.SerializerMethodField()

    def get_source(self, origin) -> str:
        return origin.raw["source"]


class MatchResultSerializer(serializers.Serializer):
    origin = OriginSerializer()
    radius_mi = serializers.SerializerMethodField()
    needs = serializers.SerializerMethodField()
    results = MatchOptionSerializer(source="options", many=True)
    coverage_plan = CoveragePlanSerializer()
    specialists = SpecialistMatchSerializer(many=True)

    def get_radius_mi(self, result) -> float:
        return round(m_to_mi(result.request.radius_m), 2)

    def get_needs(self, result) -> list[str]:
        return list(result.request.needs)

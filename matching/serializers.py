"""Input validation for a match request (API query string, JSON body and the `match` command) and the
output representation of a match result."""

import math
import uuid

from django.conf import settings
from rest_framework import serializers

from geo.units import km_to_m, m_to_km, m_to_mi, miles_to_m
from matching import search
from matching.results import MatchRequest
from matching.taxonomy import vocabulary
from providers import accessibility, selectors
from providers.eligibility import CITIZENSHIP_REQUEST, GENDER_REQUEST, TRAFFICKING_REQUEST
from providers.fields import MAX_CODES, split_codes
from providers.models import Organization, Service
from providers.translations import ENGLISH, reader_language

MAX_NEEDS = 10
MAX_LIMIT = 100


class QueryBooleanField(serializers.BooleanField):
    """A boolean whose absence from a query string means its default, not False (DRF's form rule)."""

    default_empty_html = serializers.empty


class CodesField(serializers.ListField):
    """A list of codes, repeated or comma-separated or both (providers.fields.split_codes: one reading for
    queries and bodies), each checked by the child field, at most MAX_CODES."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_CODES)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str | list):
            data = split_codes(data)
        return super().to_internal_value(data)


class KeywordsField(serializers.CharField):
    """Words for keyword search, cleaned by matching.search.clean_query ('' when blank; a 400 naming the field when
    too long or only common words)."""

    def __init__(self, **kwargs):
        kwargs.update(required=False, allow_blank=True, default="")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return search.clean_query(super().to_internal_value(data))
        except search.SearchQueryError as exc:
            raise serializers.ValidationError(str(exc)) from None


class MatchInputSerializer(serializers.Serializer):
    near = serializers.CharField(max_length=300, help_text="ZIP code, 'City, ST', address or 'lat,lon'.")
    needs = CodesField(
        child=serializers.CharField(max_length=64), required=False, default=list,
        help_text=f"1 to {MAX_NEEDS} need codes (/api/taxonomy/), repeated or comma-separated; may be left out when "
        "`q` gives words (then every need, and no coverage plan).",
    )  # fmt: skip
    language = CodesField(
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
    accessibility = CodesField(
        child=serializers.CharField(max_length=32), required=False, default=list,
        help_text="Accessibility feature codes (/api/accessibility/): only sites offering every one.",
    )  # fmt: skip
    limit = serializers.IntegerField(default=20, min_value=1, max_value=MAX_LIMIT)
    q = KeywordsField(
        help_text="Words (names, descriptions, needs in English or Spanish, languages, city): only offers they "
        "find, ranked up by relevance, with what matched in `reasons`. Blank is ignored; only common words is a 400."
    )

    def validate_needs(self, value):
        codes = value
        if len(codes) > MAX_NEEDS:
            raise serializers.ValidationError(f"At most {MAX_NEEDS} needs per request.")
        known = vocabulary().terms
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(f"Unknown need codes: {', '.join(unknown)}.")
        return codes

    def validate_language(self, value):
        codes = value
        known = vocabulary().language_names
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(f"Unknown language codes: {', '.join(unknown)} (use ISO 639-1).")
        return codes

    def validate_accessibility(self, value):
        return accessibility.checked(value)

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
        if not data["needs"] and not data["q"]:
            raise serializers.ValidationError({"needs": "Give at least one need code (or words in q)."})
        if data["language_required"] and not data["language"]:
            raise serializers.ValidationError({"language_required": "language_required needs a language."})
        data["radius_m"] = radius_m
        return data

    def to_request(self) -> MatchRequest:
        data = self.validated_data
        return MatchRequest(
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
            accessibility=tuple(data["accessibility"]),
            limit=data["limit"],
            keywords=data["q"],
        )


# --- output ----------------------------------------------------------------------------------------------
#
# A match response is built by match_result_data() from plain values (it is on the hotline's critical
# path; DRF field machinery cost more than all the SQL). The serializer classes below only describe the
# same shape for the OpenAPI schema; tests/matching checks the two agree.


def _km(distance_m):
    return None if distance_m is None else round(m_to_km(distance_m), 2)


def _mi(distance_m):
    return None if distance_m is None else round(m_to_mi(distance_m), 2)


def _ref(id_, name) -> dict:
    return {"id": str(id_), "name": name}


def _option_data(option) -> dict:
    view, facts = option.view, option.facts
    return {
        "service_at_location_id": str(facts.offer_id),
        "organization": _ref(view.organization_id, view.organization_name),
        "service": _ref(view.service_id, view.service_name),
        "location": {
            "id": str(view.location_id),
            "name": view.location_name,
            "location_type": facts.location_type,
            "is_confidential": facts.is_confidential,
            "precision": option.site.precision,
            "latitude": option.latitude,
            "longitude": option.longitude,
            "time_zone": facts.time_zone,
            "address": view.address,
        },
        "phone": view.phone,
        "distance_km": _km(option.distance_m),
        "distance_mi": _mi(option.distance_m),
        "needs_met": list(option.needs_met),
        "languages": sorted(facts.languages),
        "in_service_area": option.in_service_area,
        "open_now": option.open_now,
        "accepting_referrals": facts.accepting_referrals,
        "beds_available": facts.beds_available,
        "beds_total": facts.beds_total,
        "last_verified": facts.last_verified_on.isoformat() if facts.last_verified_on else None,
        "stale": option.stale,
        "score": option.score,
        "reasons": list(option.reasons),
    }


def _plan_option_data(option) -> dict:
    return {
        "service_at_location_id": str(option.facts.offer_id),
        "organization": _ref(option.view.organization_id, option.view.organization_name),
        "service": _ref(option.view.service_id, option.view.service_name),
        "needs_met": list(option.needs_met),
        "distance_mi": _mi(option.distance_m),
        "in_service_area": option.in_service_area,
    }


def _names_in_reader_language(data: dict) -> dict:
    """The organizations' and services' names in the reader's language (providers.translations): the cards keep the
    English ones, so a Spanish reader's page of results reads its names' Spanish forms, two statements."""
    if reader_language() == ENGLISH:
        return data
    plan = data["coverage_plan"]
    options = [*data["results"], *plan["options"], *(item["nearest"] for item in plan["uncovered"] if item["nearest"])]
    for key, model in (("organization", Organization), ("service", Service)):
        names = selectors.names_in_language(model, (option[key]["id"] for option in options))
        for option in options:
            option[key]["name"] = names.get(uuid.UUID(option[key]["id"]), option[key]["name"])
    return data


def match_result_data(result) -> dict:
    """Return the JSON-ready response for a MatchResult (the shape MatchResultSerializer documents)."""
    return _names_in_reader_language(_match_result_data(result))


def _match_result_data(result) -> dict:
    plan = result.coverage_plan
    return {
        "origin": {
            "lat": result.origin.latitude,
            "lon": result.origin.longitude,
            "label": result.origin.address,
            "source": result.origin.raw["source"],
        },
        "radius_mi": round(m_to_mi(result.request.radius_m), 2),
        "needs": list(result.request.needs),
        "results": [_option_data(option) for option in result.options],
        "coverage_plan": {
            "options": [_plan_option_data(option) for option in plan.options],
            "covered_needs": list(plan.covered),
            "uncovered": [
                {
                    "need": item.need.code,
                    "message": item.message,
                    "nearest": _plan_option_data(item.nearest) if item.nearest else None,
                }
                for item in plan.uncovered
            ],
        },
        "specialists": [
            {
                "id": str(found.specialist.id),
                "name": found.specialist.name,
                "hsi_office": found.specialist.hsi_office,
                "phone": found.specialist.phone.as_e164,
                "email": found.specialist.email,
                "languages": [language.code for language in found.specialist.languages.all()],
                "on_call_24_7": found.specialist.on_call_24_7,
                "coverage_description": found.specialist.coverage_description,
                "covers_origin": found.covers_origin,
            }
            for found in result.specialists
        ],
    }


class RefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class MatchPhoneSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="E.164")
    display = serializers.CharField(help_text='As people dial it, e.g. "(281) 555-0107 ext. 12"')
    extension = serializers.CharField()
    type = serializers.CharField()
    is_front_door = serializers.BooleanField()


class MatchAddressSerializer(serializers.Serializer):
    address_type = serializers.CharField()
    attention = serializers.CharField(required=False, help_text="Exact addresses only.")
    address_1 = serializers.CharField(required=False, help_text="Exact addresses only.")
    address_2 = serializers.CharField(required=False, help_text="Exact addresses only.")
    city = serializers.CharField()
    region = serializers.CharField(required=False)
    state_province = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()


class MatchLocationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    location_type = serializers.CharField()
    is_confidential = serializers.BooleanField()
    precision = serializers.ChoiceField(choices=["exact", "approximate"])
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    time_zone = serializers.CharField()
    address = MatchAddressSerializer(allow_null=True)


class MatchOptionSerializer(serializers.Serializer):
    service_at_location_id = serializers.UUIDField()
    organization = RefSerializer()
    service = RefSerializer()
    location = MatchLocationSerializer()
    phone = MatchPhoneSerializer(allow_null=True)
    distance_km = serializers.FloatField(allow_null=True)
    distance_mi = serializers.FloatField(allow_null=True)
    needs_met = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField(), help_text="ISO 639-1 codes spoken.")
    in_service_area = serializers.BooleanField()
    open_now = serializers.BooleanField(allow_null=True)
    accepting_referrals = serializers.BooleanField()
    beds_available = serializers.IntegerField(allow_null=True)
    beds_total = serializers.IntegerField(allow_null=True)
    last_verified = serializers.DateField(allow_null=True)
    stale = serializers.BooleanField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class PlanOptionSerializer(serializers.Serializer):
    service_at_location_id = serializers.UUIDField()
    organization = RefSerializer()
    service = RefSerializer()
    needs_met = serializers.ListField(child=serializers.CharField())
    distance_mi = serializers.FloatField(allow_null=True)
    in_service_area = serializers.BooleanField()


class UncoveredNeedSerializer(serializers.Serializer):
    need = serializers.CharField()
    message = serializers.CharField()
    nearest = PlanOptionSerializer(allow_null=True)


class CoveragePlanSerializer(serializers.Serializer):
    options = PlanOptionSerializer(many=True)
    covered_needs = serializers.ListField(child=serializers.CharField())
    uncovered = UncoveredNeedSerializer(many=True)


class SpecialistMatchSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    hsi_office = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    on_call_24_7 = serializers.BooleanField()
    coverage_description = serializers.CharField()
    covers_origin = serializers.BooleanField()


class OriginSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    label = serializers.CharField()
    source = serializers.CharField()


class MatchResultSerializer(serializers.Serializer):
    origin = OriginSerializer()
    radius_mi = serializers.FloatField()
    needs = serializers.ListField(child=serializers.CharField())
    results = MatchOptionSerializer(many=True)
    coverage_plan = CoveragePlanSerializer()
    specialists = SpecialistMatchSerializer(many=True, help_text="Empty for callers who are not signed in.")

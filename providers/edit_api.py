"""Provider self-service edits of listing records (PATCH), the one-call bed update, opening hours, and
re-verification. Operational fields apply at once (200), trust fields become a change request (202);
providers.editing says which is which, providers.permissions who may edit."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from geo.fips import USPS_TO_NAME
from providers import accessibility, safe_texts, selectors, services
from providers.editing import ADDRESS_FIELDS, M2M_FIELDS, RECORD_KINDS, organization_id_of, to_json
from providers.fields import ClockTimeField, CodeRelatedField
from providers.models import Language, Location, NeedTerm, Organization, Phone, Population, RecordType, Service
from providers.permissions import is_moderator, may_edit_listing, may_see_history, may_verify_listing
from providers.translations import original_of, spanish_fields, spanish_text

# --- input -----------------------------------------------------------------------------------------------


def _fields(record_type: str) -> list[str]:
    kind = RECORD_KINDS[record_type]
    return [f for f in (*kind.operational, *kind.trust) if not f.startswith("address.") and not original_of(f)]


class SpanishTextField(serializers.CharField):
    """A text's Spanish form (`<field>_es`), read from the record's `i18n` ('' when none)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, **kwargs)

    def get_attribute(self, instance):
        if isinstance(instance, dict) and self.field_name in instance:  # an entry (HoursException.as_entry)
            return instance[self.field_name] or ""
        return spanish_text(instance, original_of(self.field_name))


class SpanishTextsMixin:
    """The Spanish forms of a record's texts (`description_es`, ...), checked as their English fields are, "" to
    remove one. ModelSerializer would take them for read-only properties: they live in the record's `i18n`."""

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        for name in spanish_fields(model):
            english = model._meta.get_field(original_of(name))
            fields[name] = SpanishTextField(
                max_length=english.max_length, help_text=f"{english.name} in Spanish; empty removes it."
            )
        return fields


class OrganizationEditSerializer(SpanishTextsMixin, serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = _fields(RecordType.ORGANIZATION)


class ServiceEditSerializer(SpanishTextsMixin, serializers.ModelSerializer):
    needs = CodeRelatedField(many=True, queryset=NeedTerm.objects.all())
    populations = CodeRelatedField(many=True, queryset=Population.objects.all())
    languages = CodeRelatedField(many=True, queryset=Language.objects.all())

    class Meta:
        model = Service
        fields = _fields(RecordType.SERVICE)


class AddressEditSerializer(serializers.Serializer):
    attention = serializers.CharField(max_length=255, required=False, allow_blank=True)
    address_1 = serializers.CharField(max_length=255, required=False)
    address_2 = serializers.CharField(max_length=255, required=False, allow_blank=True)
    city = serializers.CharField(max_length=120, required=False)
    region = serializers.CharField(max_length=120, required=False, allow_blank=True)
    state_province = serializers.ChoiceField(choices=sorted(USPS_TO_NAME), required=False, help_text="USPS code.")
    postal_code = serializers.RegexField(r"^\d{5}(-\d{4})?$", required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({field: ["This field cannot be edited here."] for field in unknown})
        return super().to_internal_value(data)


class FeatureCodesField(serializers.ListField):
    """Codes, each once, the count checked before each code (a list of thousands is one error, not thousands)."""

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return sorted(set(super().to_internal_value(data)))


class LocationEditSerializer(SpanishTextsMixin, serializers.ModelSerializer):
    address = AddressEditSerializer(required=False, help_text="The location's primary address (trust fields).")
    accessibility = FeatureCodesField(
        child=serializers.ChoiceField(choices=accessibility.Feature.choices), required=False,
        max_length=len(accessibility.CODES), help_text="Accessibility feature codes (/api/accessibility/), every one.",
    )  # fmt: skip

    class Meta:
        model = Location
        fields = [*_fields(RecordType.LOCATION), "address"]


class PhoneEditSerializer(serializers.ModelSerializer):
    number = PhoneNumberField(required=False)

    class Meta:
        model = Phone
        fields = _fields(RecordType.PHONE)


class CapacitySerializer(serializers.Serializer):
    beds_available = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    accepting_referrals = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give beds_available and/or accepting_referrals.")
        return attrs


class SchedulePeriodSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="ISO weekday, 1 = Monday.")
    opens_at = ClockTimeField()
    closes_at = ClockTimeField(help_text="At or before opens_at: the period ends the next day.")
    description = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    description_es = SpanishTextField(max_length=255, default="", help_text="The description in Spanish.")


class HoursExceptionEditSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="The last day it applies; the same as starts_on for one day.")
    closed = serializers.BooleanField(default=True)
    opens_at = ClockTimeField(required=False, allow_null=True, default=None, help_text="The hours kept instead.")
    closes_at = ClockTimeField(required=False, allow_null=True, default=None, help_text="At or before opens_at: the "
                               "next day.")  # fmt: skip
    note = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    note_es = SpanishTextField(max_length=255, default="", help_text="The note in Spanish.")
    service_id = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="One service's dates at the site; empty: the site's."
    )

    def to_internal_value(self, data):
        # A key this entry does not take (a misspelt "service") would otherwise be dropped, and a service's dates
        # become the whole site's: refused, as every edit refuses fields it cannot take.
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({field: "Not a field of a dated change." for field in unknown})
        return super().to_internal_value(data)

    def validate(self, attrs):
        hours = attrs["opens_at"] is not None, attrs["closes_at"] is not None
        if attrs["closed"] and any(hours):
            raise serializers.ValidationError({"closed": "Closed, or the hours kept (opens_at, closes_at): not both."})
        if not attrs["closed"] and not all(hours):
            name = "opens_at" if not hours[0] else "closes_at"
            raise serializers.ValidationError({name: "The hours kept on these dates (or closed: true)."})
        for name in ("starts_on", "ends_on"):
            if not 2000 <= attrs[name].year <= 2100:
                raise serializers.ValidationError({name: "A date between 2000 and 2100."})
        return attrs


# --- output ----------------------------------------------------------------------------------------------


class ChangeRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.UUIDField(source="organization_id")
    record_type = serializers.CharField()
    record_id = serializers.UUIDField()
    changes = serializers.DictField(
        help_text='{field: {"old": value, "new": value}}; "stale": true on a Spanish form removed with the English '
        "text it translated (dropped at approval if the Spanish was given again since)"
    )
    status = serializers.CharField()
    conflicting = serializers.BooleanField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    created_at = serializers.DateTimeField()
    reviewed_by = serializers.CharField(source="reviewed_by.username", allow_null=True, default=None)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_reason = serializers.CharField()


class EditResultSerializer(serializers.Serializer):
    applied = serializers.DictField(help_text="Operational fields changed now, with their new values.")
    change_request = ChangeRequestSerializer(allow_null=True, help_text="Trust fields waiting for review.")


class ListingChangeSerializer(serializers.Serializer):
    record_type = serializers.CharField()
    record_id = serializers.UUIDField()
    field = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()
    source = serializers.CharField()
    change_request = serializers.IntegerField(source="change_request_id", allow_null=True)
    changed_by = serializers.CharField(source="changed_by.username", allow_null=True, default=None)
    changed_at = serializers.DateTimeField()


class CapacityResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "beds_total", "beds_available", "accepting_referrals", "capacity_updated_at"]


class VerifyResultSerializer(serializers.Serializer):
    verified_services = serializers.IntegerField()
    last_verified_on = serializers.DateField()


# --- views -----------------------------------------------------------------------------------------------


def json_values(validated: dict) -> dict:
    """Return validated edit input in the JSON form of providers.editing ("address.<field>" for the address)."""
    values = {}
    for field, value in validated.items():
        if field == "address":
            values.update({f"address.{name}": part for name, part in value.items() if name in ADDRESS_FIELDS})
        elif field in M2M_FIELDS:
            values[field] = sorted(item.code for item in value)
        else:
            values[field] = to_json(value)
    return values


def editable_record(request, model, pk):
    """Return the record if the caller may edit it: 401 for anonymous callers, 403 for anyone but its staff."""
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    record = get_object_or_404(model, pk=pk)
    if not may_edit_listing(request.user, organization_id_of(record)):
        raise exceptions.PermissionDenied("Only staff of the organization that owns this listing may edit it.")
    return record


def validated(serializer_class, request, **kwargs) -> dict:
    """Validate edit input, refusing fields that cannot be edited (rather than silently ignoring them)."""
    form = serializer_class(data=request.data, **kwargs)
    if hasattr(request.data, "keys"):
        unknown = sorted(set(request.data.keys()) - set(form.fields))
        if unknown:
            raise exceptions.ValidationError({field: ["This field cannot be edited here."] for field in unknown})
    form.is_valid(raise_exception=True)
    if not form.validated_data:
        raise exceptions.ValidationError({"detail": ["Nothing to change: give at least one field."]})
    return form.validated_data


def edit(request, model, serializer_class, pk) -> Response:
    """Apply a PATCH to one listing record: 200 when all of it applied, 202 when trust fields await review."""
    record = editable_record(request, model, pk)
    values = json_values(validated(serializer_class, request, partial=True))
    result = services.listing_edit(user=request.user, instance=record, values=values)
    data = EditResultSerializer(result).data
    return Response(data, status=status.HTTP_202_ACCEPTED if result.change_request else status.HTTP_200_OK)


EDIT_DESCRIPTION = (
    "Provider staff of the owning organization only. Operational fields ({operational}) apply at once: 200 "
    "with the new values. Other fields become a change request for a moderator: 202 with the request."
)


def edit_schema(record_type: str, serializer):
    kind = RECORD_KINDS[record_type]
    return extend_schema(
        summary=f"Edit a {record_type} (provider staff)",
        description=EDIT_DESCRIPTION.format(operational=", ".join(kind.operational) or "none"),
        request=serializer,
        responses={200: EditResultSerializer, 202: EditResultSerializer},
    )


class OrganizationEditMixin:
    @edit_schema(RecordType.ORGANIZATION, OrganizationEditSerializer)
    def partial_update(self, request, pk=None):
        return edit(request, Organization, OrganizationEditSerializer, pk)

    @extend_schema(
        summary="The listing's change history (own staff, moderators)", responses=ListingChangeSerializer(many=True)
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, pk=None):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        organization = get_object_or_404(Organization, pk=pk)
        if not may_see_history(request.user, organization.pk):
            raise exceptions.PermissionDenied("Only the organization's staff and moderators see its history.")
        page = self.paginate_queryset(selectors.listing_history(organization=organization))
        return self.get_paginated_response(ListingChangeSerializer(page, many=True).data)

    @extend_schema(
        summary="Confirm every service of the organization as current (own staff, moderators)",
        request=None,
        responses=VerifyResultSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def verify(self, request, pk=None):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        organization = get_object_or_404(Organization, pk=pk)
        if not may_verify_listing(request.user, organization.pk):
            raise exceptions.PermissionDenied("Only the organization's staff and moderators may verify it.")
        count = services.organization_verify(user=request.user, organization=organization)
        today = Service.objects.filter(organization=organization).values_list("last_verified_on", flat=True).first()
        return Response(VerifyResultSerializer({"verified_services": count, "last_verified_on": today}).data)


class ServiceEditMixin:
    @edit_schema(RecordType.SERVICE, ServiceEditSerializer)
    def partial_update(self, request, pk=None):
        return edit(request, Service, ServiceEditSerializer, pk)


class LocationEditMixin:
    @edit_schema(RecordType.LOCATION, LocationEditSerializer)
    def partial_update(self, request, pk=None):
        return edit(request, Location, LocationEditSerializer, pk)

    @extend_schema(
        summary="Update beds and referral intake in one call (provider staff)",
        request=CapacitySerializer,
        responses=CapacityResultSerializer,
    )
    @action(detail=True, methods=["patch"], filter_backends=[], pagination_class=None)
    def capacity(self, request, pk=None):
        record = editable_record(request, Location, pk)
        values = validated(CapacitySerializer, request)
        # A bed update confirms capacity even when nothing changed ("still 2 beds" is news to a hotline).
        services.listing_edit(user=request.user, instance=record, values=values, confirm_capacity=True)
        record.refresh_from_db()
        return Response(CapacityResultSerializer(record).data)

    @extend_schema(
        summary="Replace the location's opening hours (provider staff; applied at once)",
        request=SchedulePeriodSerializer(many=True, max_length=services.MAX_SCHEDULE_PERIODS),
        responses=SchedulePeriodSerializer(many=True),
    )
    @action(detail=True, methods=["put"], filter_backends=[], pagination_class=None)
    def schedules(self, request, pk=None):
        record = editable_record(request, Location, pk)
        form = SchedulePeriodSerializer(data=request.data, many=True, max_length=services.MAX_SCHEDULE_PERIODS)
        form.is_valid(raise_exception=True)
        created = services.location_schedules_replace(user=request.user, location=record, periods=form.validated_data)
        return Response(SchedulePeriodSerializer(created, many=True).data)

    @extend_schema(
        summary="Replace the dates the location (or a service there) keeps other hours or is closed (provider staff)",
        request=HoursExceptionEditSerializer(many=True, max_length=services.MAX_HOURS_EXCEPTIONS),
        responses=HoursExceptionEditSerializer(many=True),
    )
    @action(detail=True, methods=["put"], url_path="hours-exceptions", filter_backends=[], pagination_class=None)
    def hours_exceptions(self, request, pk=None):
        record = editable_record(request, Location, pk)
        form = HoursExceptionEditSerializer(data=request.data, many=True, max_length=services.MAX_HOURS_EXCEPTIONS)
        form.is_valid(raise_exception=True)
        created = services.location_hours_exceptions_replace(
            user=request.user, location=record, exceptions=form.validated_data
        )
        return Response(HoursExceptionEditSerializer([e.as_entry() for e in created], many=True).data)


class SiteTextSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="Which record's field, e.g. location.transportation, schedule:<id>.description."
    )
    text = serializers.CharField()
    sha256 = serializers.CharField()
    safe = serializers.BooleanField(help_text="A moderator marked it as not placing the site.")
    withheld = serializers.BooleanField(help_text="Those who may not see the site exactly do not see it.")


def _digests():
    return serializers.ListField(
        child=serializers.RegexField(r"^[0-9a-f]{64}$", max_length=64), required=False, default=list, max_length=500
    )


class SiteTextMarksSerializer(serializers.Serializer):
    safe = _digests()
    unsafe = _digests()


class LocationTextsMixin:
    @extend_schema(
        summary="A confidential site's free texts and their safe marks (moderators)",
        methods=["GET"],
        responses=SiteTextSerializer(many=True),
    )
    @extend_schema(
        summary="Mark texts shown with a site safe or not, by digest (moderators)",
        methods=["POST"],
        request=SiteTextMarksSerializer,
        responses=SiteTextSerializer(many=True),
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def texts(self, request, pk=None):
        """What the disclosure policy withholds of a site (docs/privacy.md) and a moderator's safe marks."""
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if not is_moderator(request.user):
            raise exceptions.PermissionDenied("Only moderators review a site's texts.")
        location = get_object_or_404(
            Location.objects.prefetch_related(
                "addresses", "phones", "schedules", "service_at_locations__service"
            ),
            pk=pk,
        )  # fmt: skip
        if request.method == "GET":
            texts = safe_texts.location_texts(location=location)
        else:
            marks = validated(SiteTextMarksSerializer, request)
            texts = safe_texts.location_texts_mark(location=location, moderator=request.user, **marks)
        return Response(SiteTextSerializer(texts, many=True).data)


class PhoneEditMixin:
    @edit_schema(RecordType.PHONE, PhoneEditSerializer)
    def partial_update(self, request, pk=None):
        return edit(request, Phone, PhoneEditSerializer, pk)

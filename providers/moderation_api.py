"""Moderation queues and joining: change requests, applications, invitations and suggestions.

Anonymous endpoints (apply, suggest, accept an invitation) are rate-limited per client address.
"""

import django_filters
import zipcodes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.throttles import ScopedThrottle
from geo.fips import USPS_TO_NAME
from providers import services
from providers.edit_api import AddressEditSerializer, ChangeRequestSerializer
from providers.fields import CodeRelatedField
from providers.models import (
    Application,
    ChangeRequest,
    Invitation,
    Language,
    LocationType,
    NeedTerm,
    Organization,
    Population,
    RecordType,
    Suggestion,
    validate_time_zone,
)
from providers.permissions import IsModerator, change_requests_visible_q, is_moderator

ALREADY_REVIEWED = OpenApiResponse(description="Already reviewed.")


def received_serializer(name: str):
    return inline_serializer(name, {"id": serializers.IntegerField(), "status": serializers.CharField()})


def already_reviewed() -> Response:
    return Response({"detail": "This was already reviewed."}, status=status.HTTP_409_CONFLICT)


class ReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


# --- change requests -------------------------------------------------------------------------------------


class ChangeRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ChangeRequest.Status.choices)
    organization = django_filters.UUIDFilter(field_name="organization_id")

    class Meta:
        model = ChangeRequest
        fields = []


class ChangeRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Moderators see every change request; provider staff see their organization's."""

    serializer_class = ChangeRequestSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ChangeRequestFilter

    def get_queryset(self):
        return (
            ChangeRequest.objects.filter(change_requests_visible_q(self.request.user))
            .select_related("submitted_by", "reviewed_by")
            .order_by("created_at", "id")
        )

    def _moderated(self):
        if not is_moderator(self.request.user):
            raise exceptions.PermissionDenied("Only moderators review change requests.")
        return self.get_object()

    @extend_schema(
        summary="Approve: apply every field at once (moderators)",
        request=ReviewSerializer,
        responses={
            200: ChangeRequestSerializer,
            409: OpenApiResponse(description="Already reviewed, or the record changed meanwhile (`conflicts`)."),
        },
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        change_request = self._moderated()
        form = ReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            change_request, conflicts = services.change_request_approve(
                change_request=change_request, moderator=request.user, reason=form.validated_data["reason"]
            )
        except services.ChangeRequestNotPending:
            return already_reviewed()
        if conflicts:
            return Response(
                {
                    "detail": "The record changed since this request was made; nothing was applied.",
                    "conflicts": conflicts,
                    "change_request": ChangeRequestSerializer(change_request).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(ChangeRequestSerializer(change_request).data)

    @extend_schema(
        summary="Reject with a reason (moderators)",
        request=ReviewSerializer,
        responses={200: ChangeRequestSerializer, 409: ALREADY_REVIEWED},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        change_request = self._moderated()
        form = ReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            change_request = services.change_request_reject(
                change_request=change_request, moderator=request.user, reason=form.validated_data["reason"]
            )
        except services.ChangeRequestNotPending:
            return already_reviewed()
        return Response(ChangeRequestSerializer(change_request).data)


# --- applications ----------------------------------------------------------------------------------------


class ApplicationOrganizationSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    alternate_name = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    description = serializers.CharField(max_length=5000)
    email = serializers.EmailField(required=False, default="", allow_blank=True, help_text="For referral emails.")
    website = serializers.URLField(required=False, default="", allow_blank=True)


class ApplicationAddressSerializer(AddressEditSerializer):
    address_1 = serializers.CharField(max_length=255)
    city = serializers.CharField(max_length=120)
    state_province = serializers.ChoiceField(choices=sorted(USPS_TO_NAME), help_text="USPS code.")
    postal_code = serializers.RegexField(r"^\d{5}(-\d{4})?$")


class ApplicationLocationSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    location_type = serializers.ChoiceField(choices=LocationType.choices, default=LocationType.PHYSICAL)
    is_confidential = serializers.BooleanField(default=False, help_text="A shelter or safe house.")
    time_zone = serializers.CharField(max_length=64, required=False, help_text="IANA; default: from the ZIP code.")
    address = ApplicationAddressSerializer()

    def validate(self, attrs):
        if "time_zone" not in attrs:
            found = zipcodes.matching(attrs["address"]["postal_code"][:5])
            attrs["time_zone"] = found[0]["timezone"] if found and found[0].get("timezone") else "America/New_York"
        try:
            validate_time_zone(attrs["time_zone"])
        except Exception as exc:
            raise serializers.ValidationError({"time_zone": list(getattr(exc, "messages", [str(exc)]))}) from None
        return attrs


class ApplicationServiceSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    needs = CodeRelatedField(many=True, queryset=NeedTerm.objects.all())
    populations = CodeRelatedField(many=True, queryset=Population.objects.all(), required=False, default=list)
    languages = CodeRelatedField(many=True, queryset=Language.objects.all(), required=False, default=list)
    minimum_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True, default=None)
    maximum_age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True, default=None)
    eligibility_description = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if not attrs["needs"]:
            raise serializers.ValidationError({"needs": "Name at least one need this service meets."})
        low, high = attrs["minimum_age"], attrs["maximum_age"]
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"maximum_age": "Must not be below minimum_age."})
        return attrs


class ApplicationSerializer(serializers.Serializer):
    contact_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField(help_text="Receives the invitation to manage the listing if approved.")
    organization = ApplicationOrganizationSerializer()
    locations = ApplicationLocationSerializer(many=True, min_length=1, max_length=20)
    services = ApplicationServiceSerializer(many=True, min_length=1, max_length=20)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        for service in values["services"]:
            for field in ("needs", "populations", "languages"):
                service[field] = sorted(item.code for item in service[field])
        return values


class ApplicationReadSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.CharField(source="reviewed_by.username", allow_null=True, default=None)

    class Meta:
        model = Application
        fields = [
            "id", "organization_name", "contact_name", "contact_email", "details", "status", "created_at",
            "reviewed_by", "reviewed_at", "review_reason", "organization",
        ]  # fmt: skip


class ApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Anyone may apply (rate-limited); moderators see the queue and approve or reject."""

    queryset = Application.objects.select_related("reviewed_by")
    serializer_class = ApplicationReadSerializer
    filterset_fields = ["status"]
    throttle_scope = "applications"

    def get_permissions(self):
        return [permissions.AllowAny()] if self.action == "create" else [IsModerator()]

    def get_throttles(self):
        return [ScopedThrottle()] if self.action == "create" else []

    @extend_schema(
        summary="Apply to be listed (anyone; rate-limited)",
        request=ApplicationSerializer,
        responses={201: received_serializer("ApplicationReceived")},
    )
    def create(self, request):
        form = ApplicationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        application = services.application_submit(details=form.validated_data)
        return Response({"id": application.pk, "status": application.status}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve: create the organization and its listings, invite its contact (moderators)",
        request=None,
        responses={200: ApplicationReadSerializer, 409: ALREADY_REVIEWED},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        try:
            application, _, _ = services.application_approve(application=self.get_object(), moderator=request.user)
        except services.ChangeRequestNotPending:
            return already_reviewed()
        return Response(ApplicationReadSerializer(application).data)

    @extend_schema(
        summary="Reject with a reason (moderators)",
        request=ReviewSerializer,
        responses={200: ApplicationReadSerializer, 409: ALREADY_REVIEWED},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        form = ReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            application = services.application_reject(
                application=self.get_object(), moderator=request.user, reason=form.validated_data["reason"]
            )
        except services.ChangeRequestNotPending:
            return already_reviewed()
        return Response(ApplicationReadSerializer(application).data)


# --- invitations -----------------------------------------------------------------------------------------


class InvitationCreateSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    email = serializers.EmailField()


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "organization", "email", "created_at", "expires_at", "accepted_at"]


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", help_text="Letters, digits and @.+-_ only.")
    password = serializers.CharField(max_length=200, style={"input_type": "password"}, write_only=True)


class InvitationViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Moderators invite someone to manage an organization; the emailed token works once, until it expires."""

    queryset = Invitation.objects.all()
    serializer_class = InvitationSerializer
    throttle_scope = "invitations"

    def get_permissions(self):
        return [permissions.AllowAny()] if self.action == "accept" else [IsModerator()]

    def get_throttles(self):
        return [ScopedThrottle()] if self.action == "accept" else []

    @extend_schema(summary="Invite an email address to manage an organization (moderators)",
                   request=InvitationCreateSerializer, responses={201: InvitationSerializer})  # fmt: skip
    def create(self, request):
        form = InvitationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        invitation, _ = services.invitation_create(created_by=request.user, **form.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept an invitation: choose a username and password (anyone with the token; rate-limited)",
        request=InvitationAcceptSerializer,
        responses={201: inline_serializer("InvitationAccepted", {"username": serializers.CharField(),
                                                                 "organization": serializers.UUIDField()})},
    )  # fmt: skip
    @action(detail=False, methods=["post"])
    def accept(self, request):
        form = InvitationAcceptSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = services.invitation_accept(**form.validated_data)
        return Response({"username": user.username, "organization": user.organization_id}, status=201)


# --- suggestions -----------------------------------------------------------------------------------------


class SuggestionCreateSerializer(serializers.Serializer):
    record_type = serializers.ChoiceField(choices=RecordType.choices)
    record_id = serializers.UUIDField()
    message = serializers.CharField(max_length=2000, help_text="What is wrong (no personal details, please).")
    reporter_email = serializers.EmailField(required=False, default="", allow_blank=True)


class SuggestionSerializer(serializers.ModelSerializer):
    resolved_by = serializers.CharField(source="resolved_by.username", allow_null=True, default=None)

    class Meta:
        model = Suggestion
        fields = [
            "id", "organization", "record_type", "record_id", "message", "reporter_email", "status", "created_at",
            "resolved_by", "resolved_at", "resolution_note",
        ]  # fmt: skip


class SuggestionResolveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[Suggestion.Status.RESOLVED, Suggestion.Status.DISMISSED])
    note = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class SuggestionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Suggestion.Status.choices)

    class Meta:
        model = Suggestion
        fields = []


class SuggestionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Anyone may report a wrong listing (rate-limited); moderators work the queue."""

    queryset = Suggestion.objects.select_related("resolved_by")
    serializer_class = SuggestionSerializer
    filterset_class = SuggestionFilter
    throttle_scope = "suggestions"

    def get_permissions(self):
        return [permissions.AllowAny()] if self.action == "create" else [IsModerator()]

    def get_throttles(self):
        return [ScopedThrottle()] if self.action == "create" else []

    @extend_schema(
        summary="Report that a listing is wrong (anyone; rate-limited)",
        request=SuggestionCreateSerializer,
        responses={201: received_serializer("SuggestionReceived")},
    )
    def create(self, request):
        form = SuggestionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        suggestion = services.suggestion_create(**form.validated_data)
        return Response({"id": suggestion.pk, "status": suggestion.status}, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Resolve or dismiss (moderators)", request=SuggestionResolveSerializer,
                   responses={200: SuggestionSerializer, 409: ALREADY_REVIEWED})  # fmt: skip
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        form = SuggestionResolveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            suggestion = services.suggestion_resolve(
                suggestion=self.get_object(), moderator=request.user, **form.validated_data
            )
        except services.ChangeRequestNotPending:
            return already_reviewed()
        return Response(SuggestionSerializer(suggestion).data)

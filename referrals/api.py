"""Referral API: thin views over referrals.selectors (who sees what) and referrals.services (changes)."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import HEADER as IDEMPOTENCY_HEADER
from core.idempotency import idempotency_key, request_fingerprint
from referrals import reports, selectors, services
from referrals.actions import ACTIONS, referral_take_action
from referrals.models import ReferralAccess, Status
from referrals.permissions import CanReadReports, CanSendReferrals
from referrals.serializers import (
    ReferralCreateSerializer,
    ReferralDetailSerializer,
    ReferralEventSerializer,
    ReferralListSerializer,
    ReferralReportSerializer,
    ReportQuerySerializer,
)

CONFLICT = OpenApiResponse(
    inline_serializer(
        "TransitionConflict",
        {"detail": serializers.CharField(), "status": serializers.CharField(), "allowed": serializers.ListField()},
    ),
    description="The referral's status does not allow this action; `allowed` lists the actions it does allow.",
)


def action_schema(summary: str, request):
    """Return the schema of a lifecycle action: its input, the referral after it, or 409."""
    return extend_schema(summary=summary, request=request, responses={200: ReferralDetailSerializer, 409: CONFLICT})


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, help_text="Repeatable.")
    direction = django_filters.ChoiceFilter(
        choices=[("sent", "sent"), ("received", "received")], method="filter_direction"
    )

    def filter_direction(self, queryset, name, value):
        return queryset.filter(selectors.referral_direction_q(user=self.request.user, direction=value))


class ReferralViewSet(viewsets.GenericViewSet):
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]{1,20}"
    filterset_class = ReferralFilter
    serializer_class = ReferralDetailSerializer

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated(), CanSendReferrals()]
        if self.action == "list":
            return [permissions.IsAuthenticated()]
        # Detail routes: whoever may not see the referral gets 404 from the selector, anonymous callers too,
        # so a code cannot be told apart from a code that does not exist.
        return [permissions.AllowAny()]

    def get_queryset(self):
        return selectors.referral_list(user=self.request.user)

    def get_object(self):
        return selectors.referral_get(user=self.request.user, code=self.kwargs["code"])

    def _detail(self, referral, *, status_code=status.HTTP_200_OK, headers=None) -> Response:
        """Answer with a referral's details, recording the read in the access log."""
        referral = selectors.referral_get(user=self.request.user, code=referral.code)
        services.referral_access_record(referral=referral, user=self.request.user, action=ReferralAccess.Action.VIEW)
        data = ReferralDetailSerializer(referral, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers=headers)

    @extend_schema(
        summary="Referrals you sent and those your organization received", responses=ReferralListSerializer(many=True)
    )
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            ReferralListSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Send a referral",
        description=(
            "Requires an `Idempotency-Key` header: repeating a request with the same key and body returns the "
            "same referral (header `Idempotent-Replayed: true`), never a duplicate. Client contact requires consent."
        ),
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, location=OpenApiParameter.HEADER, required=True)],
        request=ReferralCreateSerializer,
        responses={201: ReferralDetailSerializer, 422: OpenApiResponse(description="Key reused with another body.")},
    )
    def create(self, request):
        key = idempotency_key(request)
        if key is None:
            return Response(
                {IDEMPOTENCY_HEADER: ["Send a unique key (1-255 characters) per referral, e.g. a UUID."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            referral, created = services.referral_create(
                sender=request.user,
                idempotency_key=key,
                request_hash=request_fingerprint(data.validated_data),
                **data.validated_data,
            )
        except services.IdempotencyKeyReused:
            return Response(
                {IDEMPOTENCY_HEADER: ["This key was already used for a different referral; use a new key."]},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        if created:
            # The sender's own new referral: returned, not read back, so no access record.
            data = ReferralDetailSerializer(
                selectors.referral_get(user=request.user, code=referral.code), context=self.get_serializer_context()
            ).data
            return Response(data, status=status.HTTP_201_CREATED)
        # A replay answers exactly as the first request did, and is a read of the details.
        return self._detail(referral, status_code=status.HTTP_201_CREATED, headers={"Idempotent-Replayed": "true"})

    @extend_schema(summary="One referral (each read is recorded)")
    def retrieve(self, request, code=None):
        return self._detail(self.get_object())

    @extend_schema(summary="A referral's history (each read is recorded)", responses=ReferralEventSerializer(many=True))
    @drf_action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, code=None):
        referral = self.get_object()
        services.referral_access_record(referral=referral, user=request.user, action=ReferralAccess.Action.EVENTS)
        events = selectors.referral_events(referral=referral)
        return Response(ReferralEventSerializer(events, many=True).data)

    def _act(self, name: str) -> Response:
        try:
            referral = referral_take_action(referral=self.get_object(), user=self.request.user, name=name,
                                            data=self.request.data)  # fmt: skip
        except services.TransitionNotAllowed as exc:
            return self._conflict(exc)
        return self._detail(referral)

    def _conflict(self, exc) -> Response:
        return Response(
            {"detail": str(exc), "status": exc.status, "allowed": exc.allowed}, status=status.HTTP_409_CONFLICT
        )


def _action_view(action):
    """The API's route for one lifecycle action of referrals.actions: POST /api/referrals/{code}/<name>/."""

    def take(self, request, code=None):
        return self._act(action.name)

    take.__name__ = action.name
    return action_schema(action.summary, action.input)(drf_action(detail=True, methods=["post"])(take))


for _action in ACTIONS.values():
    setattr(ReferralViewSet, _action.name, _action_view(_action))


class ReferralReportView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanReadReports]

    @extend_schema(
        summary="Aggregate referral counts (moderators)",
        description=(
            "Counts by status, need, state and month over settled months only (fixed 30 days after a month "
            "ends); cells under 5 are suppressed month by month and windows are sums of the shown months. "
            "No referral-level data."
        ),
        parameters=[ReportQuerySerializer],
        responses=ReferralReportSerializer,
    )
    def get(self, request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(reports.referral_report(**query.validated_data))

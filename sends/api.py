"""Sends API: send a list of services to a survivor, see what became of it, and the SMS provider's reports."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView
from twilio.request_validator import RequestValidator

from core.idempotency import HEADER, valid_key
from core.input import FormParser
from sends import channels, selectors, services
from sends.permissions import CanSendLists
from sends.serializers import SendCreateSerializer, SendSerializer


def create_send(user, key, data) -> tuple[int, dict, dict]:
    """The create request of the API and the web form, with the key as given: (HTTP status, body, headers). Field
    errors name the field."""
    key = valid_key(key)
    if key is None:
        return 400, {HEADER: ["Send a unique key (1-255 characters) per send, e.g. a UUID."]}, {}
    form = SendCreateSerializer(data=data)
    if not form.is_valid():
        return 400, form.errors, {}
    values = form.validated_data
    try:
        send, created = services.send_create(
            sender=user, offers=values["offers"], channel=values["channel"], address=values["to"],
            language=values["language"], safety_confirmed=values["safety_confirmed"], idempotency_key=key,
        )  # fmt: skip
    except ValidationError as exc:
        return 400, exc.message_dict, {}
    except services.IdempotencyKeyReused:
        return 422, {HEADER: ["This key was already used for a different send; use a new key."]}, {}
    except services.LimitReached as exc:
        return 429, {"detail": str(exc)}, {"Retry-After": str(max(1, math.ceil(exc.retry_after.total_seconds())))}
    body = SendSerializer(selectors.send_get(user=user, send_id=send.pk)).data
    return 201, body, {} if created else {"Idempotent-Replayed": "true"}


class SendViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SendSerializer
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated(), CanSendLists()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.send_list(user=self.request.user)

    @extend_schema(
        summary="Send a list of services to a survivor by text or email",
        description=(
            "Requires an `Idempotency-Key` header (the same key and body return the same send, header "
            "`Idempotent-Replayed: true`) and `safety_confirmed: true`. The message is the services' public view "
            "(a confidential site's city and front-door number, never its street), opens neutrally and says how to "
            "delete it. The number or address is never shown again and is erased after the last attempt. "
            "429 when the sender's hourly or the recipient's daily limit is reached."
        ),
        parameters=[OpenApiParameter(HEADER, location=OpenApiParameter.HEADER, required=True)],
        request=SendCreateSerializer,
        responses={201: SendSerializer, 422: OpenApiResponse(description="Key reused with another body."),
                   429: OpenApiResponse(description="A sending limit is reached.")},
    )  # fmt: skip
    def create(self, request):
        code, body, headers = create_send(request.user, request.headers.get(HEADER), request.data)
        return Response(body, status=code, headers=headers)

    @extend_schema(summary="Lists you sent to survivors, and what became of them")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One list you sent")
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class SmsStatusView(APIView):
    """Twilio's status callback: a signed form post per message status change (X-Twilio-Signature)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [FormParser]
    throttle_classes = []  # the signature gates it; reports dropped by a shared limit would be lost

    @extend_schema(exclude=True)
    def post(self, request):
        if not settings.TWILIO_AUTH_TOKEN:
            raise NotFound()
        params = {key: request.data.get(key) for key in request.data}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(channels.status_callback_url(), params, signature):
            raise PermissionDenied("The request's signature does not match.")
        reference, reported = str(params.get("MessageSid", "")), str(params.get("MessageStatus", ""))
        if not reference or not reported:
            return Response({"detail": "MessageSid and MessageStatus are required."}, status=400)
        known = services.send_status_report(
            provider_ref=reference, status=reported, error_code=str(params.get("ErrorCode") or "")
        )
        return Response(status=status.HTTP_204_NO_CONTENT if known else status.HTTP_404_NOT_FOUND)

"""POST /api/auth/token/: an API token for a username and password (and the authenticator code, when on)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import two_factor
from core.throttles import LoginThrottle


class TokenRequestSerializer(AuthTokenSerializer):
    username = serializers.CharField(max_length=150, write_only=True)
    otp_token = serializers.CharField(
        required=False, allow_blank=True, max_length=12, help_text="Required when two-factor authentication is on."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        device = two_factor.confirmed_device(user)
        if device is None and two_factor.is_required(user):
            raise serializers.ValidationError(
                {"otp_token": ["This account must turn on two-factor authentication (in the web app) first."]},
                code="two_factor_required",
            )
        if device is not None:
            try:
                two_factor.check_code(user, device, attrs.get("otp_token", ""), request=self.context["request"])
            except two_factor.CodeRefused as refused:
                raise serializers.ValidationError({"otp_token": [str(refused)]}, code=refused.code) from None
        return attrs


class ObtainTokenView(APIView):
    throttle_classes = []  # failed attempts are counted by LoginThrottle below, successes are not
    permission_classes = []
    authentication_classes = []

    @extend_schema(
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password, or a missing or wrong code"),
            429: OpenApiResponse(description="Too many attempts from this address, or this username locked out"),
        },
    )
    def post(self, request):
        throttle = LoginThrottle()
        if not throttle.attempt(request):
            wait = int(throttle.wait())
            return Response(
                {"detail": f"Too many failed sign-ins from this address. Try again in {wait} seconds."},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(wait)},
            )
        form = TokenRequestSerializer(data=request.data, context={"request": request})
        if not form.is_valid():
            # django-axes marks the request when this username is locked out from this address.
            if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
                return Response(
                    {"detail": "Too many failed sign-ins. Try again later."}, status=status.HTTP_429_TOO_MANY_REQUESTS
                )
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        throttle.succeeded(request)
        token, _created = Token.objects.get_or_create(user=form.validated_data["user"])
        return Response({"token": token.key})

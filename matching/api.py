"""GET and POST /api/match/: the same fields as query parameters or as a JSON body."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.geocoding import GeocodingError, geocode
from matching.engine import match
from matching.serializers import MatchInputSerializer, MatchResultSerializer, match_result_data
from providers.access import confidential_access_for_user


class MatchView(APIView):
    """Rank nearby providers for a survivor's needs, with a coverage plan and the area's specialists."""

    @extend_schema(
        summary="Match needs to nearby providers",
        parameters=[MatchInputSerializer],
        responses={200: MatchResultSerializer},
    )
    def get(self, request):
        data = request.query_params.copy()
        if "language" not in data and "languages" in data:
            data.setlist("language", data.getlist("languages"))
        return self._match(request, data)

    @extend_schema(summary="Match needs to nearby providers (JSON body)", request=MatchInputSerializer,
                   responses={200: MatchResultSerializer})  # fmt: skip
    def post(self, request):
        return self._match(request, request.data)

    def _match(self, request, data):
        serializer = MatchInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        try:
            origin = geocode(serializer.validated_data["near"])
        except GeocodingError as exc:
            body = {"near": [str(exc)]}
            if exc.candidates:
                body["candidates"] = exc.candidates
            return Response(body, status=400)
        result = match(
            request=serializer.to_request(),
            origin=origin,
            access=confidential_access_for_user(request.user),
            now=timezone.now(),
            include_specialists=request.user.is_authenticated,
        )
        return Response(match_result_data(result))

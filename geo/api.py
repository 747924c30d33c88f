"""GET /api/geocode/?q=... : turn a place into a point (the same geocoder every `near` parameter uses)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.routing import READS
from core.throttles import AnonThrottle, ScopedThrottle
from geo.geocoding import MAX_QUERY_LENGTH, GeocodingError, geocode

GeocodeResult = inline_serializer(
    "GeocodeResult",
    {
        "lat": serializers.FloatField(),
        "lon": serializers.FloatField(),
        "label": serializers.CharField(),
        "source": serializers.CharField(help_text="coordinates, gazetteer, or the online geocoder's name"),
        "precision": serializers.CharField(help_text="exact, address, zip or city"),
    },
)
GeocodeError = inline_serializer(
    "GeocodeError",
    {
        "q": serializers.ListField(child=serializers.CharField()),
        "candidates": serializers.ListField(child=serializers.CharField(), required=False),
    },
)


class GeocodeView(APIView):
    replica_methods = READS
    # Anonymous callers share the general limit; everyone, signed in or not, has the geocoding limit (an
    # online geocoder, when configured, has its own usage policy).
    throttle_classes = [AnonThrottle, ScopedThrottle]
    throttle_scope = "geocode"

    @extend_schema(
        summary="Geocode a place",
        parameters=[
            OpenApiParameter("q", str, required=True, description="ZIP code, 'City, ST', address or 'lat,lon'.")
        ],
        responses={200: GeocodeResult, 400: OpenApiResponse(GeocodeError, description="Unknown or ambiguous place")},
    )
    def get(self, request):
        query = request.query_params.get("q", "")
        if len(query) > MAX_QUERY_LENGTH:
            return Response({"q": [f"A place may be at most {MAX_QUERY_LENGTH} characters."]}, status=400)
        try:
            found = geocode(query)
        except GeocodingError as exc:
            body = {"q": [str(exc)]}
            if exc.candidates:
                body["candidates"] = exc.candidates
            return Response(body, status=400)
        return Response(
            {
                "lat": found.latitude,
                "lon": found.longitude,
                "label": found.address,
                "source": found.raw["source"],
                "precision": found.raw["precision"],
            }
        )

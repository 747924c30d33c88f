"""GET /api/coverage/?need=...: a need's coverage map (each county's distance to the nearest provider meeting it
that accepts referrals, and its shown unmet requests) as JSON, CSV (`format=csv`) or GeoJSON (`format=geojson`,
with the counties' outlines); GET /api/coverage/unmet/?need=...: its weekly unmet-request cells."""

import csv
import io

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.renderers import JSONRenderer
from coveragemap import selectors
from coveragemap.models import CoverageMap
from coveragemap.permissions import MaySeeCoverage
from coveragemap.refresh import coverage_refresh
from geo.basemap import county_shapes
from providers.eligibility import MAX_AGE_YEARS
from providers.models import Language, NeedTerm

CSV_COLUMNS = ("fips", "county", "state", "miles", "unmet_requests")


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if "counties" not in data:  # an error's body
            return JSONRenderer().render(data)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in data["counties"]:
            writer.writerow([row["fips"], row["name"], row["state"], row["distance_mi"], row["unmet_requests"]])
        return out.getvalue().encode()


class GeoJSONRenderer(renderers.BaseRenderer):
    media_type = "application/geo+json"
    format = "geojson"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if "counties" not in data:
            return JSONRenderer().render(data)
        shapes = county_shapes()
        features = [
            {"type": "Feature", "id": row["fips"], "geometry": shapes.get(row["fips"]),
             "properties": {"fips": row["fips"], "name": row["name"], "state": row["state"],
                            "miles": row["distance_mi"], "unmet_requests": row["unmet_requests"]}}
            for row in data["counties"]
        ]  # fmt: skip
        head = {key: value for key, value in data.items() if key != "counties"}
        return JSONRenderer().render({"type": "FeatureCollection", **head, "features": features})


class NeedQuery(serializers.Serializer):
    need = serializers.SlugRelatedField(slug_field="code", queryset=NeedTerm.objects.all(),
                                        help_text="A need's code, e.g. 't-visa'.")  # fmt: skip


class CoverageQuery(NeedQuery):
    language = serializers.SlugRelatedField(
        slug_field="code", queryset=Language.objects.all(), required=False, allow_null=True,
        help_text="Only providers working in this language (ISO 639-1), e.g. 'ti'.",
    )  # fmt: skip
    age = serializers.IntegerField(min_value=0, max_value=MAX_AGE_YEARS, required=False, allow_null=True,
                                   help_text="Only services a person of this age may use, e.g. 15.")  # fmt: skip


class CountySerializer(serializers.Serializer):
    fips = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    distance_m = serializers.FloatField(allow_null=True, help_text="null: no provider anywhere meets the need.")
    distance_mi = serializers.FloatField(allow_null=True)
    unmet_requests = serializers.IntegerField(
        allow_null=True, help_text="Unmet requests of the period, summed over the weeks that reached the minimum."
    )


class CoverageSerializer(serializers.Serializer):
    need = serializers.CharField()
    need_name = serializers.CharField()
    language = serializers.CharField(help_text="'' for any language.")
    age = serializers.IntegerField(allow_null=True, help_text="null for any age.")
    computed_at = serializers.DateTimeField()
    unmet_since = serializers.DateField(help_text="The first day of the period the unmet requests are summed over.")
    unmet_until = serializers.DateField(help_text="The day after it: the week under way is not shown until it ends.")
    unmet_min_shown = serializers.IntegerField(help_text="Weeks of a county with fewer unmet requests are not shown.")
    counties = CountySerializer(many=True)


class UnmetCellSerializer(serializers.Serializer):
    fips = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    week = serializers.DateField()
    requests = serializers.IntegerField()


class UnmetSerializer(serializers.Serializer):
    need = serializers.CharField()
    unmet_since = serializers.DateField()
    unmet_until = serializers.DateField()
    unmet_min_shown = serializers.IntegerField()
    cells = UnmetCellSerializer(many=True)


def coverage_data(need: NeedTerm, language: str = "", age: int | None = None) -> dict:
    """The map as the API and the page give it; a map nobody computed yet is computed now (about a second at 1M:
    docs/benchmarks.md), once however many ask at the same time, and a language map is kept while it is asked for."""
    asked = timezone.now()
    coverage = selectors.coverage_map(need, language, age) or coverage_refresh(need, language, age, unless_since=asked)
    if coverage.is_variant:
        CoverageMap.objects.filter(pk=coverage.pk).update(asked_at=timezone.now())
    rows = selectors.county_rows(coverage)
    return {
        "need": need.code, "need_name": need.name, "language": language, "age": age,
        "computed_at": coverage.computed_at,
        "unmet_since": selectors.unmet_since(), "unmet_until": selectors.this_week(),
        "unmet_min_shown": selectors.unmet_min_shown(),
        "counties": [{"fips": r.fips, "name": r.name, "state": r.state, "distance_m": r.distance_m,
                      "distance_mi": r.distance_mi, "unmet_requests": r.unmet_requests} for r in rows],
    }  # fmt: skip


class FormatsMixin:
    """An unknown `format` is a 400 naming it (DRF answers a bare 404), and errors are JSON whatever was asked."""

    permission_classes = [MaySeeCoverage]

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404 as exc:
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [f"One of {formats}."]}) from exc

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) is not None:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class CoverageView(FormatsMixin, APIView):
    """A need's coverage map: for every county, how far the nearest provider meeting the need (and accepting
    referrals) is from its centre. Confidential sites count at their public point."""

    renderer_classes = [JSONRenderer, CSVRenderer, GeoJSONRenderer]

    @extend_schema(
        parameters=[CoverageQuery, OpenApiParameter("format", enum=["json", "csv", "geojson"], required=False)],
        responses={
            (200, "application/json"): CoverageSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=f"Columns {', '.join(CSV_COLUMNS)}."),
            (200, "application/geo+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="A FeatureCollection: each county's outline with the JSON's fields."
            ),
        },
    )
    def get(self, request):
        query = CoverageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        language, age = query.validated_data.get("language"), query.validated_data.get("age")
        data = coverage_data(query.validated_data["need"], language.code if language else "", age)
        response = Response(CoverageSerializer(data).data)
        if request.accepted_renderer.format in ("csv", "geojson"):
            variant = (f"-{data['language']}" if data["language"] else "") + (f"-age{age}" if age is not None else "")
            name = f"coverage-{data['need']}{variant}"
            response["Content-Disposition"] = f'attachment; filename="{name}.{request.accepted_renderer.format}"'
        return response


class UnmetView(FormatsMixin, APIView):
    """A need's unmet requests by county and whole week: only the cells with at least `unmet_min_shown` requests."""

    renderer_classes = [JSONRenderer]

    @extend_schema(parameters=[NeedQuery], responses={200: UnmetSerializer})
    def get(self, request):
        query = NeedQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        need, since = query.validated_data["need"], selectors.unmet_since()
        cells = [{"fips": fips, "name": name, "state": state, "week": week, "requests": requests}
                 for fips, name, state, week, requests in selectors.unmet_cells(need)]  # fmt: skip
        data = {"need": need.code, "unmet_since": since, "unmet_until": selectors.this_week(),
                "unmet_min_shown": selectors.unmet_min_shown(), "cells": cells}  # fmt: skip
        return Response(UnmetSerializer(data).data)

"""Moderators map other directories' taxonomy terms to this directory's needs (then re-import)."""

from django.db.models import Count, Exists, OuterRef
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hsds.models import ServiceAttribute, TaxonomyMapping
from providers.fields import CodeRelatedField
from providers.models import NeedTerm
from providers.permissions import IsModerator


class TaxonomyMappingSerializer(serializers.ModelSerializer):
    need = CodeRelatedField(
        queryset=NeedTerm.objects.all(), allow_null=True,
        help_text="This directory's need code; null = reviewed, deliberately not mapped.",
    )  # fmt: skip

    class Meta:
        model = TaxonomyMapping
        fields = ["id", "taxonomy", "code", "name", "need"]


class TaxonomyMappingViewSet(viewsets.ModelViewSet):
    serializer_class = TaxonomyMappingSerializer
    permission_classes = [IsModerator]
    queryset = TaxonomyMapping.objects.select_related("need")
    filterset_fields = ["taxonomy"]

    @extend_schema(
        summary="Imported taxonomy terms that no mapping covers yet, with how many services carry them",
        responses=inline_serializer(
            "UnmappedTerm",
            {"taxonomy": serializers.CharField(), "code": serializers.CharField(), "name": serializers.CharField(),
             "services": serializers.IntegerField()},
            many=True,
        ),
    )  # fmt: skip
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def unmapped(self, request):
        mapped = TaxonomyMapping.objects.filter(taxonomy=OuterRef("taxonomy"), code=OuterRef("code"))
        terms = (
            ServiceAttribute.objects.annotate(mapped=Exists(mapped))
            .filter(mapped=False)
            .values("taxonomy", "code", "name")
            .annotate(services=Count("service", distinct=True))
            .order_by("taxonomy", "code")
        )
        return Response(list(terms))

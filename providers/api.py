"""Read-only registry API. Views stay thin: querysets from selectors, filters from filters.py, and the
confidential-location rule from providers.access (passed to serializers in the context)."""

from django.http import Http404
from django.urls import reverse
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework_gis.pagination import GeoJsonPagination

from core.pagination import CountedPages, DirectoryPagination
from core.routing import READS
from providers import accessibility, features, filters, map_list, selectors, serializers, service_rows
from providers.access import confidential_access_for_user
from providers.edit_api import (
    LocationEditMixin,
    LocationTextsMixin,
    OrganizationEditMixin,
    PhoneEditMixin,
    ServiceEditMixin,
)
from providers.models import Language, Location, NeedTerm, Phone, Population, RecordType, Service


class DirectoryGeoJsonPagination(CountedPages, GeoJsonPagination):
    page_size = DirectoryPagination.page_size
    page_size_query_param = DirectoryPagination.page_size_query_param
    max_page_size = DirectoryPagination.max_page_size

    def get_paginated_response_schema(self, schema):
        """Return the page as the FeatureCollection `schema` plus the counts and links.

        drf-gis's own version keeps DRF's `required: [count, results]` (there is no `results`) and nests the
        whole FeatureCollection under `features`; every page failed its own schema.
        """
        page = super(GeoJsonPagination, self).get_paginated_response_schema(schema)
        links = {name: page["properties"][name] for name in ("count", "next", "previous")}
        return {
            "allOf": [
                schema,
                {"type": "object", "properties": links, "required": ["type", "count", "features"]},
            ]
        }


@extend_schema_view(
    list=extend_schema(summary="Organizations", description="Filter by the services they offer and where."),
    retrieve=extend_schema(summary="One organization"),
)
class OrganizationViewSet(OrganizationEditMixin, viewsets.ReadOnlyModelViewSet):
    replica_methods = READS
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilter

    def get_queryset(self):
        return selectors.organization_list()

    @extend_schema(responses={200: serializers.OrganizationSerializer, 301: serializers.MergedPointerSerializer})
    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            if (kept := selectors.merged_into(RecordType.ORGANIZATION, kwargs.get("pk"))) is None:
                raise
            return serializers.merged_pointer(kept, reverse("organization-detail", args=[kept]))


@extend_schema_view(list=extend_schema(summary="Services"), retrieve=extend_schema(summary="One service"))
class ServiceViewSet(ServiceEditMixin, viewsets.ReadOnlyModelViewSet):
    replica_methods = READS
    serializer_class = serializers.ServiceSerializer
    filterset_class = filters.ServiceFilter

    def get_queryset(self):
        return selectors.service_list()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["access"] = confidential_access_for_user(self.request.user)
        return context

    def list(self, request, *args, **kwargs):
        # From plain rows (providers/service_rows.py): ServiceSerializer's shape, which the schema still describes.
        rows = service_rows.service_rows(self.filter_queryset(Service.objects.all()))
        page = self.paginator.paginate_counted(rows, request, self)
        return self.get_paginated_response(service_rows.service_data(page, confidential_access_for_user(request.user)))


@extend_schema_view(
    list=extend_schema(
        summary="Locations (GeoJSON FeatureCollection)",
        description=(
            "Confidential sites are returned at a fixed approximate point, with city/state/ZIP only and "
            "front-door phones only, to callers who may not see them (`precision: approximate`)."
        ),
    ),
    retrieve=extend_schema(summary="One location (GeoJSON Feature)"),
)
class LocationViewSet(LocationEditMixin, LocationTextsMixin, viewsets.ReadOnlyModelViewSet):
    replica_methods = READS
    serializer_class = serializers.LocationSerializer
    filterset_class = filters.LocationFilter
    pagination_class = DirectoryGeoJsonPagination

    def get_queryset(self):
        return selectors.location_list()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["access"] = confidential_access_for_user(self.request.user)
        return context

    def list(self, request, *args, **kwargs):
        # The page from plain rows (providers/features.py): LocationSerializer's shape, which the schema still
        # describes, at a fraction of its CPU.
        filtered = self.filter_queryset(Location.objects.all())
        return self._features(filtered, features.LOCATION_COLUMNS, features.location_features)

    @extend_schema(
        summary="Locations for a map: a marker and its label each",
        description=(
            "The same filters, order and pages as /api/locations/, each site with only what a map's marker and its "
            "label need (name, organization, the point as the caller may see it, distance, beds, whether it takes "
            "referrals, the services there). Addresses, phones, hours and texts: /api/locations/{id}/."
        ),
        responses=serializers.MapLocationSerializer(many=True),
    )
    @action(detail=False, url_path="map", url_name="map")
    def for_map(self, request, *args, **kwargs):
        # The common searches (words too) from one prepared statement (providers/map_list.py); populations and
        # ages through the ORM's filters as the full list.
        filterset = self.filterset_class(request.query_params, queryset=Location.objects.all(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)  # as DjangoFilterBackend answers every list's
        number = self.paginator.plain_page_number(request)
        if number is None or not map_list.answers(filterset.form.cleaned_data):
            return self._features(filterset.qs, features.MAP_COLUMNS, features.map_features)
        access = confidential_access_for_user(request.user)
        words = filterset.sites_matching("l.id")
        page = self.paginator.paginate_rows(
            lambda offset, limit: map_list.read_page(filterset.form.cleaned_data, access, offset=offset, limit=limit,
                                                     words=words),
            number, request, total="total",
        )  # fmt: skip
        shown = features.map_features(page, access)
        return self.get_paginated_response({"type": "FeatureCollection", "features": shown})

    def _features(self, filtered, columns, build):
        rows = features.location_rows(filtered, columns)
        page = self.paginator.paginate_counted(rows, self.request, self)
        shown = build(page, confidential_access_for_user(self.request.user))
        return self.get_paginated_response({"type": "FeatureCollection", "features": shown})


@extend_schema_view(
    list=extend_schema(summary="Victim assistance specialists (signed-in users)"),
    retrieve=extend_schema(summary="One specialist, with the coverage area as GeoJSON"),
)
class SpecialistViewSet(viewsets.ReadOnlyModelViewSet):
    """DHS victim assistance specialists. Their direct lines are for professionals: sign-in required."""

    replica_methods = READS

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = filters.SpecialistFilter

    def get_queryset(self):
        qs = selectors.specialist_list()
        return qs if self.action == "retrieve" else qs.defer("coverage_area")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.SpecialistDetailSerializer
        return serializers.SpecialistSerializer


@extend_schema_view(
    list=extend_schema(summary="The needs taxonomy (parents group their children)"),
    retrieve=extend_schema(summary="One need term"),
)
class NeedTermViewSet(viewsets.ReadOnlyModelViewSet):
    replica_methods = READS
    serializer_class = serializers.NeedTermSerializer
    queryset = NeedTerm.objects.select_related("parent")
    lookup_field = "code"
    pagination_class = None
    filter_backends = []


class PopulationViewSet(viewsets.ReadOnlyModelViewSet):
    replica_methods = READS
    serializer_class = serializers.PopulationSerializer
    queryset = Population.objects.all()
    lookup_field = "code"
    pagination_class = None
    filter_backends = []


class LanguageViewSet(viewsets.ReadOnlyModelViewSet):
    replica_methods = READS
    serializer_class = serializers.LanguageSerializer
    queryset = Language.objects.all()
    lookup_field = "code"
    pagination_class = None
    filter_backends = []


class AccessibilityViewSet(viewsets.ViewSet):
    """The accessibility features a site may list and the filters take (providers.accessibility), labelled in the
    reader's language."""

    permission_classes = [permissions.AllowAny]
    serializer_class = serializers.AccessibilityFeatureSerializer

    @extend_schema(responses=serializers.AccessibilityFeatureSerializer(many=True))
    def list(self, request):
        return Response(accessibility.described(accessibility.Feature.values))


class PhoneViewSet(PhoneEditMixin, viewsets.GenericViewSet):
    """Phones are read with their owner (organization, service or location); here they are only edited."""

    queryset = Phone.objects.none()
    serializer_class = serializers.PhoneSerializer

"""Read-only registry API. Views stay thin: querysets from selectors, filters from filters.py, and the
confidential-location rule from providers.access (passed to serializers in the context)."""

from django.core.paginator import Page
from django.db.models import Count, Window
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework_gis.pagination import GeoJsonPagination

from core.pagination import DirectoryPagination
from core.routing import READS
from providers import features, filters, selectors, serializers
from providers.access import confidential_access_for_user
from providers.edit_api import (
    LocationEditMixin,
    LocationTextsMixin,
    OrganizationEditMixin,
    PhoneEditMixin,
    ServiceEditMixin,
)
from providers.models import Language, Location, NeedTerm, Phone, Population


class DirectoryGeoJsonPagination(GeoJsonPagination):
    page_size = DirectoryPagination.page_size
    page_size_query_param = DirectoryPagination.page_size_query_param
    max_page_size = DirectoryPagination.max_page_size

    def paginate_counted(self, queryset, request, view=None):
        """A page of `queryset` and the count of the whole in one statement (COUNT(*) OVER (): the filtered set is
        read once, where a count and a page read it twice). Any other page parameter ('last', a page past the
        millionth: an offset the database would refuse) as DRF does."""
        raw = request.query_params.get(self.page_query_param, "1")
        size = self.get_page_size(request)
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or int(raw) < 1 or not size:
            return self.paginate_queryset(queryset, request, view)
        number = int(raw)
        rows = list(queryset.annotate(_total=Window(Count("*")))[(number - 1) * size : number * size])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="That page contains no results"))
        paginator = self.django_paginator_class(rows, size)
        paginator.count = rows[0]["_total"] if rows else 0  # the cached property, from the window
        self.page, self.request = Page(rows, number, paginator), request
        return rows

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
        # The map search's page from plain rows (providers/features.py): LocationSerializer's shape, which the
        # schema still describes, at a fraction of its CPU.
        rows = features.location_rows(self.filter_queryset(Location.objects.all()))
        page = self.paginator.paginate_counted(rows, request, self)
        shown = features.location_features(page, confidential_access_for_user(request.user))
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


class PhoneViewSet(PhoneEditMixin, viewsets.GenericViewSet):
    """Phones are read with their owner (organization, service or location); here they are only edited."""

    queryset = Phone.objects.none()
    serializer_class = serializers.PhoneSerializer

"""The read-only HSDS 3.1 API under /hsds/ (see the specification's schema/openapi.json): lists come wrapped
in HSDS's Page object, services and locations in HSDS form, confidential sites generalized per caller."""

import math

from django.contrib.gis.measure import D
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.routing import READS
from geo.geocoding import GeocodingError, geocode
from hsds import spec
from hsds.exporter import Ids, derived_id, export_queryset, location_data, offer_data, organization_data, service_data
from hsds.importer import NEEDS_TAXONOMY, POPULATIONS_TAXONOMY
from hsds.models import ExternalId, ServiceAttribute
from matching import search as keyword
from matching.serializers import KeywordsField
from providers.access import confidential_access_for_user
from providers.disclosure import SiteDisclosure
from providers.models import NeedTerm, Organization, Population, RecordType, Service, ServiceAtLocation
from providers.selectors import merged_into
from providers.serializers import MergedPointerSerializer, merged_pointer

TAXONOMY_DESCRIPTIONS = {
    NEEDS_TAXONOMY: "The needs of human-trafficking survivors that services meet (this directory's taxonomy).",
    POPULATIONS_TAXONOMY: "Who a service serves: age, gender, trafficking type, citizenship, identity.",
}


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    per_page = serializers.IntegerField(min_value=1, max_value=200, default=50)


class ServiceQuery(PageQuery):
    search = KeywordsField(
        help_text="Words, searched as the registry's `q` (names, descriptions, needs in English or Spanish, ...): "
        "best first."
    )
    taxonomy_term_id = serializers.CharField(required=False, max_length=255)
    organization_id = serializers.CharField(required=False, max_length=255)
    modified_after = serializers.DateTimeField(required=False)
    full = serializers.BooleanField(default=False)


class LocationQuery(PageQuery):
    postcode = serializers.RegexField(r"^\d{5}$", required=False)
    proximity = serializers.FloatField(required=False, min_value=0, max_value=800_000, help_text="Metres.")
    full = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if "proximity" in attrs and "postcode" not in attrs:
            raise serializers.ValidationError({"postcode": "proximity needs a postcode to measure from."})
        return attrs


def page(items, total: int, query: dict) -> dict:
    """Return HSDS's Page object around one page of items."""
    pages = max(1, math.ceil(total / query["per_page"]))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": query["page"],
        "size": len(items),
        "first_page": query["page"] == 1,
        "last_page": query["page"] >= pages,
        "empty": total == 0,
        "contents": items,
    }


def window(queryset, query: dict):
    start = (query["page"] - 1) * query["per_page"]
    return queryset[start : start + query["per_page"]]


def parse(serializer_class, request) -> dict:
    form = serializer_class(data=request.query_params)
    form.is_valid(raise_exception=True)
    return form.validated_data


def record_pk(record_type: str, given: str):
    """Return the primary key for an HSDS id (as imported) or this directory's own UUID; None when unknown."""
    if len(given) > 255 or "\x00" in given:
        return None
    found = ExternalId.objects.filter(record_type=record_type, external_id=given).values_list("record_id", flat=True)
    return found.first() or (given if _is_uuid(given) else None)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def taxonomy_terms() -> list[dict]:
    """Return every taxonomy term this directory uses, with the ids the exports give them."""
    terms = [(NEEDS_TAXONOMY, n.code, n.name, n.description, n.parent.code if n.parent else None)
             for n in NeedTerm.objects.select_related("parent")]  # fmt: skip
    terms += [(POPULATIONS_TAXONOMY, p.code, p.name, p.description or p.name, None) for p in Population.objects.all()]
    kept = ServiceAttribute.objects.values_list("taxonomy", "code", "name").distinct()
    terms += [(t, c, n or c, n or c, None) for t, c, n in kept]
    found = []
    for taxonomy, code, name, description, parent in sorted(terms):
        term = {"id": derived_id("term", taxonomy, code), "code": code, "name": name, "description": description,
                "taxonomy": taxonomy, "taxonomy_id": derived_id("taxonomy", taxonomy)}  # fmt: skip
        if parent:
            term["parent_id"] = derived_id("term", taxonomy, parent)
        found.append(term)
    return found


class HsdsRootView(APIView):
    replica_methods = READS

    @extend_schema(tags=["hsds"], summary="HSDS API: version and profile", responses=dict)
    def get(self, request):
        return Response({"version": spec.HSDS_VERSION, "profile": spec.PROFILE, "openapi_url": spec.OPENAPI_URL})


class ServicesView(APIView):
    replica_methods = READS

    @extend_schema(
        tags=["hsds"],
        summary="HSDS services (Page)",
        parameters=[ServiceQuery],
        operation_id="hsds_services_list",
        responses=dict,
    )
    def get(self, request):
        query = parse(ServiceQuery, request)
        services = Service.objects.all()
        access = confidential_access_for_user(request.user)
        found = keyword.search(query["search"], access=access) if query.get("search") else None
        if found is not None:
            services = services.filter(keyword.matching(found, "service_id", access=access))
        if query.get("organization_id"):
            services = services.filter(organization_id=record_pk("organization", query["organization_id"]))
        if query.get("modified_after"):
            services = services.filter(updated_at__gte=query["modified_after"])  # "on or after"
        if query.get("taxonomy_term_id"):
            services = services.filter(_term_q(query["taxonomy_term_id"]))
        total = services.count()
        services = export_queryset(services)
        if found is not None:  # best first (filtered above: ordered only)
            services = keyword.ranked_first(services, found, "service_id")
        shown = list(window(services, query))
        ids = Ids.for_services(shown)
        items = [service_data(s, access=access, ids=ids, full=query["full"]) for s in shown]
        return Response(page(items, total, query))


def _term_q(term_id: str) -> Q:
    term = next((t for t in taxonomy_terms() if t["id"] == term_id), None)
    if term is None:
        return Q(pk__in=[])
    if term["taxonomy"] == NEEDS_TAXONOMY:
        return Q(needs__code=term["code"])
    if term["taxonomy"] == POPULATIONS_TAXONOMY:
        return Q(populations__code=term["code"])
    kept = ServiceAttribute.objects.filter(service_id=OuterRef("pk"), taxonomy=term["taxonomy"], code=term["code"])
    return Q(Exists(kept))


class ServiceView(APIView):
    replica_methods = READS

    @extend_schema(tags=["hsds"], summary="One HSDS service, fully nested", responses=dict)
    def get(self, request, service_id: str):
        pk = record_pk("service", service_id)
        service = export_queryset(Service.objects.filter(pk=pk)).first() if pk else None
        if service is None:
            raise Http404("No such service.")
        ids = Ids.for_services([service])
        return Response(service_data(service, access=confidential_access_for_user(request.user), ids=ids))


class OrganizationsView(APIView):
    replica_methods = READS

    @extend_schema(
        tags=["hsds"],
        summary="HSDS organizations (Page)",
        parameters=[PageQuery],
        operation_id="hsds_organizations_list",
        responses=dict,
    )
    def get(self, request):
        query = parse(PageQuery, request)
        organizations = Organization.objects.order_by("name", "id")
        found = list(window(organizations, query))
        ids = Ids(found)
        items = [organization_data(o, ids=ids, full=False) for o in found]
        return Response(page(items, organizations.count(), query))


class OrganizationView(APIView):
    replica_methods = READS

    @extend_schema(tags=["hsds"], summary="One HSDS organization", responses={200: dict, 301: MergedPointerSerializer})
    def get(self, request, organization_id: str):
        pk = record_pk("organization", organization_id)
        organization = Organization.objects.filter(pk=pk).prefetch_related("phones").first() if pk else None
        if organization is None:
            if kept := merged_into(RecordType.ORGANIZATION, organization_id):
                return merged_pointer(kept, reverse("hsds-organization", args=[kept]))
            raise Http404("No such organization.")
        return Response(organization_data(organization, ids=Ids([organization, *organization.phones.all()])))


def taxonomies() -> list[dict]:
    """Return every taxonomy of the terms this directory uses, with the ids the exports give them."""
    names = sorted({term["taxonomy"] for term in taxonomy_terms()})
    return [{"id": derived_id("taxonomy", n), "name": n, "description": TAXONOMY_DESCRIPTIONS.get(n, f"From {n}.")}
            for n in names]  # fmt: skip


def one_of(items: list[dict], given: str, what: str) -> dict:
    """Return the item with this id; 404 naming the id otherwise (ids here are derived UUIDs, so any other text is
    simply not one of them)."""
    found = next((item for item in items if item["id"] == given), None)
    if found is None:
        raise NotFound(f"No {what} has this id.")
    return found


class TaxonomiesView(APIView):
    replica_methods = READS

    @extend_schema(tags=["hsds"], summary="HSDS taxonomies (Page)", parameters=[PageQuery], responses=dict)
    def get(self, request):
        query = parse(PageQuery, request)
        items = taxonomies()
        return Response(page(list(window(items, query)), len(items), query))


class TaxonomyView(APIView):
    replica_methods = READS

    @extend_schema(tags=["hsds"], summary="One HSDS taxonomy", responses=dict, operation_id="hsds_taxonomy_retrieve")
    def get(self, request, taxonomy_id: str):
        return Response(one_of(taxonomies(), taxonomy_id, "taxonomy"))


class TaxonomyTermView(APIView):
    replica_methods = READS

    @extend_schema(
        tags=["hsds"], summary="One HSDS taxonomy term", responses=dict, operation_id="hsds_taxonomy_term_retrieve"
    )
    def get(self, request, term_id: str):
        return Response(one_of(taxonomy_terms(), term_id, "taxonomy term"))


class ServiceAtLocationView(APIView):
    replica_methods = READS

    @extend_schema(tags=["hsds"], summary="One HSDS service at a location, fully nested", responses=dict,
                   operation_id="hsds_service_at_location_retrieve")  # fmt: skip
    def get(self, request, offer_id: str):
        pk = record_pk("service_at_location", offer_id)
        offer = ServiceAtLocation.objects.filter(pk=pk).first() if pk else None
        if offer is None:
            raise NotFound("No service at location has this id.")
        service = export_queryset(Service.objects.filter(pk=offer.service_id)).first()
        # Prefetched with its site; gone if the offer or its service was removed meanwhile.
        offer = None if service is None else next((o for o in service.service_at_locations.all() if o.pk == offer.pk),
                                                 None)  # fmt: skip
        if offer is None:
            raise NotFound("No service at location has this id.")
        ids = Ids.for_services([service])
        access = confidential_access_for_user(request.user)
        return Response(offer_data(offer, service, ids("service", service), access=access, ids=ids))


class TaxonomyTermsView(APIView):
    replica_methods = READS

    @extend_schema(tags=["hsds"], summary="HSDS taxonomy terms (Page)", parameters=[PageQuery], responses=dict)
    def get(self, request):
        query = parse(PageQuery, request)
        terms = taxonomy_terms()
        return Response(page(list(window(terms, query)), len(terms), query))


class ServiceAtLocationsView(APIView):
    replica_methods = READS

    @extend_schema(
        tags=["hsds"],
        summary="HSDS services at locations (Page); postcode, and proximity in metres from its centroid",
        parameters=[LocationQuery],
        responses=dict,
    )
    def get(self, request):
        query = parse(LocationQuery, request)
        access = confidential_access_for_user(request.user)
        offers = ServiceAtLocation.objects.select_related("service", "location__organization").prefetch_related(
            "location__addresses", "location__phones", "location__schedules", "location__hours_exceptions"
        )
        if "postcode" in query and "proximity" in query:
            try:
                centre = geocode(query["postcode"], online=False)
            except GeocodingError:
                raise serializers.ValidationError({"postcode": "Unknown ZIP code."}) from None
            from geo.queries import make_point

            offers = offers.filter(
                access.point_q(
                    "dwithin",
                    (make_point(centre.latitude, centre.longitude), D(m=query["proximity"])),
                    prefix="location__",
                )  # fmt: skip
            )
        elif "postcode" in query:
            offers = offers.filter(location__addresses__postal_code__startswith=query["postcode"]).distinct()
        offers = offers.order_by("id")
        found = list(window(offers, query))
        records = [
            r for o in found for r in (o, o.service, o.location, *o.location.addresses.all(), *o.location.phones.all())
        ]
        ids = Ids(records)
        items = []
        for offer in found:
            item = {"id": ids("service_at_location", offer), "service_id": ids("service", offer.service),
                    "location_id": ids("location", offer.location)}  # fmt: skip
            description = SiteDisclosure.of(offer.location, access).text(offer.description)
            if description:
                item["description"] = description
            if query["full"]:
                item["location"] = location_data(offer.location, access=access, ids=ids)
            items.append(item)
        return Response(page(items, offers.count(), query))

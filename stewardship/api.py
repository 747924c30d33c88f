"""The moderators' queue of organizations, services and sites that may be one listing twice
(stewardship.duplicates, stewardship.offer_duplicates): each pair with its evidence and both records side by side;
"not a duplicate" is remembered; a merge of two organizations keeps one of them (stewardship.merge) and can be undone
while nothing else changed."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from providers.access import confidential_access_for_user
from providers.disclosure import SiteDisclosure
from providers.permissions import IsModerator
from stewardship import merge as merging
from stewardship import selectors, services
from stewardship.applications import pending_lookalikes
from stewardship.models import DuplicateCandidate, Merge


class SiteSideSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    is_confidential = serializers.BooleanField()
    address = serializers.SerializerMethodField()

    def get_address(self, site) -> str:
        # As the disclosure policy shows the site to this reader (a moderator: exactly).
        shown = SiteDisclosure.of(site, self.context["access"])
        return ", ".join(shown.address_lines(site.primary_address()))


class OrganizationSideSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    alternate_name = serializers.CharField()
    website = serializers.CharField()
    email = serializers.CharField()
    phones = serializers.SerializerMethodField()
    sites = SiteSideSerializer(source="locations", many=True)

    def get_phones(self, organization) -> list[str]:
        return [phone.number.as_e164 for phone in organization.phones.all()]


class SideOrganizationSerializer(serializers.Serializer):
    """The organization of a service or site of a pair (its name as written, not in the reader's language)."""

    id = serializers.UUIDField()
    name = serializers.CharField()


class ServiceSideSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    alternate_name = serializers.CharField()
    organization = SideOrganizationSerializer()
    needs = serializers.SerializerMethodField()
    phones = serializers.SerializerMethodField()
    sites = serializers.SerializerMethodField()

    def get_needs(self, service) -> list[str]:
        return [need.code for need in service.needs.all()]

    def get_phones(self, service) -> list[str]:
        return [phone.number.as_e164 for phone in service.phones.all()]

    @extend_schema_field(SiteSideSerializer(many=True))
    def get_sites(self, service) -> list[dict]:
        sites = [offer.location for offer in service.service_at_locations.all()]
        return SiteSideSerializer(sites, many=True, context=self.context).data


class LocationSideSerializer(SiteSideSerializer):
    alternate_name = serializers.CharField()
    organization = SideOrganizationSerializer()
    phones = serializers.SerializerMethodField()
    services = serializers.SerializerMethodField(help_text="The names of the services offered there.")

    def get_phones(self, site) -> list[str]:
        shown = SiteDisclosure.of(site, self.context["access"])
        return [phone.number.as_e164 for phone in shown.phones(site.phones.all())]

    def get_services(self, site) -> list[str]:
        return [offer.service.name for offer in site.service_at_locations.all()]


SIDE_SERIALIZERS = {
    DuplicateCandidate.Kind.ORGANIZATION: OrganizationSideSerializer,
    DuplicateCandidate.Kind.SERVICE: ServiceSideSerializer,
    DuplicateCandidate.Kind.LOCATION: LocationSideSerializer,
}
# One record of a pair, as its kind is (the pair's `kind`); null when it was deleted since the pair was found.
SIDE = PolymorphicProxySerializer(component_name="DuplicateSide", serializers=list(SIDE_SERIALIZERS.values()),
                                  resource_type_field_name=None, allow_null=True)  # fmt: skip


class DuplicateCandidateSerializer(serializers.ModelSerializer):
    first = serializers.SerializerMethodField()
    second = serializers.SerializerMethodField()

    class Meta:
        model = DuplicateCandidate
        fields = ["id", "kind", "score", "evidence", "status", "found_at", "decided_at", "first", "second"]

    @extend_schema_field(SIDE)
    def get_first(self, candidate) -> dict | None:
        return self._side(candidate, candidate.first_id)

    @extend_schema_field(SIDE)
    def get_second(self, candidate) -> dict | None:
        return self._side(candidate, candidate.second_id)

    def _side(self, candidate, record_id):
        record = self.context["sides"].get(candidate.kind, {}).get(record_id)
        if record is None:
            return None
        return SIDE_SERIALIZERS[candidate.kind](record, context=self.context).data


class LookalikeSerializer(serializers.Serializer):
    organization_id = serializers.UUIDField()
    name = serializers.CharField()
    name_similarity = serializers.FloatField()
    website = serializers.CharField(required=False)
    email = serializers.CharField(required=False)


class ApplicationLookalikesSerializer(serializers.Serializer):
    application_id = serializers.IntegerField()
    organization_name = serializers.CharField()
    created_at = serializers.DateTimeField()
    looks_like = LookalikeSerializer(many=True)


MAX_APPLICATIONS = 200  # pending applications looked at, oldest first (a queue longer than this is its own problem)


class MergeSerializer(serializers.ModelSerializer):
    merged_name = serializers.SerializerMethodField(help_text="The merged organization's name.")
    moved = serializers.SerializerMethodField(help_text='How many of each were moved: {"providers.Service": 3}.')

    class Meta:
        model = Merge
        fields = ["id", "kept", "merged_id", "merged_name", "moved", "merged_at", "undone_at"]

    def get_merged_name(self, merge) -> str:
        return merging.merged_name(merge)

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_moved(self, merge) -> dict:
        # Counts, not ids: which referrals and accounts moved is not a moderator's to read here.
        return {label.rsplit(".", 1)[0]: len(ids) for label, ids in merge.moved.items()}


class MergeRequestSerializer(serializers.Serializer):
    keep = serializers.UUIDField(
        help_text="Which of the pair's two organizations to keep; the other is merged into it."
    )


QUEUE_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=DuplicateCandidate.Status.values,
                     description="Open pairs (the default), or those said to be two listings."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=DuplicateCandidate.Kind.values,
                     description="Pairs of organizations, services or sites only (every kind by default)."),
]  # fmt: skip


@extend_schema_view(list=extend_schema(parameters=QUEUE_PARAMETERS),
                    retrieve=extend_schema(parameters=QUEUE_PARAMETERS))  # fmt: skip
class DuplicateCandidateViewSet(viewsets.ReadOnlyModelViewSet):
    """Open pairs of organizations, services and sites, best first (`?status=not_duplicate` for those said to be two
    listings, `?kind=` for one kind), each record side by side as its kind is."""

    permission_classes = [IsModerator]
    serializer_class = DuplicateCandidateSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"  # anything else is no pair: a 404 from the router, not a 400

    def get_queryset(self):
        wanted = self.request.query_params.get("status", DuplicateCandidate.Status.OPEN)
        if wanted not in DuplicateCandidate.Status.values:
            raise serializers.ValidationError({"status": f"One of {', '.join(DuplicateCandidate.Status.values)}."})
        kind = self.request.query_params.get("kind")
        if kind is not None and kind not in DuplicateCandidate.Kind.values:
            raise serializers.ValidationError({"kind": f"One of {', '.join(DuplicateCandidate.Kind.values)}."})
        return selectors.duplicate_queue(wanted, kind)

    def get_serializer(self, *args, **kwargs):
        shown = args[0] if args else None
        pairs = [] if shown is None else (shown if isinstance(shown, list | tuple) else [shown])
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"]["sides"] = selectors.sides_of(pairs)
        kwargs["context"]["access"] = confidential_access_for_user(self.request.user)
        return super().get_serializer(*args, **kwargs)

    @extend_schema(responses=ApplicationLookalikesSerializer(many=True))
    @action(detail=False, url_path="applications", url_name="applications", pagination_class=None)
    def applications(self, request):
        """Pending applications that look like a listing already here, each with the listings it may be: to see
        before approving one (approval creates a new organization)."""
        found = [
            {
                "application_id": a.pk,
                "organization_name": a.organization_name,
                "created_at": a.created_at,
                "looks_like": looks_like,
            }
            for a, looks_like in pending_lookalikes(MAX_APPLICATIONS)
            if looks_like
        ]
        return Response(ApplicationLookalikesSerializer(found, many=True).data)

    @extend_schema(request=None, responses=DuplicateCandidateSerializer)
    @action(detail=True, methods=["post"], url_path="not-a-duplicate", url_name="not-a-duplicate")
    def not_a_duplicate(self, request, pk=None):
        candidate = get_object_or_404(DuplicateCandidate, pk=pk)
        try:
            decided = services.duplicate_not_duplicate(candidate=candidate, user=request.user)
        except services.AlreadyDecided:
            return Response({"detail": "This pair was already decided."}, status=status.HTTP_409_CONFLICT)
        except services.Gone:
            return Response({"detail": "This pair is no longer in the queue."}, status=status.HTTP_404_NOT_FOUND)
        return Response(self.get_serializer(decided).data)

    @extend_schema(request=MergeRequestSerializer, responses=MergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge the pair: keep one organization and move everything of the other to it (stewardship.merge)."""
        candidate = get_object_or_404(DuplicateCandidate, pk=pk)
        if candidate.kind != DuplicateCandidate.Kind.ORGANIZATION:
            # Two services or sites that are one carry their own referrals and hours: the provider or a moderator
            # retires one (docs/stewardship.md).
            kind = candidate.get_kind_display().lower()
            raise serializers.ValidationError({"kind": [
                f"Only pairs of organizations can be merged; this is a pair of {kind}s: retire one of the two, or say "
                "it is not a duplicate."
            ]})  # fmt: skip
        form = MergeRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        keep = form.validated_data["keep"]
        if keep not in (candidate.first_id, candidate.second_id):
            raise serializers.ValidationError({"keep": "One of the pair's two organizations."})
        other = candidate.second_id if keep == candidate.first_id else candidate.first_id
        try:
            done = merging.organizations_merge(kept_id=keep, merged_id=other, user=request.user, pair=candidate)
        except merging.MergeRefused as refused:
            return Response({refused.field: [refused.message]}, status=status.HTTP_409_CONFLICT)
        return Response(MergeSerializer(done).data)


class MergeViewSet(viewsets.ReadOnlyModelViewSet):
    """Merges, newest first, each undoable while nothing of the kept organization changed since."""

    permission_classes = [IsModerator]
    serializer_class = MergeSerializer
    queryset = Merge.objects.all()
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    @extend_schema(request=None, responses=MergeSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """Put the merged organization back and move back what was moved."""
        try:
            done = merging.merge_undo(merge=self.get_object(), user=request.user)
        except merging.MergeRefused as refused:
            return Response({refused.field: [refused.message]}, status=status.HTTP_409_CONFLICT)
        return Response(MergeSerializer(done).data)

"""The moderators' queue of organizations that may be one listing twice (stewardship.duplicates): each pair with
its evidence and both organizations side by side; "not a duplicate" is remembered; a merge keeps one of the two
(stewardship.merge) and can be undone while nothing else changed."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
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


class DuplicateCandidateSerializer(serializers.ModelSerializer):
    first = serializers.SerializerMethodField()
    second = serializers.SerializerMethodField()

    class Meta:
        model = DuplicateCandidate
        fields = ["id", "kind", "score", "evidence", "status", "found_at", "decided_at", "first", "second"]

    @extend_schema_field(OrganizationSideSerializer(allow_null=True))
    def get_first(self, candidate) -> dict | None:
        return self._side(candidate.first_id)

    @extend_schema_field(OrganizationSideSerializer(allow_null=True))
    def get_second(self, candidate) -> dict | None:
        return self._side(candidate.second_id)

    def _side(self, organization_id):
        organization = self.context["organizations"].get(organization_id)
        return None if organization is None else OrganizationSideSerializer(organization, context=self.context).data


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


class DuplicateCandidateViewSet(viewsets.ReadOnlyModelViewSet):
    """Open pairs, best first (`?status=not_duplicate` for those said to be two listings)."""

    permission_classes = [IsModerator]
    serializer_class = DuplicateCandidateSerializer
    lookup_value_regex = "[0-9a-fA-F-]{36}"  # anything else is no pair: a 404 from the router, not a 400

    def get_queryset(self):
        wanted = self.request.query_params.get("status", DuplicateCandidate.Status.OPEN)
        if wanted not in DuplicateCandidate.Status.values:
            raise serializers.ValidationError({"status": f"One of {', '.join(DuplicateCandidate.Status.values)}."})
        return selectors.duplicate_queue(wanted)

    def get_serializer(self, *args, **kwargs):
        shown = args[0] if args else None
        pairs = [] if shown is None else (shown if isinstance(shown, list | tuple) else [shown])
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"]["organizations"] = selectors.organizations_side_by_side(pairs)
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

"""GET and POST /api/match/: the same fields as query parameters or as a JSON body."""

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.routing import READS
from geo.geocoding import GeocodingError, geocode
from matching import search
from matching.engine import match
from matching.serializers import MatchInputSerializer, MatchResultSerializer, match_result_data
from matching.taxonomy import vocabulary
from matching.unmet import count_unmet
from providers.access import confidential_access_for_user


class MatchView(APIView):
    """Rank nearby providers for a survivor's needs, with a coverage plan and the area's specialists."""

    replica_methods = READS | {"POST"}  # a POST here only reads (the form's body keeps a caller's needs out of URLs)

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
        count_unmet(result)
        return Response(match_result_data(result))


class SuggestQuery(serializers.Serializer):
    q = serializers.CharField(
        max_length=search.MAX_QUERY_CHARS, allow_blank=True, trim_whitespace=True,
        help_text=f"What has been typed so far (at least {search.SUGGEST_MIN_CHARS} characters for needs, "
        f"{search.SUGGEST_NAMES_MIN_CHARS} for names; shorter: no suggestions).",
    )  # fmt: skip
    near = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="A place: names nearest it come first."
    )


class TypeAheadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["need", "organization", "service"])
    text = serializers.CharField(help_text="A need's name in the reader's language, or a listing's name.")
    code = serializers.CharField(help_text="A need's code ('' for names): search with needs=code.")


class TypeAheadResponseSerializer(serializers.Serializer):
    suggestions = TypeAheadSerializer(many=True)


class SuggestView(APIView):
    """Type-ahead for the search box: needs and organization/service names with a word starting with `q`."""

    replica_methods = READS

    @extend_schema(summary="Suggest needs and names for a prefix", parameters=[SuggestQuery],
                   responses={200: TypeAheadResponseSerializer})  # fmt: skip
    def get(self, request):
        query = SuggestQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        origin = None
        if query.validated_data.get("near"):
            try:
                origin = geocode(query.validated_data["near"])
            except GeocodingError as exc:
                return Response({"near": [str(exc)]}, status=400)
        labels = {code: gettext(term.name) for code, term in vocabulary().terms.items()}
        # Names only, which everyone may see, ordered by the points the public sees: the same for every caller.
        found = search.suggest(query.validated_data["q"], origin=origin, need_labels=labels)
        return Response({"suggestions": [{"kind": s.kind, "text": s.text, "code": s.code} for s in found]})

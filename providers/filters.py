"""Query-string filters for the registry endpoints.

Every filter validates its value: an unknown code or a malformed box is a 400 naming the parameter,
never a 500 and never a silently ignored filter. List parameters accept repetition (`?need=a&need=b`)
and commas (`?need=a,b`). For `need` and `language` a record matches when it matches any of the values; for
`population` it must serve every one given (`population=women,minors`: services for women that take minors), and
for `accessibility` a site must offer every one given.
"""

import math

import django_filters
from django import forms
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from geo.expressions import WGS84
from geo.geocoding import GeocodingError, geocode
from geo.queries import make_point
from geo.units import km_to_m, m_to_km, miles_to_m
from matching import search
from providers import accessibility, eligibility, selectors
from providers.access import BBox, ConfidentialAccess, confidential_access_for_user
from providers.fields import MAX_CODES, split_codes
from providers.models import (
    Location,
    Organization,
    Population,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    VictimAssistanceSpecialist,
)
from providers.vocabulary import vocabulary

MAX_LIST_VALUES = MAX_CODES


def _literal(text: str) -> str:
    """Escape % in a message that repeats the caller's input: django-filter %-formats error messages."""
    return text.replace("%", "%%")


class CodeListField(forms.Field):
    """A list of codes from a vocabulary; unknown codes are named in the error."""

    widget = forms.SelectMultiple

    def __init__(self, *, vocabulary, label_plural: str, **kwargs):
        self.vocabulary = vocabulary  # callable returning the set of known codes
        self.label_plural = label_plural
        super().__init__(**kwargs)

    def to_python(self, value):
        return split_codes(value)

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_LIST_VALUES:
            raise forms.ValidationError(f"At most {MAX_LIST_VALUES} values are accepted.")
        unknown = [code for code in value if code not in self.vocabulary()]
        if unknown:
            raise forms.ValidationError(
                _literal(f"Unknown {self.label_plural}: {', '.join(sorted(unknown))}."), code="unknown_code"
            )


@extend_schema_field(OpenApiTypes.STR)
class CodeListFilter(django_filters.Filter):
    field_class = CodeListField

    def filter(self, qs, value):
        # The FilterSet method named by `method` does the work; an empty list means "not filtered".
        return qs


class BBoxField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parts = value.split(",")
        if len(parts) != 4:
            raise forms.ValidationError("Expected bbox=min_lon,min_lat,max_lon,max_lat (four numbers).")
        try:
            min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
        except ValueError:
            raise forms.ValidationError("bbox values must be numbers: min_lon,min_lat,max_lon,max_lat.") from None
        if any(v != v or v in (float("inf"), float("-inf")) for v in (min_lon, min_lat, max_lon, max_lat)):
            raise forms.ValidationError("bbox values must be finite numbers.")
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise forms.ValidationError("bbox longitudes must be between -180 and 180.")
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise forms.ValidationError("bbox latitudes must be between -90 and 90.")
        if min_lon > max_lon or min_lat > max_lat:
            raise forms.ValidationError("bbox minimums must not exceed maximums (min_lon,min_lat,max_lon,max_lat).")
        return BBox(min_lon, min_lat, max_lon, max_lat)


@extend_schema_field(OpenApiTypes.STR)
class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        return qs


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class NearForm(forms.Form):
    """Validates `near` (geocoded once here) and `radius_mi` / `radius_km` together."""

    def clean(self):
        data = super().clean()
        near, radius_mi, radius_km = data.get("near"), data.get("radius_mi"), data.get("radius_km")
        max_mi = settings.SEARCH_MAX_RADIUS_MI
        radius_m = miles_to_m(settings.SEARCH_DEFAULT_RADIUS_MI)
        if radius_mi is not None and radius_km is not None:
            self.add_error("radius_km", "Give radius_mi or radius_km, not both.")
        for name, value, to_m in (("radius_mi", radius_mi, miles_to_m), ("radius_km", radius_km, km_to_m)):
            if value is None:
                continue
            if value <= 0:
                self.add_error(name, f"{name} must be greater than 0.")
            elif to_m(float(value)) > miles_to_m(max_mi) + 1:
                limit = max_mi if name == "radius_mi" else math.floor(m_to_km(miles_to_m(max_mi)))
                self.add_error(name, f"{name} must be at most {limit} ({max_mi} miles).")
            elif not near:
                self.add_error("near", f"{name} needs near (a place to measure from).")
            else:
                radius_m = to_m(float(value))
        data["origin"] = None
        if near:
            try:
                found = geocode(near)
            except GeocodingError as exc:
                message = str(exc)
                if exc.candidates:
                    message += " Candidates: " + "; ".join(exc.candidates) + "."
                self.add_error("near", _literal(message))
            else:
                data["origin"] = make_point(found.latitude, found.longitude)
        data["radius_m"] = radius_m
        if "q" in self.fields:
            try:
                data["q"] = search.clean_query(data.get("q"))
            except search.SearchQueryError as exc:
                self.add_error("q", str(exc))
        return data


class NearFilterMixin(django_filters.FilterSet):
    near = django_filters.CharFilter(
        method="filter_nothing",
        max_length=300,
        help_text="A place: ZIP code, 'City, ST', an address or 'lat,lon'. Results within the radius, nearest first.",
    )
    radius_mi = django_filters.NumberFilter(
        method="filter_nothing",
        help_text="Radius in miles around `near` (default 50, at most 500).",
    )
    radius_km = django_filters.NumberFilter(
        method="filter_nothing", help_text="Radius in kilometres around `near` (at most 804)."
    )

    def filter_nothing(self, queryset, name, value):
        # `near` and the radius are applied together in filter_queryset.
        return queryset


def _need_codes():
    return vocabulary().terms


def _language_codes():
    return vocabulary().language_names


def _population_codes():
    return vocabulary().population_codes


class RegistryFilterSet(NearFilterMixin):
    """Filters shared by the registry endpoints; subclasses say how a service-level rule reaches their rows."""

    q = django_filters.CharFilter(
        method="filter_nothing",
        help_text=(
            "Words: names, descriptions, eligibility, needs (English or Spanish), languages, city; accents and case "
            "do not matter, close spellings of names match. Every match, best first (nearest counted with near): "
            f"the {search.MAX_RANKED} best ranked, the others after them. At most {search.MAX_QUERY_CHARS} "
            "characters; blank is ignored, only common words ('the') is a 400. Active services only."
        ),
    )

    need = CodeListFilter(
        vocabulary=_need_codes, label_plural="need codes", help_text="Need code(s) from /api/taxonomy/."
    )
    language = CodeListFilter(
        vocabulary=_language_codes, label_plural="language codes", help_text="ISO 639-1 code(s), e.g. es."
    )
    population = CodeListFilter(
        vocabulary=_population_codes,
        label_plural="population codes",
        help_text="Population code(s) from /api/populations/: services that serve them.",
    )
    age = IntegerFilter(
        method="filter_nothing",
        min_value=0,
        max_value=eligibility.MAX_AGE_YEARS,
        help_text="A client's age in years: services that take it (their age limits and age groups).",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ServiceStatus.choices,
        help_text="Service status (active, inactive, defunct, temporarily closed).",
    )

    def service_q(self):
        """Return the service-level filter built from need, language, population and status, or None."""
        data = self.form.cleaned_data
        q = None

        def add(condition):
            nonlocal q
            q = condition if q is None else q & condition

        if data.get("need"):
            add(selectors.services_meeting_needs_q(data["need"]))
        if data.get("language"):
            add(selectors.services_speaking_q(data["language"]))
        if data.get("population"):  # validated codes: read only when given
            for population in Population.objects.filter(code__in=data["population"]):
                add(eligibility.serving_population_q(population))
        if data.get("age") is not None:
            add(eligibility.serving_age_q(data["age"]))
        if data.get("status"):
            add(Q(status__in=data["status"]))
        return q

    @property
    def access(self) -> ConfidentialAccess:
        return confidential_access_for_user(getattr(self.request, "user", None))

    def keyword(self, queryset: QuerySet, attribute: str) -> QuerySet:
        """Keep the records the keyword search found (`attribute`: the hit's id of this endpoint's records), best
        first; without `q`, the queryset as it is."""
        data = self.form.cleaned_data
        if not data.get("q"):
            return queryset
        return search.best_first(queryset, self._found(), attribute, access=self.access,
                                 few=data.get("origin") is not None)  # fmt: skip

    def sites_matching(self, site: str) -> tuple[str, dict] | None:
        """`keyword` for sites in a statement of their own (providers.map_list): the condition on the column `site`
        and its parameters, or None without `q`."""
        data = self.form.cleaned_data
        if not data.get("q"):
            return None
        return search.sites_matching(self._found(), access=self.access, near=data.get("origin") is not None, site=site)

    def _found(self) -> search.Found:
        data = self.form.cleaned_data
        return search.search(data["q"], access=self.access, origin=data.get("origin"), radius_m=data["radius_m"])


class StaleFilter(django_filters.ChoiceFilter):
    """`stale=true|false` (anything else is a 400); applied by the filter sets' filter_queryset."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("true", "true"), ("false", "false")], **kwargs)

    def filter(self, qs, value):
        return qs


class OrganizationFilter(RegistryFilterSet):
    bbox = BBoxFilter(help_text="min_lon,min_lat,max_lon,max_lat: organizations with a service offered in the box.")
    stale = StaleFilter(help_text="true: organizations with an active service not verified recently (the queue).")

    class Meta:
        model = Organization
        fields = []
        form = NearForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # One service must satisfy every condition at once (the need *and* the place), not one service
        # the need and another the place.
        data = self.form.cleaned_data
        conditions = [] if self.service_q() is None else [self.service_q()]
        if data.get("bbox"):
            conditions.append(
                Exists(
                    ServiceAtLocation.objects.filter(
                        self.access.bbox_q(data["bbox"], prefix="location__"), service_id=OuterRef("pk")
                    )
                )
            )
        if data.get("origin"):
            conditions.append(
                selectors.services_near_q(access=self.access, origin=data["origin"], radius_m=data["radius_m"])
            )
        if conditions:
            services = Service.objects.filter(*conditions, organization_id=OuterRef("pk"))
            queryset = queryset.filter(Exists(services))
        if data.get("stale"):
            queryset = queryset.filter(stale=data["stale"] == "true")
        return self.keyword(queryset, "organization_id")


def _accessibility_codes():
    return accessibility.CODES


def _accessibility_filter(help_text: str) -> CodeListFilter:
    return CodeListFilter(vocabulary=_accessibility_codes, label_plural="accessibility codes",
                          help_text=f"Accessibility code(s) from /api/accessibility/: {help_text}")  # fmt: skip


class ServiceFilter(RegistryFilterSet):
    organization = django_filters.UUIDFilter(field_name="organization_id", help_text="Organization id.")
    accessibility = _accessibility_filter("services offered at a site with every one.")
    bbox = BBoxFilter(help_text="min_lon,min_lat,max_lon,max_lat: services offered at a location in the box.")
    stale = StaleFilter(help_text="true: active services not verified within LISTING_STALE_AFTER_DAYS.")

    class Meta:
        model = Service
        fields = []
        form = NearForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        q = self.service_q()
        if q is not None:
            queryset = queryset.filter(q)
        if data.get("organization"):
            queryset = queryset.filter(organization_id=data["organization"])
        # Where a service is offered and the features asked of its site hold at the same site.
        features = Q(location__accessibility__contains=data["accessibility"]) if data.get("accessibility") else Q()
        if data.get("bbox"):
            queryset = queryset.filter(
                Exists(
                    ServiceAtLocation.objects.filter(
                        self.access.bbox_q(data["bbox"], prefix="location__"), features, service_id=OuterRef("pk")
                    )
                )
            )
        if data.get("origin"):
            sites = Location.objects.filter(accessibility__contains=data["accessibility"]) if features else None
            queryset = queryset.filter(selectors.services_near_q(
                access=self.access, origin=data["origin"], radius_m=data["radius_m"], sites=sites,
            ))  # fmt: skip
        elif features and not data.get("bbox"):
            queryset = queryset.filter(Exists(ServiceAtLocation.objects.filter(features, service_id=OuterRef("pk"))))
        if data.get("stale"):
            stale = selectors.stale_services_q(timezone.localdate())
            queryset = queryset.filter(stale) if data["stale"] == "true" else queryset.exclude(stale)
        return self.keyword(queryset, "service_id")


class LocationFilter(RegistryFilterSet):
    organization = django_filters.UUIDFilter(field_name="organization_id", help_text="Organization id.")
    bbox = BBoxFilter(help_text="min_lon,min_lat,max_lon,max_lat (WGS84 degrees).")
    location_type = django_filters.MultipleChoiceFilter(choices=Location.LocationType.choices)
    accessibility = _accessibility_filter("sites offering every one.")

    class Meta:
        model = Location
        fields = []
        form = NearForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        q = self.service_q()
        if q is not None:
            queryset = queryset.filter(
                Exists(
                    ServiceAtLocation.objects.filter(location_id=OuterRef("pk"), service__in=Service.objects.filter(q))
                )
            )
        if data.get("organization"):
            queryset = queryset.filter(organization_id=data["organization"])
        if data.get("location_type"):
            queryset = queryset.filter(location_type__in=data["location_type"])
        if data.get("accessibility"):
            queryset = queryset.filter(accessibility__contains=data["accessibility"])
        if data.get("bbox"):
            queryset = selectors.locations_in_bbox(queryset, access=self.access, bbox=data["bbox"])
        if data.get("origin"):
            queryset = selectors.locations_near(
                queryset, access=self.access, origin=data["origin"], radius_m=data["radius_m"]
            )
        return self.keyword(queryset, "location_id")


class SpecialistFilter(django_filters.FilterSet):
    language = CodeListFilter(vocabulary=_language_codes, label_plural="language codes")
    on_call_24_7 = django_filters.BooleanFilter()
    bbox = BBoxFilter(help_text="min_lon,min_lat,max_lon,max_lat: specialists whose coverage meets the box.")

    class Meta:
        model = VictimAssistanceSpecialist
        fields = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        if data.get("language"):
            queryset = queryset.filter(languages__code__in=data["language"]).distinct()
        if data.get("on_call_24_7") is not None:
            queryset = queryset.filter(on_call_24_7=data["on_call_24_7"])
        if data.get("bbox"):
            box = data["bbox"]
            polygon = Polygon.from_bbox((box.min_lon, box.min_lat, box.max_lon, box.max_lat))
            polygon.srid = WGS84
            queryset = queryset.filter(coverage_area__intersects=polygon)
        return queryset

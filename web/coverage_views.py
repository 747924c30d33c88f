"""The coverage page: a need's map of how far each county is from the nearest provider meeting it (coveragemap),
as a choropleth drawn from the API's GeoJSON and, for screen readers and without scripts, the same as a table."""

import json
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coveragemap.api import coverage_data
from coveragemap.permissions import may_see_coverage
from geo import basemap
from providers.eligibility import MAX_AGE_YEARS
from providers.models import Language, NeedTerm
from web.templatetags.web_extras import translated

DEFAULT_NEED = "t-visa"
# The legend's classes in miles (upper bounds), nearest first; beyond the last, and counties nothing meets.
MILE_CLASSES = (10, 25, 50, 100)


class CoverageForm(forms.Form):
    need = forms.ModelChoiceField(NeedTerm.objects.order_by("sort_order", "name"), to_field_name="code",
                                  label=gettext_lazy("Need"))  # fmt: skip
    language = forms.ModelChoiceField(Language.objects.order_by("name"), to_field_name="code", required=False,
                                      label=gettext_lazy("In the language"),
                                      empty_label=gettext_lazy("any language"))  # fmt: skip
    age = forms.IntegerField(min_value=0, max_value=MAX_AGE_YEARS, required=False,
                             widget=forms.NumberInput(attrs={"aria-describedby": "age-hint"}),
                             label=gettext_lazy("For a person aged"),
                             help_text=gettext_lazy("Empty: any age. 15: services a 15-year-old may use."))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].label_from_instance = lambda term: translated(term.name)
        self.fields["language"].label_from_instance = lambda language: language.name


@never_cache
@require_GET
@login_required
def coverage(request):
    if not may_see_coverage(request.user):
        raise PermissionDenied
    form = CoverageForm(request.GET or {"need": DEFAULT_NEED})
    data, rows = None, []
    if form.is_valid():
        need, language, age = (form.cleaned_data[name] for name in ("need", "language", "age"))
        data = coverage_data(need, language.code if language else "", age)
        rows = sorted(data["counties"], key=_worst_first)
    query = ""
    if data:
        asked = {"need": data["need"], "language": data["language"], "age": data["age"]}
        query = "?" + urlencode({name: value for name, value in asked.items() if value not in ("", None)})
    map_config = {**basemap.config(), "classes": MILE_CLASSES, "labels": _labels()}
    if data:
        map_config["geojson"] = reverse("coverage") + query + "&format=geojson"
    return render(request, "web/coverage.html", {
        "form": form, "coverage": data, "rows": rows, "query": query, "classes": MILE_CLASSES,
        "map_config": json.dumps(map_config), "api_url": reverse("coverage"),
    })  # fmt: skip


def _worst_first(row: dict) -> tuple:
    # Counties nothing meets first, then the farthest: the table is read for where the gaps are.
    return (row["distance_m"] is not None, -(row["distance_m"] or 0), row["state"], row["name"])


def _labels() -> dict[str, str]:
    return {"mi": _("mi"), "none": _("none anywhere"), "unmet": _("unmet requests"), "legend": _("Nearest provider"),
            "upTo": _("up to"), "over": _("over")}  # fmt: skip

"""The map's light list (/api/locations/map/): its prepared statement (providers/map_list.py) keeps, orders, counts
and places the same sites as the ORM's filters, for every kind of caller and every filter it answers, and what the
public sees of a shelter there is what the disclosure policy shows (its features are MapLocationSerializer's output:
tests/providers/test_location_features.py)."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from matching import search
from providers import features, map_list
from providers.filters import LocationFilter
from providers.models import Location
from providers.serializers import MapLocationSerializer
from tests import factories
from tests.providers.test_location_features import ACCESSES, as_json

pytestmark = pytest.mark.django_db
LIGHT = set(MapLocationSerializer.Meta.fields) - {"id", "geometry"}  # a feature's properties


@pytest.fixture
def registry(provider_org, other_org):
    """Sites around Houston: a confidential shelter whose public point lies elsewhere, a clinic speaking Spanish,
    a closed legal office, a virtual hotline, a site beyond 25 miles, and one of another city's."""
    shelter = factories.location(
        provider_org, latitude=29.7512, longitude=-95.3612, is_confidential=True, name="Safe House", beds_total=12,
        beds_available=3, accepting_referrals=True, accessibility=["wheelchair", "sign-language"],
    )  # fmt: skip
    factories.offer(factories.service(provider_org, name="Shelter", needs=["emergency-shelter"]), shelter)
    factories.offer(factories.service(provider_org, name="Visas", needs=["t-visa"], status="inactive"), shelter)
    # A text at a confidential site, withheld from search but for those who see every site exactly.
    night = factories.service(provider_org, name="Night intake", description="Ring at 12 Quokka Lane, side door.")
    factories.offer(night, shelter)
    clinic = factories.location(other_org, latitude=29.70, longitude=-95.40, name="Clinic", open_24_7=True,
                                accessibility=["wheelchair"])  # fmt: skip
    factories.offer(factories.service(other_org, name="Care", needs=["medical"], languages=["es"]), clinic)
    office = factories.location(other_org, latitude=29.80, longitude=-95.30, name="Legal office")
    factories.offer(factories.service(other_org, name="Civil", needs=["legal-civil"], status="inactive"), office)
    factories.location(other_org, latitude=None, longitude=None, name="Hotline", location_type="virtual")
    far = factories.location(other_org, latitude=30.30, longitude=-95.45, name="Conroe site")
    factories.offer(factories.service(other_org, name="Medical far", needs=["medical"]), far)
    factories.location(provider_org, latitude=32.78, longitude=-96.80, name="Dallas office")
    # Medical care and Spanish here, but from two services: a search for both is not met here.
    mixed = factories.location(other_org, latitude=29.72, longitude=-95.35, name="Two services")
    factories.offer(factories.service(other_org, name="Medical only", needs=["medical"]), mixed)
    factories.offer(factories.service(other_org, name="Spanish legal", needs=["legal-civil"], languages=["es"]), mixed)
    return shelter


FILTERS = [
    {},
    {"near": "29.76,-95.37"},
    {"near": "29.76,-95.37", "radius_mi": 100},
    {"near": "29.76,-95.37", "need": "medical"},
    {"near": "29.76,-95.37", "need": "legal"},  # a parent: its children's services
    {"near": "29.76,-95.37", "need": "t-visa,medical", "status": "active"},
    {"near": "29.76,-95.37", "status": "inactive"},
    {"near": "29.76,-95.37", "language": "es"},
    {"near": "29.76,-95.37", "need": "medical", "language": "es"},  # one service must meet both
    {"near": "29.76,-95.37", "location_type": "physical", "organization": "own"},
    {"near": "29.7512,-95.3612", "radius_km": 0.5, "organization": "own"},
    {"bbox": "-95.3622,29.7502,-95.3602,29.7522", "organization": "own", "need": "emergency-shelter"},
    {"organization": "other", "status": ["active", "inactive"]},
    {"need": "medical"},
    {"location_type": "virtual"},
    {"bbox": "-95.5,29.6,-95.2,29.9"},
    {"bbox": "-95.5,29.6,-95.2,29.9", "need": "emergency-shelter"},
    {"near": "29.76,-95.37", "radius_km": 5},
    {"near": "32.78,-96.80", "radius_mi": 10},
    {"near": "29.76,-95.37", "need": "dental"},
    # Around the shelter's exact point, closer than its public point (displaced 1-3 km): only those who see it
    # exactly find it there.
    {"near": "29.7512,-95.3612", "radius_km": 0.5},
    {"bbox": "-95.3622,29.7502,-95.3602,29.7522"},
    {"near": "29.76,-95.37", "accessibility": "wheelchair"},  # every feature asked, at the site
    {"accessibility": "wheelchair,sign-language", "need": "emergency-shelter"},
]

# Words: ranked first, then the other matches (matching.search.sites_matching's four ways to keep them, and the
# names a typo was taken for); the shelter's withheld service text is searched only by those who see it.
WORDS = [
    {"q": "clinic"},
    {"q": "clinic", "near": "29.76,-95.37"},
    {"q": "medical", "near": "29.76,-95.37", "radius_mi": 100},
    {"q": "medical", "near": "29.76,-95.37", "radius_mi": 450},  # too wide for the cells (600 km): each site checked
    {"q": "shelter visas", "near": "29.7512,-95.3612", "radius_km": 5},
    {"q": "clinic dental", "near": "29.76,-95.37"},  # no site holds both: any word
    {"q": "clinc", "near": "29.76,-95.37"},  # a typo of a name
    {"q": "legal", "need": "legal", "status": "inactive", "near": "29.76,-95.37", "radius_mi": 50},
    {"q": "medical", "bbox": "-95.5,29.6,-95.2,29.9", "organization": "other"},
    {"q": "Care", "near": "29.76,-95.37", "language": "es"},
    {"q": "shelter", "near": "29.7512,-95.3612", "radius_km": 0.5},  # nearer the exact point than the public one
    {"q": "clinic dental"},  # any word, no place: at most MAX_MATCHES documents
    {"q": "quokka lane"},
    {"q": "quokka lane", "near": "29.76,-95.37"},
    {"q": "quokka lane", "near": "29.76,-95.37", "radius_mi": 450},
]


def validated(params: dict, access=None) -> LocationFilter:
    """The filters as the API validates them; as the caller `access` stands for, when given."""
    request = APIRequestFactory().get("/api/locations/map/", params)
    request.user = AnonymousUser()
    kind = LocationFilter if access is None else type("AsCaller", (LocationFilter,), {"access": access})
    filterset = kind(request.GET, queryset=Location.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    return filterset


def read(filterset: LocationFilter, access, *, offset: int = 0, limit: int = 50) -> list[dict]:
    """One page from the statement, as the API reads it: the words' condition from the filters."""
    data = filterset.form.cleaned_data
    return map_list.read_page(data, access, offset=offset, limit=limit, words=filterset.sites_matching("l.id"))


@pytest.mark.parametrize("params", FILTERS, ids=[json.dumps(p) for p in FILTERS])
@pytest.mark.parametrize("who", list(ACCESSES))
def test_the_statement_keeps_orders_and_places_what_the_orm_does(
    registry, provider_org, other_org, monkeypatch, who, params
):
    access = ACCESSES[who](provider_org, other_org)
    monkeypatch.setattr(LocationFilter, "access", property(lambda self: access))  # the ORM's filters as this caller's
    organizations = {"own": str(provider_org.pk), "other": str(other_org.pk)}
    if "organization" in params:
        params = {**params, "organization": organizations[params["organization"]]}
    filterset = validated(params)
    expected_rows = list(features.location_rows(filterset.qs, features.MAP_COLUMNS))
    data = filterset.form.cleaned_data
    assert map_list.answers(data)
    rows = read(filterset, access)
    assert [row["id"] for row in rows] == [row["id"] for row in expected_rows]
    assert {row["total"] for row in rows} <= {len(expected_rows)}
    assert as_json(features.map_features(rows, access)) == as_json(features.map_features(expected_rows, access))


@pytest.mark.parametrize("ranked", [search.MAX_RANKED, 1], ids=["every match ranked", "one ranked"])
@pytest.mark.parametrize("params", WORDS, ids=[json.dumps(p) for p in WORDS])
@pytest.mark.parametrize("who", list(ACCESSES))
def test_words_keep_and_rank_what_the_orm_does(
    registry, provider_org, other_org, monkeypatch, who, params, ranked
):  # fmt: skip
    """With one site ranked, the search's hits are not every match near the place: the others come from the place's
    cells (or each site's documents), after the ranked one."""
    monkeypatch.setattr(search, "MAX_RANKED", ranked)
    test_the_statement_keeps_orders_and_places_what_the_orm_does(
        registry, provider_org, other_org, monkeypatch, who, params
    )
    access = ACCESSES[who](provider_org, other_org)
    params = {**params, "organization": str(other_org.pk)} if "organization" in params else params
    filterset = validated(params)
    expected = [row["id"] for row in features.location_rows(filterset.qs, features.MAP_COLUMNS)]
    for offset in range(len(expected)):  # each page of one: the order decides which site it holds
        page = read(filterset, access, offset=offset, limit=1)
        assert [row["id"] for row in page] == expected[offset : offset + 1]


def test_words_are_answered_by_the_statement_and_find_what_each_caller_may_search(registry, provider_org, other_org):
    """A service's text at a confidential site (withheld from search) finds the site for callers who see every site
    exactly, and for no one else: not the public, not another provider, near it or anywhere."""
    for params in ({"q": "quokka"}, {"q": "quokka lane", "near": "29.7512,-95.3612", "radius_km": 5}):
        names = {}
        for who in ACCESSES:
            access = ACCESSES[who](provider_org, other_org)
            filterset = validated(params, property(lambda self, access=access: access))
            assert map_list.answers(filterset.form.cleaned_data)
            names[who] = [row["name"] for row in read(filterset, access)]
        assert names == {"public": [], "another provider": [], "the site's provider": [],
                         "every site": ["Safe House"]}, params  # fmt: skip
    # The name is everyone's to search: the public finds the shelter by it, at its public point.
    public = ACCESSES["public"](provider_org, other_org)
    assert [row["name"] for row in read(validated({"q": "night intake"}), public)] == ["Safe House"]


@pytest.mark.parametrize("who", list(ACCESSES))
def test_a_page_other_than_the_first_and_one_organization(registry, provider_org, other_org, who):
    access = ACCESSES[who](provider_org, other_org)
    data = validated({"near": "29.76,-95.37", "radius_mi": 100, "organization": str(other_org.pk)}).form.cleaned_data
    everything = map_list.read_page(data, access, offset=0, limit=50)
    assert [row["name"] for row in everything] == ["Two services", "Clinic", "Legal office", "Conroe site"]
    second = map_list.read_page(data, access, offset=1, limit=2)
    assert [row["name"] for row in second] == ["Clinic", "Legal office"] and second[0]["total"] == 4
    assert map_list.read_page(data, access, offset=4, limit=1) == []


def test_the_public_gets_the_shelter_at_its_public_point_measured_from_there(api, registry):
    answer = api.get("/api/locations/map/", {"near": "29.7512,-95.3612", "radius_mi": 25})
    assert answer.status_code == 200
    shelter = next(f for f in answer.json()["features"] if f["properties"]["name"] == "Safe House")
    assert shelter["properties"]["precision"] == "approximate"
    assert shelter["geometry"]["coordinates"] == [registry.public_longitude, registry.public_latitude]
    assert shelter["geometry"]["coordinates"] != [-95.3612, 29.7512]
    assert shelter["properties"]["distance_km"] > 0.9  # from the public point (1-3 km away), not the exact one (0 km)
    assert set(shelter["properties"]) == LIGHT


@pytest.mark.parametrize(
    "who, found, precision",
    [(None, False, None), ("other_provider", False, None), ("provider", True, "exact"), ("hotline", True, "exact")],
)
def test_who_finds_the_shelter_by_its_exact_place_over_the_api(registry, client_for, who, found, precision):
    """Half a kilometre around the shelter's door: only those who may see it exactly find it there."""
    answer = client_for(who).get("/api/locations/map/", {"near": "29.7512,-95.3612", "radius_km": 0.5})
    names = {f["properties"]["name"]: f for f in answer.json()["features"]}
    assert ("Safe House" in names) is found
    if found:
        assert names["Safe House"]["properties"]["precision"] == precision
        assert names["Safe House"]["geometry"]["coordinates"] == [-95.3612, 29.7512]


def test_the_api_pages_counts_and_falls_back_for_what_the_statement_does_not_answer(api, registry):
    first = api.get("/api/locations/map/", {"near": "29.76,-95.37", "radius_mi": 100, "page_size": 3}).json()
    assert first["count"] == 5 and len(first["features"]) == 3 and "page=2" in first["next"]
    last = api.get("/api/locations/map/", {"near": "29.76,-95.37", "radius_mi": 100, "page_size": 3, "page": 2})
    assert last.json()["count"] == 5 and len(last.json()["features"]) == 2 and last.json()["next"] is None
    for page in (4, 0, "x", "9" * 5000):
        response = api.get("/api/locations/map/", {"near": "29.76,-95.37", "page_size": 2, "page": page})
        assert response.status_code == 404 and "Invalid page" in response.json()["detail"]
    assert api.get("/api/locations/map/", {"page": "last", "page_size": 2}).json()["count"] == 7
    # Populations and ages through the ORM's filters, words through the statement: the same shape.
    for params in ({"q": "clinic"}, {"population": "women"}, {"age": 30, "need": "medical"}):
        response = api.get("/api/locations/map/", params)
        assert response.status_code == 200, params
        for feature in response.json()["features"]:
            assert set(feature["properties"]) == LIGHT
    found = api.get("/api/locations/map/", {"q": "clinic"}).json()["features"]
    # The medical need's words include "clinic": the medical sites, found through the search's matches.
    assert {feature["properties"]["name"] for feature in found} == {"Clinic", "Conroe site", "Two services"}


@pytest.mark.parametrize(
    "params, field",
    [({"need": "nope"}, "need"), ({"radius_mi": 5}, "near"), ({"bbox": "1,2,3"}, "bbox"), ({"near": "x\x00"}, "near"),
     ({"status": "gone"}, "status"), ({"organization": "not-a-uuid"}, "organization"),
     ({"radius_mi": 1e9, "near": "77002"}, "radius_mi")],
)  # fmt: skip
def test_bad_filters_are_a_400_naming_the_field(api, registry, params, field):
    response = api.get("/api/locations/map/", params)
    assert response.status_code == 400 and field in response.json(), response.content

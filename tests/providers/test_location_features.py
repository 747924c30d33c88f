"""The location lists' pages (providers/features.py) are LocationSerializer's and MapLocationSerializer's output,
field for field, for every kind of caller: the public, another provider, the site's own provider, and those who see
every site exactly."""

import json
from datetime import time

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from geo.queries import make_point
from providers import features, selectors
from providers.access import ConfidentialAccess
from providers.disclosure import text_digest
from providers.models import Location
from providers.serializers import LocationSerializer, MapLocationSerializer
from tests import factories

pytestmark = pytest.mark.django_db

SAFE_NOTE = "Call the front door first."


@pytest.fixture
def sites(provider_org, other_org):
    shelter = factories.location(
        provider_org, latitude=29.751234, longitude=-95.361234, is_confidential=True, name="Safe House",
        alternate_name="SH", description="Behind 4321 Hidden Oak Ln", transportation="Bus 40 to Hidden Oak",
        beds_total=12, beds_available=3, capacity_updated_at=timezone.now(), accepting_referrals=True,
    )  # fmt: skip
    factories.address(shelter, address_1="4321 Hidden Oak Ln", address_2="Unit 2", attention="Intake",
                      region="Harris", postal_code="77003-1234")  # fmt: skip
    factories.address(shelter, address_1="PO Box 12", address_type="postal", postal_code="77001")
    direct = factories.phone(location=shelter, number="+17135550142", description="Direct line", extension="12")
    direct.languages.set(["es", "en"])
    front = factories.phone(location=shelter, number="+17135550199", is_front_door=True, description=SAFE_NOTE)
    front.languages.set(["vi"])
    shelter_service = factories.service(provider_org, name="Shelter", needs=["emergency-shelter"])
    factories.offer(shelter_service, shelter)
    factories.offer(factories.service(provider_org, name="Case work", status="inactive"), shelter)
    factories.schedule(shelter, 1, time(9), time(17), description="Intake at 4321 Hidden Oak Ln")
    factories.schedule(shelter, 1, time(18, 30), time(2), service=shelter_service, description=SAFE_NOTE)
    Location.objects.filter(pk=shelter.pk).update(safe_texts=[text_digest(SAFE_NOTE)])

    clinic = factories.location(other_org, latitude=29.70, longitude=-95.40, name="Clinic", open_24_7=True)
    factories.address(clinic, address_1="1 Clinic Way", postal_code="77005-4321")
    factories.phone(location=clinic, number="+17135550111", description="Nurse line")
    factories.phone(location=clinic, number="", description="Number to come")  # the serializer leaves it out
    factories.offer(factories.service(other_org, needs=["medical"]), clinic)
    virtual = factories.location(other_org, latitude=None, longitude=None, name="Hotline", location_type="virtual")
    return shelter, clinic, virtual


def as_json(data):
    return json.loads(JSONRenderer().render(data))


ACCESSES = {
    "public": lambda own, other: ConfidentialAccess(),
    "another provider": lambda own, other: ConfidentialAccess(organization_id=other.pk),
    "the site's provider": lambda own, other: ConfidentialAccess(organization_id=own.pk),
    "every site": lambda own, other: ConfidentialAccess(all=True),
}


# The full list and the map's light list (/api/locations/map/): what builds each page, and what documents it.
SHAPES = {
    "full": (features.LOCATION_COLUMNS, features.location_features, LocationSerializer),
    "map": (features.MAP_COLUMNS, features.map_features, MapLocationSerializer),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("near", [False, True])
@pytest.mark.parametrize("who", list(ACCESSES))
def test_the_page_is_the_serializers_output(sites, provider_org, other_org, who, near, shape):
    access = ACCESSES[who](provider_org, other_org)
    columns, build, serializer = SHAPES[shape]
    queryset = selectors.location_list().order_by("name", "id")
    if near:
        queryset = selectors.locations_near(queryset, access=access, origin=make_point(29.76, -95.37), radius_m=50_000)
    expected = serializer(queryset, many=True, context={"access": access}).data
    built = build(features.location_rows(queryset, columns), access)
    assert len(built) == len(expected["features"]) >= 2
    assert as_json(built) == as_json(expected["features"])


def test_what_the_public_sees_of_the_shelter(sites):
    shelter = sites[0]
    built = features.location_features(features.location_rows(Location.objects.filter(pk=shelter.pk)),
                                       ConfidentialAccess())  # fmt: skip
    text = json.dumps(built)
    for secret in ("Hidden Oak", "77003-1234", "5550142", "29.751234", "Intake", "Harris"):
        assert secret not in text
    properties = built[0]["properties"]
    assert properties["precision"] == "approximate" and properties["phones"][0]["description"] == SAFE_NOTE
    assert [period["description"] for period in properties["schedules"]] == ["", SAFE_NOTE]


def test_the_count_and_links_come_with_the_page(api, other_org):
    for number in range(5):
        factories.location(other_org, latitude=29.70 + number / 100, longitude=-95.40, name=f"Site {number}")
    first = api.get("/api/locations/", {"near": "29.70,-95.40", "page_size": 2}).json()
    assert first["count"] == 5 and len(first["features"]) == 2 and first["previous"] is None
    assert "page=2" in first["next"]
    last = api.get("/api/locations/", {"near": "29.70,-95.40", "page_size": 2, "page": 3}).json()
    assert last["count"] == 5 and len(last["features"]) == 1 and last["next"] is None
    names = [f["properties"]["name"] for page in (1, 2, 3) for f in api.get(
        "/api/locations/", {"near": "29.70,-95.40", "page_size": 2, "page": page}).json()["features"]]  # fmt: skip
    assert names == [f"Site {number}" for number in range(5)]
    assert api.get("/api/locations/", {"page": "last", "page_size": 2}).json()["count"] == 5
    for page in (4, 0, "x", "²", "9" * 30, "9" * 5000):
        response = api.get("/api/locations/", {"near": "29.70,-95.40", "page_size": 2, "page": page})
        assert response.status_code == 404 and "Invalid page" in response.json()["detail"]
    empty = api.get("/api/locations/", {"near": "29.70,-95.40", "radius_mi": 1, "need": "t-visa"}).json()
    assert empty["count"] == 0 and empty["features"] == []

"""The service list from plain rows (providers/service_rows.py) is ServiceSerializer's output, field for field, for
every kind of caller, including the text withheld because it names a confidential site the caller may not see."""

import datetime
import json

import pytest

from providers import selectors, service_rows
from providers.access import ConfidentialAccess
from providers.disclosure import text_digest
from providers.models import Location, Service
from providers.serializers import ServiceSerializer
from tests import factories
from tests.providers.test_location_features import ACCESSES, as_json

pytestmark = pytest.mark.django_db

NAMES_THE_STREET = "Come to 4321 Hidden Oak Ln after 6 pm."
MARKED_SAFE = "Ask for intake at 713-555-0142."


@pytest.fixture
def services(provider_org, other_org):
    shelter = factories.location(provider_org, latitude=29.751234, longitude=-95.361234, is_confidential=True,
                                 name="Safe House")  # fmt: skip
    factories.address(shelter, address_1="4321 Hidden Oak Ln", postal_code="77003-1234")
    factories.phone(location=shelter, number="+17135550142", description="Direct line")
    factories.phone(location=shelter, number="+17135550199", is_front_door=True)
    Location.objects.filter(pk=shelter.pk).update(safe_texts=[text_digest(MARKED_SAFE)])
    clinic = factories.location(other_org, latitude=29.70, longitude=-95.40, name="Clinic")
    factories.address(clinic, address_1="1 Clinic Way", postal_code="77005-4321")

    housing = factories.service(
        provider_org, name="Housing", needs=["transitional-housing", "emergency-shelter", "case-management"],
        populations=["women", "minors"], languages=["es", "en", "vi"], description=NAMES_THE_STREET,
        eligibility_description="Women 18 and over; call 77003-1234 first.", application_process=MARKED_SAFE,
        minimum_age=18, last_verified_on=datetime.date.today(), alert="Full this week",
    )  # fmt: skip
    factories.offer(housing, shelter)
    factories.offer(housing, clinic)
    phone = factories.phone(service=housing, number="+17135550100", extension="7", description="Intake")
    phone.languages.set(["es"])
    factories.phone(service=housing, number="")  # the serializer leaves its number out
    factories.phone(location=shelter, number="", description="A direct line without its number yet")
    legal = factories.service(other_org, name="Legal clinic", needs=["t-visa"], status="inactive",
                              description="Near 4321 Hidden Oak Ln")  # fmt: skip
    factories.offer(legal, clinic)  # not offered at the shelter: its text names no site of its own
    factories.service(other_org, name="Stale", needs=["medical"], last_verified_on=datetime.date(2020, 1, 1))
    return housing, legal


@pytest.mark.parametrize("who", list(ACCESSES))
def test_the_list_is_the_serializers_output(services, provider_org, other_org, who):
    access = ACCESSES[who](provider_org, other_org)
    expected = ServiceSerializer(selectors.service_list(), many=True, context={"access": access}).data
    built = service_rows.service_data(service_rows.service_rows(Service.objects.all()), access)
    assert len(built) == len(expected) == 3
    assert as_json(built) == as_json(expected)


def test_what_the_public_sees_of_a_service_offered_at_the_shelter(services):
    built = service_rows.service_data(service_rows.service_rows(Service.objects.filter(pk=services[0].pk)),
                                      ConfidentialAccess())  # fmt: skip
    housing = built[0]
    assert housing["withheld"] == ["description", "eligibility_description"]
    assert housing["description"] == housing["eligibility_description"] == ""
    assert housing["application_process"] == MARKED_SAFE
    assert "Hidden Oak" not in json.dumps(built)


def test_the_api_list_pages_and_counts(api, services):
    first = api.get("/api/services/", {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and "page=2" in first["next"]
    second = api.get("/api/services/", {"page_size": 2, "page": 2}).json()
    assert [s["name"] for s in first["results"] + second["results"]] == ["Housing", "Legal clinic", "Stale"]
    assert api.get("/api/services/", {"page": 3, "page_size": 2}).status_code == 404

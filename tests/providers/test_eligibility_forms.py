"""The eligibility rule (providers.eligibility) gives the same answer in its two forms: the registry API's ORM
filter (`/api/services/?population=...&age=...`) and the match index's encoding walked by `/api/match/`.

Hypothesis draws a small registry (services with any populations, known or not, and any age limits) and a
client; both endpoints must name the same services."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from providers.eligibility import (
    CITIZENSHIP_ANSWERS,
    GENDER_ANSWERS,
    MAX_AGE_YEARS,
    TRAFFICKING_ANSWERS,
    Client,
)
from providers.models import Population
from tests import factories
from tests.matching.conftest import NEAR, point_at

pytestmark = pytest.mark.django_db

CODES = ["adults", "minors", "women", "men", "transgender-nonbinary", "sex-trafficking", "labor-trafficking",
         "foreign-nationals", "us-citizens-lpr", "lgbtq", "unknown-gender-code"]  # fmt: skip

ages = st.none() | st.integers(min_value=0, max_value=MAX_AGE_YEARS)


@st.composite
def services(draw):
    low, high = draw(ages), draw(ages)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return draw(st.sets(st.sampled_from(CODES), max_size=4)), low, high


clients = st.builds(
    Client,
    age=ages,
    gender=st.none() | st.sampled_from(sorted(GENDER_ANSWERS)),
    trafficking_type=st.none() | st.sampled_from(sorted(TRAFFICKING_ANSWERS)),
    citizenship=st.none() | st.sampled_from(sorted(CITIZENSHIP_ANSWERS)),
    # lgbtq=False (leave out services for LGBTQ+ people only) has no population code: matching only.
    lgbtq=st.none() | st.just(True),
)


def ids_from_services(api, client: Client) -> set[str]:
    params = {"need": "emergency-shelter", "page_size": 200}
    if client.population_codes():
        params["population"] = ",".join(client.population_codes())
    if client.age is not None:
        params["age"] = client.age
    response = api.get("/api/services/", params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def ids_from_match(api, client: Client) -> set[str]:
    params = {"near": NEAR, "needs": "emergency-shelter", "limit": 50}
    params.update({k: v for k, v in vars(client).items() if v is not None})
    response = api.get("/api/match/", params)
    assert response.status_code == 200, response.content
    return {row["service"]["id"] for row in response.json()["results"]}


@pytest.fixture
def unknown_code(db):
    # A code the rule does not know, on a known dimension: it restricts that dimension to nobody it can name.
    Population.objects.create(code="unknown-gender-code", name="Unknown", dimension="gender")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(listed=st.lists(services(), min_size=1, max_size=6), client=clients)
# The age groups' edges, which random draws rarely hit.
@example(listed=[({"minors"}, None, None)], client=Client(age=18))
@example(listed=[({"minors"}, None, None)], client=Client(age=17))
@example(listed=[({"adults"}, None, None)], client=Client(age=17))
@example(listed=[({"adults", "minors"}, 18, None)], client=Client(age=17))
def test_services_and_match_agree_on_who_is_eligible(api, unknown_code, listed, client):
    with transaction.atomic():
        organization = factories.organization()
        site = factories.location(organization, latitude=point_at(2)[0], longitude=point_at(2)[1])
        for codes, low, high in listed:
            service = factories.service(
                organization, needs=["emergency-shelter"], populations=sorted(codes), minimum_age=low,
                maximum_age=high, last_verified_on="2026-11-01",
            )  # fmt: skip
            factories.offer(service, site)
        assert ids_from_services(api, client) == ids_from_match(api, client)
        transaction.set_rollback(True)


def test_the_property_can_tell_a_difference(api, unknown_code):
    """The comparison is not vacuous: a client both endpoints leave out differs from one they take."""
    organization = factories.organization()
    site = factories.location(organization, latitude=point_at(2)[0], longitude=point_at(2)[1])
    service = factories.service(organization, needs=["emergency-shelter"], populations=["minors"], maximum_age=17)
    factories.offer(service, site)
    child, adult = Client(age=12), Client(age=30)
    assert ids_from_services(api, child) == ids_from_match(api, child) == {str(service.pk)}
    assert ids_from_services(api, adult) == ids_from_match(api, adult) == set()

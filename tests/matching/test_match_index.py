"""The match index stays in step with the registry, and cross-organization offers leak nothing."""

from datetime import UTC, datetime

import pytest
from geopy.distance import geodesic

from matching.index import match_index_rebuild
from matching.models import MatchCandidate
from providers.models import NeedTerm, Population
from tests import factories
from tests.matching.conftest import NEAR, ORIGIN

pytestmark = pytest.mark.django_db


def index_rows():
    return sorted(
        MatchCandidate.objects.values_list(
            "need_id", "service_at_location_id", "service_id", "organization_id", "min_age", "max_age", "genders",
            "trafficking_types", "citizenship", "lgbtq_specific", "languages", "accepting_referrals",
        )
    )  # fmt: skip


def assert_index_current():
    live = index_rows()
    match_index_rebuild()
    assert live == index_rows()


def offer_ids(body):
    return [row["service_at_location_id"] for row in body["results"]]


def test_index_organization_is_the_locations(make_offer, provider_org, other_org):
    # Provider's service offered at another organization's confidential site.
    site = factories.location(other_org, latitude=29.80, longitude=-95.37, is_confidential=True)
    svc = factories.service(provider_org, needs=["emergency-shelter"], last_verified_on="2026-11-01")
    factories.offer(svc, site)
    assert set(MatchCandidate.objects.values_list("organization_id", flat=True)) == {other_org.pk}


def test_provider_of_a_service_at_another_orgs_confidential_site_gets_only_public_distances(
    client_for, provider_org, other_org
):
    site = factories.location(other_org, latitude=29.80, longitude=-95.37, is_confidential=True)
    factories.offer(factories.service(provider_org, needs=["emergency-shelter"], last_verified_on="2026-11-01"), site)
    row = client_for("provider").get("/api/match/", {"near": NEAR, "needs": "emergency-shelter"}).json()["results"][0]
    assert row["location"]["precision"] == "approximate"
    public_km = geodesic(ORIGIN, (site.public_latitude, site.public_longitude)).km
    # The public point is random and may land near the origin: allow the response's 0.01 km rounding too.
    assert row["distance_km"] == pytest.approx(public_km, rel=0.005, abs=0.005)


class TestFreshness:
    def test_reverse_clear_of_a_need(self, make_offer):
        make_offer(2, needs=["medical", "dental"])
        NeedTerm.objects.get(code="dental").services.clear()
        assert_index_current()

    def test_deleting_a_population_updates_eligibility(self, make_offer):
        make_offer(2, populations=["women"])
        Population.objects.get(code="women").delete()
        assert_index_current()
        assert MatchCandidate.objects.get().genders == 0

    def test_changing_a_population_dimension(self, make_offer):
        make_offer(2, populations=["lgbtq"])
        population = Population.objects.get(code="lgbtq")
        population.dimension = "gender"
        population.save()
        assert_index_current()

    def test_offer_moved_to_another_service(self, make_offer):
        offer = make_offer(2, needs=["medical"])
        offer.service = factories.service(offer.location.organization, needs=["dental"])
        offer.save()
        assert_index_current()
        assert set(MatchCandidate.objects.values_list("need__code", flat=True)) == {"dental"}

    def test_capacity_and_status_edits(self, make_offer):
        offer = make_offer(2)
        offer.location.accepting_referrals = False
        offer.location.save()
        offer.service.status = "inactive"
        offer.service.save()
        assert_index_current()
        assert not MatchCandidate.objects.exists()


def test_unknown_population_code_fails_closed(api, make_offer):
    # A code added in the admin that matching does not know must not read as "serves everyone".
    Population.objects.create(code="women-over-60", name="Women over 60", dimension="gender")
    make_offer(2, populations=["women-over-60"])
    assert api.get("/api/match/", {"near": NEAR, "needs": "emergency-shelter", "gender": "men"}).json()["results"] == []


def test_nearest_beyond_respects_open_now(api, make_offer):
    import time_machine

    make_offer(161, needs=["dental"])  # ~100 mi, no hours: never "open now"
    with time_machine.travel(datetime(2026, 11, 30, 15, 0, tzinfo=UTC), tick=False):
        body = api.get("/api/match/", {"near": NEAR, "needs": "dental", "open_now": "true"}).json()
    [uncovered] = body["coverage_plan"]["uncovered"]
    assert uncovered["nearest"] is None and uncovered["message"].startswith("no dental care open now")


def test_post_accepts_comma_separated_strings(api, make_offer):
    make_offer(2, needs=["medical", "dental"], languages=["es"])
    response = api.post("/api/match/", {"near": NEAR, "needs": "medical,dental", "language": "es"}, format="json")
    assert response.status_code == 200 and response.json()["needs"] == ["medical", "dental"]


def test_future_verification_date_reads_as_today(api, make_offer):
    make_offer(2, last_verified_on="2099-01-01")
    reasons = api.get("/api/match/", {"near": NEAR, "needs": "emergency-shelter"}).json()["results"][0]["reasons"]
    assert "verified today" in reasons

"""The match index stays in step with the registry, and cross-organization offers leak nothing."""

from datetime import UTC, date, datetime, time

import pytest
from geopy.distance import geodesic

from accounts.roles import Role
from matching.index import match_index_rebuild
from matching.models import MatchCandidate, OfferCard
from providers.models import ChangeRequest, NeedTerm, Population
from providers.services import (
    change_request_approve,
    listing_edit,
    location_schedules_replace,
    organization_verify,
)
from tests import factories
from tests.matching.conftest import NEAR, ORIGIN

pytestmark = pytest.mark.django_db


def index_rows():
    """Every derived column of every index row (not the row id) and every offer card, in a fixed order."""
    names = [f.attname for f in MatchCandidate._meta.concrete_fields if not f.primary_key]
    rows = [dict(zip(names, row, strict=True)) for row in MatchCandidate.objects.values_list(*names)]
    for row in rows:
        row["point"], row["public_point"] = (p.ewkt if p else None for p in (row["point"], row["public_point"]))
    card_names = [f.attname for f in OfferCard._meta.concrete_fields]
    cards = [dict(zip(card_names, row, strict=True)) for row in OfferCard.objects.values_list(*card_names)]
    return (
        sorted(rows, key=lambda row: (row["need_id"], str(row["service_at_location_id"]))),
        sorted(cards, key=lambda card: str(card["service_at_location_id"])),
    )


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


class TestRankingFactsStayCurrent:
    """Hours, beds, verification and needs are read from the index by matching: every write keeps them current
    (assert_index_current compares the index with a rebuild from the registry)."""

    def test_hours_saved_and_deleted_one_by_one(self, make_offer):
        offer = make_offer(2)
        period = factories.schedule(offer.location, 1, time(9), time(17, 30))
        assert_index_current()
        assert MatchCandidate.objects.get().hours == [[1, 9 * 3600, 17 * 3600 + 1800]]
        period.delete()
        assert_index_current()
        assert MatchCandidate.objects.get().hours == []

    def test_a_services_own_hours_at_a_site_win_over_the_sites(self, make_offer):
        offer = make_offer(2)
        factories.schedule(offer.location, 1, time(9), time(17))
        factories.schedule(offer.location, 2, time(10), time(12), service=offer.service)
        assert_index_current()
        assert MatchCandidate.objects.get().hours == [[2, 10 * 3600, 12 * 3600]]

    def test_a_period_moved_to_another_site_leaves_the_first(self, make_offer):
        first, second = make_offer(2), make_offer(3)
        period = factories.schedule(first.location, 1, time(9), time(17))
        period.location = second.location
        period.save()
        assert_index_current()
        assert MatchCandidate.objects.get(location=first.location).hours == []

    def test_a_period_closing_just_before_midnight_stays_a_time_of_day(self, api, make_offer):
        offer = make_offer(2)
        factories.schedule(offer.location, 1, time(20), time(23, 59, 59, 600000))
        assert MatchCandidate.objects.get().hours == [[1, 20 * 3600, 86399]]
        assert api.get("/api/match/", {"near": NEAR, "needs": "emergency-shelter"}).status_code == 200

    def test_hours_replaced_by_the_provider_portal(self, make_offer):
        offer = make_offer(2)  # no hours yet: nothing is deleted, only added (bulk_create sends no signals)
        user = factories.user(Role.PROVIDER, organization=offer.location.organization)
        location_schedules_replace(
            user=user, location=offer.location, periods=[{"weekday": 6, "opens_at": time(8), "closes_at": time(20)}]
        )
        assert_index_current()
        assert MatchCandidate.objects.get().hours == [[6, 8 * 3600, 20 * 3600]]

    def test_confirming_an_organizations_listings(self, make_offer):
        offer = make_offer(2, last_verified_on="2020-01-01")
        user = factories.user(Role.PROVIDER, organization=offer.location.organization)
        organization_verify(user=user, organization=offer.service.organization, now=datetime(2026, 11, 29, tzinfo=UTC))
        assert_index_current()
        assert MatchCandidate.objects.get().last_verified_on == date(2026, 11, 29)

    def test_beds_edited_by_the_provider(self, make_offer):
        offer = make_offer(2, location_fields={"beds_total": 10, "beds_available": 0})
        user = factories.user(Role.PROVIDER, organization=offer.location.organization)
        listing_edit(user=user, instance=offer.location, values={"beds_available": 4}, confirm_capacity=True)
        assert_index_current()
        assert MatchCandidate.objects.get().beds_available == 4

    def test_needs_interpretation_and_site_moves(self, make_offer):
        offer = make_offer(2, needs=["medical", "dental"])
        offer.service.interpretation_services = "Phone interpretation in 200 languages"
        offer.service.save()
        offer.location.time_zone = "America/Denver"
        offer.location.save()
        assert_index_current()
        rows = MatchCandidate.objects.all()
        assert all(row.interpretation and row.time_zone == "America/Denver" for row in rows)
        assert sorted(rows[0].service_needs) == sorted(NeedTerm.objects.filter(
            code__in=["medical", "dental"]).values_list("id", flat=True))  # fmt: skip


class TestOfferCardsStayCurrent:
    """What a match result shows of an offer (names, address, phones) is read from its card: every write keeps
    the cards current (assert_index_current compares them with a rebuild from the registry too)."""

    def card(self, offer) -> OfferCard:
        return OfferCard.objects.get(pk=offer.pk)

    def test_a_card_holds_the_names_the_first_address_and_each_owners_first_phone(self, make_offer):
        offer = make_offer(2)
        factories.address(offer.location, address_type="postal", address_1="PO Box 1")
        factories.address(offer.location, address_1="1 Main St")
        factories.phone(location=offer.location, number="+17135550101", type="fax")
        factories.phone(location=offer.location, number="+17135550102")
        factories.phone(location=offer.location, number="+17135550103", is_front_door=True)
        factories.phone(service=offer.service, number="+17135550104")
        factories.phone(organization=offer.service.organization, number="+17135550105", extension="12")
        assert_index_current()
        card = self.card(offer)
        assert (card.service_name, card.organization_name, card.location_name) == (
            offer.service.name, offer.service.organization.name, offer.location.name)  # fmt: skip
        assert (card.address_type, card.address_1) == ("physical", "1 Main St")
        assert (card.site_phone, card.site_phone_is_front_door) == ("+17135550103", True)
        assert (card.service_phone, card.organization_phone) == ("+17135550104", "+17135550105")
        assert card.organization_phone_extension == "12"

    def test_phones_added_edited_moved_and_deleted(self, make_offer):
        first, second = make_offer(2), make_offer(3)
        phone = factories.phone(location=first.location, number="+17135550110")
        assert_index_current()
        phone.number = "+17135550111"
        phone.save()
        assert_index_current()
        assert self.card(first).site_phone == "+17135550111"
        phone.location = second.location  # moved: the site it leaves has no phone left
        phone.save()
        assert_index_current()
        assert (self.card(first).site_phone, self.card(second).site_phone) == (None, "+17135550111")
        phone.delete()
        assert_index_current()
        assert self.card(second).site_phone is None

    def test_an_organizations_phone_and_name_reach_every_card_of_its_services(self, make_offer, other_org):
        org = factories.organization()
        here, there = make_offer(2, org=org), make_offer(3, org=org)
        elsewhere = factories.location(other_org)  # its service offered at another organization's site
        abroad = factories.offer(here.service, elsewhere)
        factories.phone(organization=org, number="+17135550120")
        assert_index_current()
        org.name = "Renamed Organization"
        org.save()
        assert_index_current()
        cards = OfferCard.objects.filter(pk__in=[here.pk, there.pk, abroad.pk])
        assert {(card.organization_name, card.organization_phone) for card in cards} == {
            ("Renamed Organization", "+17135550120")}  # fmt: skip

    def test_names_and_an_address_changed_through_review(self, make_offer):
        offer = make_offer(2)
        factories.address(offer.location, address_1="1 Main St")
        user = factories.user(Role.PROVIDER, organization=offer.location.organization)
        moderator = factories.user(Role.MODERATOR)
        for instance, values in (
            (offer.service, {"name": "Shelter intake"}),
            (offer.location, {"name": "North house", "address.address_1": "2 Main St", "latitude": 29.8}),
        ):
            result = listing_edit(user=user, instance=instance, values=values)
            assert isinstance(result.change_request, ChangeRequest)
            change_request_approve(change_request=result.change_request, moderator=moderator)
        assert_index_current()
        card = self.card(offer)
        assert (card.service_name, card.location_name, card.address_1) == ("Shelter intake", "North house", "2 Main St")

    def test_an_address_deleted_leaves_the_next_one_and_a_renamed_organization_unchanged_skips_nothing(
        self, make_offer
    ):
        offer = make_offer(2)
        first = factories.address(offer.location, address_1="1 Main St")
        factories.address(offer.location, address_type="postal", address_1="PO Box 9")
        first.delete()
        assert_index_current()
        assert (self.card(offer).address_type, self.card(offer).address_1) == ("postal", "PO Box 9")
        organization = offer.service.organization
        organization.description = "Saved without a new name"
        organization.save()
        assert_index_current()


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

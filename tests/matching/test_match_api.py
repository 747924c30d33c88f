"""GET/POST /api/match/: eligibility, preferences, reach, coverage plan, specialists, bad input."""

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext
from geopy.distance import geodesic

from providers import registry
from providers.models import ServiceArea, VictimAssistanceSpecialist
from tests import factories
from tests.matching.conftest import NEAR, ORIGIN, point_at

pytestmark = pytest.mark.django_db

URL = "/api/match/"
# Sunday 2026-11-29 18:00 UTC = noon in Houston; a moment when weekday hours are closed everywhere.
NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
TEXAS = MultiPolygon(Polygon.from_bbox((-106.6, 25.8, -93.5, 36.5)), srid=4326)


def match(client, **params):
    params.setdefault("near", NEAR)
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def offer_ids(body):
    return [row["service_at_location_id"] for row in body["results"]]


class TestEligibility:
    def test_minor_is_not_matched_to_adults_only_shelter(self, api, make_offer):
        make_offer(2, populations=["adults"], minimum_age=18)
        youth = make_offer(3, populations=["minors"], minimum_age=12, maximum_age=17)
        anyone = make_offer(4)
        assert offer_ids(match(api, needs="emergency-shelter", age=16)) == [str(youth.pk), str(anyone.pk)]

    def test_adult_is_not_matched_to_minors_only_shelter(self, api, make_offer):
        make_offer(2, populations=["minors"])
        adults = make_offer(3, populations=["adults"])
        assert offer_ids(match(api, needs="emergency-shelter", age=30)) == [str(adults.pk)]

    def test_numeric_age_limits_apply_without_age_groups(self, api, make_offer):
        make_offer(2, minimum_age=21)
        teen_ok = make_offer(3, maximum_age=24)
        assert offer_ids(match(api, needs="emergency-shelter", age=19)) == [str(teen_ok.pk)]

    def test_age_unknown_excludes_nobody(self, api, make_offer):
        make_offer(2, populations=["adults"])
        make_offer(3, populations=["minors"])
        assert len(match(api, needs="emergency-shelter")["results"]) == 2

    def test_gender_restricted_shelter(self, api, make_offer):
        make_offer(2, populations=["women"])
        women_trans = make_offer(3, populations=["women", "transgender-nonbinary"])
        anyone = make_offer(4)
        assert offer_ids(match(api, needs="emergency-shelter", gender="men")) == [str(anyone.pk)]
        assert offer_ids(match(api, needs="emergency-shelter", gender="transgender-nonbinary")) == [
            str(women_trans.pk),
            str(anyone.pk),
        ]
        assert len(match(api, needs="emergency-shelter", gender="women")["results"]) == 3

    def test_us_citizens_only_program_is_not_offered_to_a_foreign_national(self, api, make_offer):
        make_offer(2, needs=["case-management"], populations=["us-citizens-lpr"])
        open_to_all = make_offer(3, needs=["case-management"])
        body = match(api, needs="case-management", citizenship="foreign_national")
        assert offer_ids(body) == [str(open_to_all.pk)]
        assert len(match(api, needs="case-management", citizenship="us_citizen_or_lpr")["results"]) == 2

    def test_citizenship_each_group_only_and_both_groups(self, api, make_offer):
        foreign_only = make_offer(2, needs=["t-visa"], populations=["foreign-nationals"])
        both = make_offer(3, needs=["t-visa"], populations=["foreign-nationals", "us-citizens-lpr"])
        citizens_only = make_offer(4, needs=["t-visa"], populations=["us-citizens-lpr"])
        everyone = [str(foreign_only.pk), str(both.pk), str(citizens_only.pk)]
        assert offer_ids(match(api, needs="t-visa")) == everyone
        assert offer_ids(match(api, needs="t-visa", citizenship="foreign_national")) == everyone[:2]
        assert offer_ids(match(api, needs="t-visa", citizenship="us_citizen_or_lpr")) == everyone[1:]

    def test_a_need_only_the_other_group_is_served_for_names_no_provider(self, api, make_offer):
        make_offer(2, needs=["t-visa"], populations=["foreign-nationals"])
        make_offer(150, needs=["t-visa"], populations=["foreign-nationals"])
        body = match(api, needs="t-visa", citizenship="us_citizen_or_lpr")
        assert body["results"] == []
        (uncovered,) = body["coverage_plan"]["uncovered"]
        assert uncovered["nearest"] is None
        assert uncovered["message"] == "no T visa found in the directory for this person"

    def test_trafficking_type(self, api, make_offer):
        make_offer(2, needs=["case-management"], populations=["labor-trafficking"])
        sex_only = make_offer(3, needs=["case-management"], populations=["sex-trafficking"])
        both = make_offer(4, needs=["case-management"], populations=["sex-trafficking", "labor-trafficking"])
        assert offer_ids(match(api, needs="case-management", trafficking_type="sex")) == [
            str(sex_only.pk),
            str(both.pk),
        ]
        assert offer_ids(match(api, needs="case-management", trafficking_type="both")) == [str(both.pk)]

    def test_lgbtq_specific_programs(self, api, make_offer):
        specific = make_offer(5, populations=["lgbtq"])
        general = make_offer(2)
        assert offer_ids(match(api, needs="emergency-shelter", lgbtq="false")) == [str(general.pk)]
        preferred = match(api, needs="emergency-shelter", lgbtq="true")
        assert offer_ids(preferred)[0] == str(specific.pk)
        assert "LGBTQ+-specific program" in preferred["results"][0]["reasons"]

    def test_inactive_services_are_never_matched(self, api, make_offer):
        closed = make_offer(2, status="temporarily closed")
        active = make_offer(3)
        assert offer_ids(match(api, needs="emergency-shelter")) == [str(active.pk)]
        closed.service.status = "active"
        closed.service.save()
        assert str(closed.pk) in offer_ids(match(api, needs="emergency-shelter"))

    def test_index_follows_edits_to_needs_and_location(self, api, make_offer):
        offer = make_offer(2, needs=["medical"])
        assert match(api, needs="dental")["results"] == []
        offer.service.needs.add(factories.NeedTerm.objects.get(code="dental"))
        assert offer_ids(match(api, needs="dental")) == [str(offer.pk)]
        location = offer.location
        location.latitude, location.longitude = point_at(500)
        registry.record_save(location)
        assert match(api, needs="dental")["results"] == []


class TestPreferences:
    def test_language_preferred_ranks_but_does_not_exclude(self, api, make_offer):
        english = make_offer(2, languages=["en"])
        spanish = make_offer(3, languages=["en", "es"])
        body = match(api, needs="emergency-shelter", language="es")
        assert offer_ids(body) == [str(spanish.pk), str(english.pk)]
        assert "Spanish spoken" in body["results"][0]["reasons"]

    def test_language_required_excludes(self, api, make_offer):
        make_offer(2, languages=["en"])
        spanish = make_offer(3, languages=["es"])
        body = match(api, needs="emergency-shelter", language="es", language_required="true")
        assert offer_ids(body) == [str(spanish.pk)]

    def test_accepting_referrals_preferred_or_required(self, api, make_offer):
        full = make_offer(2, location_fields={"accepting_referrals": False})
        taking = make_offer(3)
        assert offer_ids(match(api, needs="emergency-shelter")) == [str(taking.pk), str(full.pk)]
        assert offer_ids(match(api, needs="emergency-shelter", accepting_referrals="true")) == [str(taking.pk)]

    def test_free_beds_rank_shelters_higher(self, api, make_offer):
        no_beds = make_offer(2, location_fields={"beds_total": 10, "beds_available": 0})
        beds = make_offer(3, location_fields={"beds_total": 10, "beds_available": 3})
        body = match(api, needs="emergency-shelter")
        assert offer_ids(body) == [str(beds.pk), str(no_beds.pk)]
        assert "3 beds free" in body["results"][0]["reasons"] and "no beds free" in body["results"][1]["reasons"]
        assert body["results"][0]["beds_available"] == 3

    def test_stale_listings_rank_lower_and_say_so(self, api, make_offer):
        stale = make_offer(2, last_verified_on="2025-01-01")
        fresh = make_offer(3)
        with time_machine.travel(NOW, tick=False):
            body = match(api, needs="emergency-shelter")
        assert offer_ids(body) == [str(fresh.pk), str(stale.pk)]
        assert body["results"][1]["stale"] is True and body["results"][0]["stale"] is False
        assert body["results"][0]["last_verified"] == "2026-11-01"
        assert "verified 28 days ago" in body["results"][0]["reasons"]


class TestOpenNow:
    def test_open_now_is_computed_in_each_locations_time_zone(self, api, make_offer):
        east = make_offer(2, location_fields={"time_zone": "America/New_York"})
        west = make_offer(3, location_fields={"time_zone": "America/Los_Angeles"})
        for offer in (east, west):
            factories.schedule(offer.location, 1, time(9), time(17))
        # Monday 15:30 UTC: 10:30 in New York (open), 07:30 in Los Angeles (closed).
        with time_machine.travel(datetime(2026, 11, 30, 15, 30, tzinfo=UTC), tick=False):
            body = match(api, needs="emergency-shelter")
            required = match(api, needs="emergency-shelter", open_now="true")
        flags = {row["service_at_location_id"]: row["open_now"] for row in body["results"]}
        assert flags == {str(east.pk): True, str(west.pk): False}
        assert offer_ids(required) == [str(east.pk)]

    def test_hours_past_midnight(self, api, make_offer):
        night = make_offer(2, location_fields={"time_zone": "America/Chicago"})
        factories.schedule(night.location, 5, time(20), time(2))  # Friday 20:00 - Saturday 02:00
        with time_machine.travel(datetime(2026, 12, 5, 7, 30, tzinfo=UTC), tick=False):  # Sat 01:30 Chicago
            assert offer_ids(match(api, needs="emergency-shelter", open_now="true")) == [str(night.pk)]
        with time_machine.travel(datetime(2026, 12, 5, 8, 30, tzinfo=UTC), tick=False):  # Sat 02:30
            assert match(api, needs="emergency-shelter", open_now="true")["results"] == []

    def test_unknown_hours_are_not_open_now(self, api, make_offer):
        make_offer(2)
        body = match(api, needs="emergency-shelter")
        assert body["results"][0]["open_now"] is None
        assert match(api, needs="emergency-shelter", open_now="true")["results"] == []


class TestReach:
    @pytest.fixture
    def statewide(self):
        """A 24/7 statewide hotline: virtual location, no point, service area Texas."""
        org = factories.organization(name="Texas Statewide Hotline")
        svc = factories.service(org, needs=["crisis-hotline"], last_verified_on="2026-11-01")
        loc = factories.location(org, latitude=None, longitude=None, location_type="virtual", open_24_7=True)
        factories.phone(location=loc, number="+18885550100", is_front_door=True)
        ServiceArea.objects.create(service=svc, name="Texas", extent=TEXAS)
        return factories.offer(svc, loc)

    def test_statewide_virtual_service_is_in_reach_far_from_its_office(self, api, statewide):
        body = match(api, needs="crisis-hotline", radius_mi=5)
        assert offer_ids(body) == [str(statewide.pk)]
        row = body["results"][0]
        assert row["in_service_area"] is True and row["distance_km"] is None
        assert any(reason.startswith("serves this area") for reason in row["reasons"])
        assert row["open_now"] is True

    def test_include_virtual_false_leaves_it_out(self, api, statewide):
        assert match(api, needs="crisis-hotline", include_virtual="false")["results"] == []

    def test_not_in_reach_outside_its_area(self, api, statewide):
        assert match(api, needs="crisis-hotline", near="10001")["results"] == []

    def test_radius_limits_physical_offices(self, api, make_offer):
        inside = make_offer(79)  # 49 mi
        make_offer(82)  # 51 mi
        assert offer_ids(match(api, needs="emergency-shelter")) == [str(inside.pk)]
        assert len(match(api, needs="emergency-shelter", radius_km=90)["results"]) == 2

    def test_parent_need_is_met_by_a_sub_term(self, api, make_offer):
        t_visa = make_offer(3, needs=["t-visa"])
        body = match(api, needs="immigration-legal")
        assert offer_ids(body) == [str(t_visa.pk)] and body["results"][0]["needs_met"] == ["immigration-legal"]
        assert match(api, needs="u-visa")["results"] == []


class TestRankingAndDistances:
    def test_equal_options_rank_by_geodesic_distance(self, api, make_offer):
        bearings = {7: 10, 2: 200, 11: 95, 4: 300}
        offers = {km: make_offer(km, bearing=bearing) for km, bearing in bearings.items()}
        body = match(api, needs="emergency-shelter")
        expected = sorted(
            offers.values(),
            key=lambda o: geodesic(ORIGIN, (o.location.latitude, o.location.longitude)).km,
        )
        assert offer_ids(body) == [str(o.pk) for o in expected]
        for row, offer in zip(body["results"], expected, strict=True):
            true_km = geodesic(ORIGIN, (offer.location.latitude, offer.location.longitude)).km
            assert row["distance_km"] == pytest.approx(true_km, rel=0.005)
            assert row["distance_mi"] == pytest.approx(true_km / 1.609344, rel=0.005)
            assert f"{row['distance_mi']:.1f} mi" in row["reasons"]

    def test_more_needs_met_outranks_nearer(self, api, make_offer):
        one = make_offer(2, needs=["emergency-shelter"])
        both = make_offer(20, needs=["emergency-shelter", "case-management"])
        body = match(api, needs="emergency-shelter,case-management")
        assert offer_ids(body) == [str(both.pk), str(one.pk)]
        assert body["results"][0]["reasons"][0] == "offers 2 of 2 needs"

    def test_ties_are_broken_by_id_deterministically(self, api):
        org = factories.organization()
        loc = factories.location(org, latitude=ORIGIN[0], longitude=ORIGIN[1] + 0.05)
        offers = [
            factories.offer(factories.service(org, needs=["medical"], last_verified_on="2026-11-01"), loc)
            for _ in range(4)
        ]
        first = offer_ids(match(api, needs="medical"))
        assert first == sorted(str(o.pk) for o in offers)
        assert offer_ids(match(api, needs="medical")) == first

    def test_limit(self, api, make_offer):
        for km in range(1, 8):
            make_offer(km)
        assert len(match(api, needs="emergency-shelter", limit=3)["results"]) == 3


class TestCoveragePlan:
    def test_plan_covers_what_can_be_covered_and_names_the_rest(self, api, make_offer):
        make_offer(5, needs=["emergency-shelter"])
        make_offer(8, needs=["medical"])
        shelter_and_clinic_far = make_offer(40, needs=["emergency-shelter", "medical"])
        lawyer = make_offer(161, needs=["t-visa"], org=factories.organization(name="Far Legal Aid"))  # ~100 mi
        body = match(api, needs="emergency-shelter,medical,t-visa,dental")
        plan = body["coverage_plan"]
        chosen = [row["service_at_location_id"] for row in plan["options"]]
        assert chosen == [str(shelter_and_clinic_far.pk)]  # one option covers both coverable needs
        assert plan["covered_needs"] == ["emergency-shelter", "medical"]
        uncovered = {row["need"]: row for row in plan["uncovered"]}
        assert set(uncovered) == {"t-visa", "dental"}
        assert uncovered["t-visa"]["nearest"]["service_at_location_id"] == str(lawyer.pk)
        assert uncovered["t-visa"]["message"].startswith("no T visa within 50 mi; nearest is Far Legal Aid")
        assert uncovered["t-visa"]["message"].endswith("at 100 mi")
        assert uncovered["dental"]["nearest"] is None and "no dental care found" in uncovered["dental"]["message"]

    def test_greedy_prefers_nearer_among_equal_cover(self, api, make_offer):
        make_offer(30, needs=["medical"])
        near = make_offer(3, needs=["medical"])
        plan = match(api, needs="medical")["coverage_plan"]
        assert [row["service_at_location_id"] for row in plan["options"]] == [str(near.pk)]


def test_the_phone_shown_is_the_sites_else_the_services_else_the_organizations(api, make_offer):
    every = make_offer(1)
    factories.phone(organization=every.service.organization, number="+17135550001")
    factories.phone(service=every.service, number="+17135550002")
    factories.phone(location=every.location, number="+17135550003")
    service_and_org = make_offer(2)
    factories.phone(organization=service_and_org.service.organization, number="+17135550011")
    factories.phone(service=service_and_org.service, number="+17135550012")
    org_and_site_fax = make_offer(3)
    factories.phone(organization=org_and_site_fax.service.organization, number="+17135550021")
    factories.phone(location=org_and_site_fax.location, number="+17135550023", type="fax")
    nothing = make_offer(4)

    rows = {row["service_at_location_id"]: row for row in match(api, needs="emergency-shelter")["results"]}

    assert rows[str(every.pk)]["phone"]["number"] == "+17135550003"
    assert rows[str(service_and_org.pk)]["phone"]["number"] == "+17135550012"
    assert rows[str(org_and_site_fax.pk)]["phone"]["number"] == "+17135550021"
    assert rows[str(nothing.pk)]["phone"] is None


class TestConfidentiality:
    @pytest.fixture
    def shelter(self, make_offer, provider_org):
        offer = make_offer(3, org=provider_org, location_fields={"is_confidential": True})
        factories.address(offer.location, address_1="99 Secret Way")
        factories.phone(location=offer.location, number="+17135550111", description="direct")
        factories.phone(location=offer.location, number="+17135550122", is_front_door=True)
        return offer

    def test_public_gets_the_approximate_place_and_front_door(self, api, shelter):
        raw = api.get(URL, {"near": NEAR, "needs": "emergency-shelter"})
        text = raw.content.decode()
        assert "99 Secret Way" not in text and "+17135550111" not in text
        assert str(shelter.location.latitude) not in text
        row = raw.json()["results"][0]
        assert row["location"]["precision"] == "approximate"
        assert row["phone"]["number"] == "+17135550122" and row["phone"]["is_front_door"]
        loc = shelter.location
        expected = geodesic(ORIGIN, (loc.public_latitude, loc.public_longitude)).km
        # The public point is drawn at random 1-3 km from the site, so it may land close to the origin: allow
        # the response's rounding to 0.01 km as well as 0.5%.
        assert row["distance_km"] == pytest.approx(expected, rel=0.005, abs=0.005)

    @pytest.mark.parametrize("persona", ["hotline", "specialist", "provider"])
    def test_roles_that_need_it_get_the_exact_place(self, client_for, shelter, persona):
        row = match(client_for(persona), needs="emergency-shelter")["results"][0]
        assert row["location"]["precision"] == "exact"
        assert row["location"]["address"]["address_1"] == "99 Secret Way"
        assert row["location"]["latitude"] == shelter.location.latitude
        expected = geodesic(ORIGIN, (shelter.location.latitude, shelter.location.longitude)).km
        assert row["distance_km"] == pytest.approx(expected, rel=0.005)

    def test_provider_finds_its_own_site_by_its_exact_point(self, client_for, make_offer, provider_org):
        own = make_offer(0.3, org=provider_org, location_fields={"is_confidential": True})
        # 0.3 km away exactly; the public point is 1-3 km away, outside a 0.5 km radius.
        assert offer_ids(match(client_for("provider"), needs="emergency-shelter", radius_km=0.5)) == [str(own.pk)]
        assert match(client_for("other_provider"), needs="emergency-shelter", radius_km=0.5)["results"] == []

    def test_other_provider_gets_the_approximate_place(self, client_for, shelter):
        row = match(client_for("other_provider"), needs="emergency-shelter")["results"][0]
        assert row["location"]["precision"] == "approximate" and row["phone"]["is_front_door"]


class TestSpecialists:
    def test_specialists_covering_the_origin(self, api, client_for):
        api = client_for("hotline")
        VictimAssistanceSpecialist.objects.create(
            name="Texas VAS", hsi_office="HSI Houston", phone="+17135550133", coverage_area=TEXAS
        )
        VictimAssistanceSpecialist.objects.create(
            name="NY VAS", hsi_office="HSI New York", phone="+12125550133",
            coverage_area=MultiPolygon(Polygon.from_bbox((-79.8, 40.5, -71.8, 45.0)), srid=4326),
        )  # fmt: skip
        body = match(api, needs="medical")
        assert [(s["name"], s["covers_origin"]) for s in body["specialists"]] == [("Texas VAS", True)]
        offshore = match(api, needs="medical", near="25.0,-90.0")  # Gulf of Mexico: nobody covers it
        assert offshore["specialists"][0]["name"] == "Texas VAS" and not offshore["specialists"][0]["covers_origin"]

    def test_anonymous_callers_get_no_specialists(self, api):
        VictimAssistanceSpecialist.objects.create(
            name="Texas VAS", hsi_office="HSI Houston", phone="+17135550133", coverage_area=TEXAS
        )
        body = api.get(URL, {"near": NEAR, "needs": "medical"})
        assert body.json()["specialists"] == [] and "+17135550133" not in body.content.decode()


class TestRequestForms:
    def test_post_json_gives_the_same_answer_as_get(self, api, make_offer):
        make_offer(2, languages=["es"])
        make_offer(3)
        body = {"near": NEAR, "needs": ["emergency-shelter"], "language": ["es"], "age": 30, "limit": 5}
        posted = api.post(URL, body, format="json")
        assert posted.status_code == 200
        got = match(api, needs="emergency-shelter", language="es", age=30, limit=5)
        assert offer_ids(posted.json()) == offer_ids(got)

    def test_repeated_and_comma_separated_needs(self, api, make_offer):
        make_offer(2, needs=["medical", "dental"])
        a = api.get(URL + f"?near={NEAR}&needs=medical&needs=dental").json()
        b = match(api, needs="medical,dental")
        assert a["needs"] == b["needs"] == ["medical", "dental"]

    def test_origin_is_reported(self, api):
        body = match(api, needs="medical", near="77002")
        assert body["origin"] == {"lat": 29.7594, "lon": -95.3594, "label": "77002, Houston, TX", "source": "gazetteer"}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"needs": "medical"}, "near"),
        ({"near": NEAR}, "needs"),
        ({"near": NEAR, "needs": ""}, "needs"),
        ({"near": NEAR, "needs": "medical,flying-lessons"}, "needs"),
        (
            {
                "near": NEAR,
                "needs": ",".join(
                    [
                        "medical",
                        "dental",
                        "t-visa",
                        "u-visa",
                        "legal",
                        "housing",
                        "childcare",
                        "transportation",
                        "repatriation",
                        "dental-x",
                        "job-training",
                    ]
                ),
            },
            "needs",
        ),
        ({"near": "Springfield", "needs": "medical"}, "near"),
        ({"near": "nowhere special", "needs": "medical"}, "near"),
        ({"near": "95,10", "needs": "medical"}, "near"),
        ({"near": NEAR, "needs": "medical", "radius_mi": 600}, "radius_mi"),
        ({"near": NEAR, "needs": "medical", "radius_mi": -1}, "radius_mi"),
        ({"near": NEAR, "needs": "medical", "radius_km": "nan"}, "radius_km"),
        ({"near": NEAR, "needs": "medical", "radius_mi": 5, "radius_km": 5}, "radius_km"),
        ({"near": NEAR, "needs": "medical", "language": "xx"}, "language"),
        ({"near": NEAR, "needs": "medical", "language_required": "true"}, "language_required"),
        ({"near": NEAR, "needs": "medical", "age": -1}, "age"),
        ({"near": NEAR, "needs": "medical", "age": 200}, "age"),
        ({"near": NEAR, "needs": "medical", "age": "teen"}, "age"),
        ({"near": NEAR, "needs": "medical", "gender": "other"}, "gender"),
        ({"near": NEAR, "needs": "medical", "trafficking_type": "forced"}, "trafficking_type"),
        ({"near": NEAR, "needs": "medical", "citizenship": "alien"}, "citizenship"),
        ({"near": NEAR, "needs": "medical", "limit": 0}, "limit"),
        ({"near": NEAR, "needs": "medical", "limit": 101}, "limit"),
        ({"near": NEAR, "needs": "medical", "open_now": "maybe"}, "open_now"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_unknown_need_code_is_named(api):
    message = api.get(URL, {"near": NEAR, "needs": "medical,flying-lessons"}).json()["needs"][0]
    assert "flying-lessons" in message and "medical" not in message


def test_post_with_wrong_types_is_400(api):
    response = api.post(URL, {"near": NEAR, "needs": 5, "age": [1]}, format="json")
    assert response.status_code == 400 and {"needs", "age"} <= set(response.json())


def test_query_count_does_not_grow_with_results(api, make_offer):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            match(api, needs="emergency-shelter,medical", language="es")
        return len(ctx.captured_queries)

    org = factories.organization()
    make_offer(2, org=org, needs=["emergency-shelter", "medical"], location_fields={"beds_total": 5})
    count()  # the first request of a process reads the vocabularies (providers/vocabulary.py)
    few = count()
    for km in range(3, 15):
        offer = make_offer(km, org=org, needs=["emergency-shelter"] if km % 2 else ["medical"])
        factories.schedule(offer.location, 1, time(9), time(17))
        factories.address(offer.location)
    assert len(match(api, needs="emergency-shelter,medical")["results"]) == 13
    assert count() == few


def test_each_result_lists_the_languages_its_service_speaks(api, make_offer):
    make_offer(2, languages=("es", "en", "vi"))

    row = api.get(URL, {"near": NEAR, "needs": "emergency-shelter"}).json()["results"][0]

    assert row["languages"] == ["en", "es", "vi"]


def test_a_comma_joined_need_list_reads_as_the_same_list_repeated(api):
    """Over 64 characters joined was a 400 while repeating needs= worked: both are one list (split_codes)."""
    needs = ["emergency-shelter", "t-visa", "u-visa", "legal", "case-management", "medical", "dental", "mental-health"]
    joined = api.get(URL, {"near": NEAR, "needs": ",".join(needs)})
    repeated = api.get(URL, {"near": NEAR, "needs": needs})
    mixed = api.get(URL, {"near": NEAR, "needs": [",".join(needs[:3]), *needs[3:]]})
    posted = api.post(URL, {"near": NEAR, "needs": ",".join(needs)}, format="json")

    assert len(",".join(needs)) > 64
    assert joined.status_code == repeated.status_code == mixed.status_code == posted.status_code == 200, joined.json()
    assert joined.json() == repeated.json() == mixed.json()

"""Provider self-service: operational fields at once, trust fields through moderated change requests,
the one-call bed update, hours, history, and who may do each."""

from datetime import time

import pytest

from matching.models import MatchCandidate
from providers.models import ChangeRequest, ListingChange, Location, Schedule, Service
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = ["provider", "other_provider", "moderator", "hotline", None]


@pytest.fixture
def listing(provider_org):
    """The provider persona's shelter: one service at one confidential site with an address and a phone."""
    service = factories.service(
        provider_org, needs=("emergency-shelter",), name="Emergency Shelter", minimum_age=18, alert=""
    )
    location = factories.location(provider_org, name="Safe House 1", is_confidential=True, beds_total=10,
                                  beds_available=2)  # fmt: skip
    factories.address(location, address_1="6432 Secret Rd", city="Houston", state_province="TX", postal_code="77080")
    offer = factories.offer(service, location)
    phone = factories.phone(location=location, number="+17135550150")
    return {"service": service, "location": location, "offer": offer, "phone": phone, "org": provider_org}


def patch(client, url, body):
    return client.patch(url, body, format="json")


# --- who may edit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"), [("provider", 200), ("other_provider", 403), ("moderator", 403), ("hotline", 403),
                              (None, 401)],
)  # fmt: skip
@pytest.mark.parametrize(
    ("record", "url", "body"),
    [
        ("service", "/api/services/{id}/", {"alert": "No intake this week"}),
        ("location", "/api/locations/{id}/", {"beds_available": 1}),
        ("location", "/api/locations/{id}/capacity/", {"beds_available": 1}),
        ("phone", "/api/phones/{id}/", {"extension": "12"}),
    ],
)
def test_only_the_organizations_staff_edit_its_listing(client_for, listing, persona, expected, record, url, body):
    response = patch(client_for(persona), url.format(id=listing[record].pk), body)

    assert response.status_code == expected
    assert ListingChange.objects.exists() == (expected == 200)


@pytest.mark.parametrize(("persona", "expected"), [("provider", 202), ("other_provider", 403), ("moderator", 403),
                                                   (None, 401)])  # fmt: skip
def test_only_the_organizations_staff_propose_trust_changes(client_for, listing, persona, expected):
    response = patch(client_for(persona), f"/api/organizations/{listing['org'].pk}/", {"name": "New Name"})

    assert response.status_code == expected
    assert ChangeRequest.objects.exists() == (expected == 202)


@pytest.mark.parametrize(("persona", "expected"), [("provider", 200), ("other_provider", 403), ("moderator", 200),
                                                   ("hotline", 403), (None, 401)])  # fmt: skip
def test_history_is_for_the_organizations_staff_and_moderators(client_for, listing, persona, expected):
    patch(client_for("provider"), f"/api/locations/{listing['location'].pk}/capacity/", {"beds_available": 1})

    response = client_for(persona).get(f"/api/organizations/{listing['org'].pk}/history/")

    assert response.status_code == expected
    if expected == 200:
        assert response.data["count"] == 1


def test_editing_an_unknown_record_is_404(client_for, listing):
    import uuid

    assert patch(client_for("provider"), f"/api/services/{uuid.uuid4()}/", {"alert": "x"}).status_code == 404


def test_put_is_not_offered(client_for, listing):
    response = client_for("provider").put(f"/api/services/{listing['service'].pk}/", {"alert": "x"}, format="json")
    assert response.status_code == 405


# --- operational fields ----------------------------------------------------------------------------------


def test_operational_fields_apply_at_once_with_history(client_for, listing, personas):
    response = patch(client_for("provider"), f"/api/services/{listing['service'].pk}/", {"alert": "Full tonight"})

    assert response.status_code == 200
    assert response.data == {"applied": {"alert": "Full tonight"}, "change_request": None}
    assert Service.objects.get(pk=listing["service"].pk).alert == "Full tonight"
    change = ListingChange.objects.get()
    assert (change.field, change.before, change.after, change.source) == ("alert", "", "Full tonight", "direct")
    assert change.changed_by == personas["provider"] and change.organization == listing["org"]


def test_bed_update_is_one_call_and_reaches_matching(client_for, listing):
    url = f"/api/locations/{listing['location'].pk}/capacity/"

    response = patch(client_for("provider"), url, {"beds_available": 0, "accepting_referrals": False})

    assert response.status_code == 200
    assert response.data["beds_available"] == 0 and response.data["accepting_referrals"] is False
    assert response.data["capacity_updated_at"] is not None
    location = Location.objects.get(pk=listing["location"].pk)
    assert location.beds_available == 0 and not location.accepting_referrals
    # The match index follows at once: no stale "accepting referrals" for hotline staff.
    assert not MatchCandidate.objects.filter(location=location, accepting_referrals=True).exists()
    assert MatchCandidate.objects.filter(location=location).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"beds_available": 11}, "beds_available"),  # more than beds_total
        ({"beds_available": -1}, "beds_available"),
        ({"accepting_referrals": "maybe"}, "accepting_referrals"),
        ({}, "non_field_errors"),
    ],
)
def test_bad_bed_update_is_a_400_naming_the_field(client_for, listing, body, field):
    response = patch(client_for("provider"), f"/api/locations/{listing['location'].pk}/capacity/", body)

    assert response.status_code == 400 and field in response.data
    assert Location.objects.get(pk=listing["location"].pk).beds_available == 2
    assert not ListingChange.objects.exists()


def test_an_unchanged_value_records_nothing(client_for, listing):
    response = patch(client_for("provider"), f"/api/locations/{listing['location'].pk}/", {"beds_available": 2})

    assert response.status_code == 200 and response.data["applied"] == {}
    assert not ListingChange.objects.exists()


def test_hours_are_replaced_at_once_with_history(client_for, listing):
    location = listing["location"]
    factories.schedule(location, 1, time(9), time(17))
    periods = [
        {"weekday": 1, "opens_at": "08:00", "closes_at": "18:00"},
        {"weekday": 5, "opens_at": "20:00", "closes_at": "02:00", "description": "overnight intake"},
    ]

    response = client_for("provider").put(f"/api/locations/{location.pk}/schedules/", periods, format="json")

    assert response.status_code == 200 and len(response.data) == 2
    assert sorted(Schedule.objects.filter(location=location).values_list("weekday", "opens_at")) == [
        (1, time(8)), (5, time(20))
    ]  # fmt: skip
    change = ListingChange.objects.get(field="schedules")
    assert change.before == ["1 09:00-17:00"] and change.after == ["1 08:00-18:00", "5 20:00-02:00"]


def test_bad_hours_are_a_400_naming_the_field(client_for, listing):
    response = client_for("provider").put(
        f"/api/locations/{listing['location'].pk}/schedules/", [{"weekday": 8, "opens_at": "x"}], format="json"
    )

    assert response.status_code == 400
    assert "weekday" in response.data[0] and "opens_at" in response.data[0] and "closes_at" in response.data[0]


def test_phone_extension_is_operational_and_number_is_reviewed(client_for, listing):
    url = f"/api/phones/{listing['phone'].pk}/"

    response = patch(client_for("provider"), url, {"extension": "204", "number": "713-555-0160"})

    assert response.status_code == 202
    assert response.data["applied"] == {"extension": "204"}
    assert response.data["change_request"]["changes"] == {"number": {"old": "+17135550150", "new": "+17135550160"}}


# --- trust fields and change requests --------------------------------------------------------------------


def test_trust_fields_become_a_change_request_with_old_and_new_values(client_for, listing):
    service = listing["service"]
    body = {"name": "Shelter for Women", "needs": ["emergency-shelter", "t-visa"], "alert": "Call first"}

    response = patch(client_for("provider"), f"/api/services/{service.pk}/", body)

    assert response.status_code == 202
    assert response.data["applied"] == {"alert": "Call first"}
    request = response.data["change_request"]
    assert request["status"] == "pending" and request["record_type"] == "service"
    assert request["changes"] == {
        "name": {"old": "Emergency Shelter", "new": "Shelter for Women"},
        "needs": {"old": ["emergency-shelter"], "new": ["emergency-shelter", "t-visa"]},
    }
    service.refresh_from_db()
    assert service.name == "Emergency Shelter"  # not yet


def test_a_change_that_would_break_a_rule_is_refused_at_once(client_for, listing):
    response = patch(client_for("provider"), f"/api/services/{listing['service'].pk}/", {"maximum_age": 17})

    assert response.status_code == 400 and "maximum_age" in str(response.data)
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"point": "POINT(0 0)"}, "point"), ({"organization": "x"}, "organization"), ({}, "detail"),
     ({"needs": ["flying-lessons"]}, "needs"), ({"latitude": 100}, "latitude")],
)  # fmt: skip
def test_bad_edits_are_a_400_naming_the_field(client_for, listing, body, field):
    url = (
        f"/api/locations/{listing['location'].pk}/" if "latitude" in body else f"/api/services/{listing['service'].pk}/"
    )

    response = patch(client_for("provider"), url, body)

    assert response.status_code == 400 and field in response.data
    assert not ChangeRequest.objects.exists() and not ListingChange.objects.exists()


@pytest.fixture
def pending(client_for, listing):
    """A pending change request renaming the service and adding the T visa need."""
    body = {"name": "Shelter and Legal", "needs": ["emergency-shelter", "t-visa"]}
    response = patch(client_for("provider"), f"/api/services/{listing['service'].pk}/", body)
    return ChangeRequest.objects.get(pk=response.data["change_request"]["id"])


@pytest.mark.parametrize(("persona", "count"), [("provider", 1), ("other_provider", 0), ("moderator", 1)])
def test_change_requests_are_listed_to_moderators_and_their_own_organization(client_for, pending, persona, count):
    response = client_for(persona).get("/api/change-requests/", {"status": "pending"})

    assert response.status_code == 200 and response.data["count"] == count


def test_change_request_list_needs_sign_in(api, pending):
    assert api.get("/api/change-requests/").status_code == 401


@pytest.mark.parametrize(("persona", "expected"), [("provider", 403), ("other_provider", 403), ("hotline", 403),
                                                   (None, 401)])  # fmt: skip
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_moderators_review_change_requests(client_for, pending, persona, expected, action):
    response = client_for(persona).post(f"/api/change-requests/{pending.pk}/{action}/", {"reason": "ok"})

    assert response.status_code == expected
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_approval_applies_every_field_at_once_with_history_and_reaches_matching(client_for, pending, listing, personas):
    response = client_for("moderator").post(f"/api/change-requests/{pending.pk}/approve/", {"reason": "Checked"})

    assert response.status_code == 200 and response.data["status"] == "approved"
    service = Service.objects.get(pk=listing["service"].pk)
    assert service.name == "Shelter and Legal"
    assert sorted(service.needs.values_list("code", flat=True)) == ["emergency-shelter", "t-visa"]
    history = {c.field: c for c in ListingChange.objects.filter(change_request=pending)}
    assert set(history) == {"name", "needs"}
    assert history["needs"].before == ["emergency-shelter"] and history["needs"].changed_by == personas["moderator"]
    assert MatchCandidate.objects.filter(service=service, need__code="t-visa").exists()


def test_rejection_needs_a_reason_and_changes_nothing(client_for, pending, listing):
    missing = client_for("moderator").post(f"/api/change-requests/{pending.pk}/reject/", {})
    assert missing.status_code == 400 and "reason" in missing.data

    response = client_for("moderator").post(f"/api/change-requests/{pending.pk}/reject/", {"reason": "Not offered"})

    assert response.status_code == 200 and response.data["review_reason"] == "Not offered"
    assert Service.objects.get(pk=listing["service"].pk).name == "Emergency Shelter"
    assert not ListingChange.objects.filter(change_request=pending).exists()


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_a_reviewed_change_request_cannot_be_reviewed_again(client_for, pending, first):
    client_for("moderator").post(f"/api/change-requests/{pending.pk}/{first}/", {"reason": "done"})

    again = client_for("moderator").post(f"/api/change-requests/{pending.pk}/approve/", {"reason": "again"})

    assert again.status_code == 409


def test_a_record_changed_meanwhile_is_flagged_conflicting_not_overwritten(client_for, pending, listing):
    later = patch(client_for("provider"), f"/api/services/{listing['service'].pk}/", {"name": "Another Name"})
    client_for("moderator").post(f"/api/change-requests/{later.data['change_request']['id']}/approve/", {})

    response = client_for("moderator").post(f"/api/change-requests/{pending.pk}/approve/", {})

    assert response.status_code == 409
    assert response.data["conflicts"] == ["name"]
    pending.refresh_from_db()
    assert pending.conflicting and pending.status == "pending"
    service = Service.objects.get(pk=listing["service"].pk)
    # Nothing of the conflicting request was applied, not even its other field.
    assert service.name == "Another Name" and list(service.needs.values_list("code", flat=True)) == [
        "emergency-shelter"
    ]


def test_an_approval_that_no_longer_fits_the_rules_is_refused_whole(client_for, listing):
    service = listing["service"]
    first = patch(client_for("provider"), f"/api/services/{service.pk}/", {"maximum_age": 30, "name": "Young adults"})
    # Meanwhile the minimum age is raised above 30 through another approved request.
    second = patch(client_for("provider"), f"/api/services/{service.pk}/", {"minimum_age": 40})
    client_for("moderator").post(f"/api/change-requests/{second.data['change_request']['id']}/approve/", {})

    response = client_for("moderator").post(f"/api/change-requests/{first.data['change_request']['id']}/approve/", {})

    assert response.status_code == 400
    service.refresh_from_db()
    assert service.name == "Emergency Shelter" and service.maximum_age is None


def test_an_approved_address_change_moves_the_site_and_keeps_it_generalized(client_for, listing):
    location = listing["location"]
    before = (location.latitude, location.longitude)
    body = {"address": {"address_1": "100 Main St", "city": "Dallas", "state_province": "TX", "postal_code": "75201"}}
    request_id = patch(client_for("provider"), f"/api/locations/{location.pk}/", body).data["change_request"]["id"]

    response = client_for("moderator").post(f"/api/change-requests/{request_id}/approve/", {})

    assert response.status_code == 200
    location.refresh_from_db()
    assert (location.latitude, location.longitude) != before
    assert abs(location.latitude - 32.78) < 0.1 and abs(location.longitude + 96.80) < 0.1  # Dallas 75201
    assert location.is_confidential and location.public_point_is_current()
    fields = set(ListingChange.objects.filter(change_request_id=request_id).values_list("field", flat=True))
    assert {"address.city", "latitude", "longitude"} <= fields


def test_the_public_never_sees_a_confidential_address_in_change_requests_or_history(api, client_for, listing):
    patch(
        client_for("provider"), f"/api/locations/{listing['location'].pk}/", {"address": {"address_1": "9 Hidden Ln"}}
    )

    assert api.get("/api/change-requests/").status_code == 401
    assert api.get(f"/api/organizations/{listing['org'].pk}/history/").status_code == 401
    other = client_for("other_provider")
    assert "Hidden" not in str(other.get("/api/change-requests/").data)
    assert other.get(f"/api/organizations/{listing['org'].pk}/history/").status_code == 403


# --- found in review -------------------------------------------------------------------------------------


def approve(client_for, response):
    return client_for("moderator").post(f"/api/change-requests/{response.data['change_request']['id']}/approve/", {})


def test_a_site_can_be_made_confidential_through_review(client_for, provider_org):
    location = factories.location(provider_org, latitude=29.75, longitude=-95.36)
    response = patch(client_for("provider"), f"/api/locations/{location.pk}/", {"is_confidential": True})
    assert response.status_code == 202

    assert approve(client_for, response).status_code == 200

    location.refresh_from_db()
    assert location.is_confidential and location.public_point_is_current()
    assert (location.public_latitude, location.public_longitude) != (location.latitude, location.longitude)


def test_a_site_without_coordinates_can_be_given_them_through_review(client_for, provider_org):
    location = factories.location(provider_org, latitude=None, longitude=None, is_confidential=True)
    response = patch(client_for("provider"), f"/api/locations/{location.pk}/", {"latitude": 29.7, "longitude": -95.3})

    assert response.status_code == 202 and approve(client_for, response).status_code == 200
    location.refresh_from_db()
    assert location.latitude == 29.7 and location.public_latitude is not None


def test_an_address_change_that_cannot_be_located_is_refused_at_approval(client_for, listing):
    location = listing["location"]
    body = {"address": {"address_1": "1 Nowhere Rd", "city": "Nowhereville", "state_province": "TX",
                        "postal_code": "00001"}}  # fmt: skip
    response = patch(client_for("provider"), f"/api/locations/{location.pk}/", body)

    refused = approve(client_for, response)

    assert refused.status_code == 400 and "latitude" in refused.data
    location.refresh_from_db()
    assert location.addresses.get().city == "Houston"


@pytest.mark.parametrize(
    "body", [{"address": {"country": "CA"}}, {"address": {"state_province": "ZZ"}}, {"address": ["x"]}]
)
def test_bad_address_edits_are_a_400(client_for, listing, body):
    response = patch(client_for("provider"), f"/api/locations/{listing['location'].pk}/", body)

    assert response.status_code == 400 and "address" in response.data
    assert not ChangeRequest.objects.exists()


def test_a_bad_stale_filter_is_a_400(api):
    response = api.get("/api/organizations/", {"stale": "maybe"})
    assert response.status_code == 400 and "stale" in response.data


def test_confirming_unchanged_beds_still_stamps_the_capacity_time(client_for, listing):
    location = listing["location"]
    assert location.capacity_updated_at is None

    response = patch(client_for("provider"), f"/api/locations/{location.pk}/capacity/", {"beds_available": 2})

    assert response.status_code == 200 and response.data["capacity_updated_at"] is not None


def test_admin_inline_and_address_edits_are_in_the_history(client, listing):
    from accounts.models import User

    admin_user = User.objects.create_superuser("root-admin", "root@example.org", factories.TEST_PASSWORD)
    client.force_login(admin_user)
    address = listing["location"].addresses.get()
    form = {f: getattr(address, f) for f in ("attention", "address_1", "address_2", "city", "region",
                                             "state_province", "postal_code", "country", "address_type")}  # fmt: skip

    response = client.post(
        f"/admin/providers/address/{address.pk}/change/",
        {**form, "location": str(listing["location"].pk), "address_1": "7 Other Rd"},
    )

    assert response.status_code == 302, response.content.decode()[:1500]
    change = ListingChange.objects.get(field="address.address_1")
    assert (change.before, change.after, change.source) == ("6432 Secret Rd", "7 Other Rd", "admin")
    assert change.record_id == listing["location"].pk


def test_hours_refuse_repeated_periods_and_more_than_the_cap(client_for, listing):
    """The probe's 3,000 identical periods: refused, and nothing replaced."""
    location = listing["location"]
    factories.schedule(location, 1, time(9), time(17))
    url = f"/api/locations/{location.pk}/schedules/"
    provider = client_for("provider")
    period = {"weekday": 2, "opens_at": "09:00", "closes_at": "17:00"}

    flood = provider.put(url, [period] * 3000, format="json")
    repeated = provider.put(url, [period, {**period, "weekday": 3}, period], format="json")

    assert flood.status_code == 400 and "50" in str(flood.data)
    assert repeated.status_code == 400 and repeated.data == {"schedules[2]": ["Repeats period 0 (same day and times)."]}
    assert list(Schedule.objects.filter(location=location).values_list("weekday", flat=True)) == [1]


def test_code_lists_in_a_body_are_capped(client_for, listing):
    response = client_for("provider").patch(
        f"/api/services/{listing['service'].pk}/", {"languages": ["es"] * 500}, format="json"
    )
    assert response.status_code == 400 and "At most 20 codes" in str(response.data["languages"])
    as_object = client_for("provider").patch(
        f"/api/services/{listing['service'].pk}/", {"languages": {f"x{i}": 1 for i in range(500)}}, format="json"
    )
    assert as_object.status_code == 400 and "list" in str(as_object.data["languages"])

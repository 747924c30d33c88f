"""The match index and the offer cards follow the registry whatever writes it: raw SQL, QuerySet.update(),
bulk_create, COPY, TRUNCATE. Each test writes around the application, then asks /api/match/ at once (no rebuild)
and checks the index equals a rebuild from scratch."""

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.db import connection, transaction
from geopy.distance import geodesic

from matching.index import match_index_deferred
from matching.models import MatchCandidate, OfferCard
from providers.models import Location, Phone, Service, ServiceAtLocation
from tests import factories
from tests.matching.conftest import NEAR, ORIGIN
from tests.matching.test_match_index import assert_index_current

pytestmark = pytest.mark.django_db

MONDAY_NOON_HOUSTON = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def match(client, **params) -> list[dict]:
    params = {"near": NEAR, "needs": "emergency-shelter", **params}
    response = client.get("/api/match/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def found(client, offer, **params) -> dict | None:
    return next((row for row in match(client, **params) if row["service_at_location_id"] == str(offer.pk)), None)


@pytest.fixture
def offer(make_offer):
    return make_offer(3)


@pytest.mark.parametrize("how", ["raw", "update"])
def test_a_service_set_inactive_is_no_longer_matched(api, offer, how):
    assert found(api, offer)
    if how == "raw":
        sql("UPDATE providers_service SET status = 'inactive' WHERE id = %s", offer.service_id)
    else:
        Service.objects.filter(pk=offer.service_id).update(status="inactive")
    assert found(api, offer) is None
    assert_index_current()


@pytest.mark.parametrize("how", ["raw", "update"])
def test_beds_and_accepting_referrals(api, offer, how):
    if how == "raw":
        sql("UPDATE providers_location SET beds_total = 8, beds_available = 0 WHERE id = %s", offer.location_id)
    else:
        Location.objects.filter(pk=offer.location_id).update(beds_total=8, beds_available=0)
    row = found(api, offer)
    assert (row["beds_available"], row["beds_total"]) == (0, 8)
    Location.objects.filter(pk=offer.location_id).update(accepting_referrals=False)
    assert found(api, offer, accepting_referrals="true") is None
    assert_index_current()


@time_machine.travel(MONDAY_NOON_HOUSTON, tick=False)
def test_hours_written_and_truncated_in_sql(api, offer):
    assert found(api, offer)["open_now"] is None  # no hours known
    sql(
        "INSERT INTO providers_schedule (id, location_id, weekday, opens_at, closes_at, description) "
        "VALUES (gen_random_uuid(), %s, 1, '09:00', '17:00', '')",
        offer.location_id,
    )
    assert found(api, offer)["open_now"] is True
    sql("UPDATE providers_schedule SET opens_at = '13:00' WHERE location_id = %s", offer.location_id)
    assert found(api, offer)["open_now"] is False
    assert_index_current()
    sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses to run over the rows' deferred foreign-key checks
    sql("TRUNCATE providers_schedule")
    assert found(api, offer)["open_now"] is None
    assert_index_current()


def test_an_address_and_phones_changed_in_sql(client_for, offer):
    hotline = client_for("hotline")
    address = factories.address(offer.location, address_1="1 Old Rd")
    sql("UPDATE providers_address SET address_1 = '2 New Rd' WHERE id = %s", address.pk)
    assert found(hotline, offer)["location"]["address"]["address_1"] == "2 New Rd"
    sql(
        "INSERT INTO providers_phone (id, location_id, number, extension, type, description, is_front_door) "
        "VALUES (gen_random_uuid(), %s, '+17135550199', '', 'voice', '', false)",
        offer.location_id,
    )
    assert found(hotline, offer)["phone"]["number"] == "+17135550199"
    Phone.objects.filter(location_id=offer.location_id).update(number="+17135550198")
    assert found(hotline, offer)["phone"]["number"] == "+17135550198"
    sql("DELETE FROM providers_phone WHERE location_id = %s", offer.location_id)
    assert found(hotline, offer)["phone"] is None
    assert_index_current()


def test_needs_changed_in_sql(api, offer):
    sql(
        "INSERT INTO providers_service_needs (service_id, needterm_id) "
        "SELECT %s, id FROM providers_needterm WHERE code = 'dental'",
        offer.service_id,
    )
    assert found(api, offer, needs="dental")
    sql("DELETE FROM providers_service_needs WHERE service_id = %s", offer.service_id)
    assert found(api, offer) is None and found(api, offer, needs="dental") is None
    assert_index_current()


def test_eligibility_changed_in_sql(api, offer):
    assert found(api, offer, gender="men", age=30)
    sql(
        "INSERT INTO providers_service_populations (service_id, population_id) "
        "SELECT %s, id FROM providers_population WHERE code = 'women'",
        offer.service_id,
    )
    assert found(api, offer, gender="men") is None and found(api, offer, gender="women")
    sql("UPDATE providers_service SET maximum_age = 17 WHERE id = %s", offer.service_id)
    assert found(api, offer, gender="women", age=30) is None and found(api, offer, gender="women", age=16)
    # A population's code decides how every service listing it is encoded: renamed, it is one the rule does not
    # know, and the service fails closed.
    sql("UPDATE providers_population SET code = 'women-renamed' WHERE code = 'women'")
    assert found(api, offer, gender="women", age=16) is None
    assert_index_current()


def test_a_site_made_confidential_in_sql_is_generalized_at_once(api, client_for, offer):
    factories.address(offer.location, address_1="12 Hidden Lane")
    location = offer.location
    public = (round(location.latitude + 0.02, 6), location.longitude)
    sql(
        "UPDATE providers_location SET is_confidential = true, public_latitude = %s, public_longitude = %s "
        "WHERE id = %s",
        *public,
        location.pk,
    )
    row = found(api, offer)
    assert row["location"]["precision"] == "approximate" and "address_1" not in row["location"]["address"]
    assert row["distance_km"] == pytest.approx(geodesic(ORIGIN, public).km, abs=0.01)
    assert found(client_for("hotline"), offer)["location"]["address"]["address_1"] == "12 Hidden Lane"
    assert_index_current()


def test_an_organization_renamed_in_sql(api, offer):
    sql("UPDATE providers_organization SET name = 'Renamed Org' WHERE id = %s", offer.service.organization_id)
    assert found(api, offer)["organization"]["name"] == "Renamed Org"
    assert_index_current()


def test_offers_added_by_bulk_create_and_copy(api, make_offer):
    first = make_offer(3)
    site = factories.location(latitude=first.location.latitude, longitude=first.location.longitude)
    (bulk,) = ServiceAtLocation.objects.bulk_create([ServiceAtLocation(service=first.service, location=site)])
    assert found(api, bulk)
    other = factories.location(latitude=first.location.latitude, longitude=first.location.longitude)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY providers_serviceatlocation (id, created_at, updated_at, service_id, location_id, description) "
            "FROM STDIN"
        ) as copy,
    ):
        copy.write_row(
            ("00000000-0000-4000-8000-000000000001", "2026-12-01", "2026-12-01", first.service_id, other.pk, "")
        )
    assert found(api, ServiceAtLocation.objects.get(location=other))
    assert_index_current()


def test_a_rolled_back_write_rolls_its_index_rows_back(api, offer):
    with pytest.raises(RuntimeError), transaction.atomic():
        sql("UPDATE providers_service SET status = 'inactive' WHERE id = %s", offer.service_id)
        assert found(api, offer) is None
        raise RuntimeError
    assert found(api, offer)
    assert_index_current()


def test_a_deferring_block_refreshes_once_at_its_end(api, offer):
    with transaction.atomic(), match_index_deferred():
        Service.objects.filter(pk=offer.service_id).update(status="inactive")
        # Still the old rows inside the block ...
        assert MatchCandidate.objects.filter(service_id=offer.service_id).exists()
        Service.objects.filter(pk=offer.service_id).update(name="Renamed")
    # ... and refreshed when it ends.
    assert not MatchCandidate.objects.filter(service_id=offer.service_id).exists()
    assert OfferCard.objects.get(pk=offer.pk).service_name == "Renamed"
    assert found(api, offer) is None
    assert_index_current()


def test_an_edit_of_a_column_the_index_does_not_hold_refreshes_nothing(offer):
    card = OfferCard.objects.get(pk=offer.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin FROM matching_offercard WHERE service_at_location_id = %s", [offer.pk])
        (before,) = cursor.fetchone()
        Location.objects.filter(pk=offer.location_id).update(description="New words", transportation="Bus 5")
        cursor.execute("SELECT xmin FROM matching_offercard WHERE service_at_location_id = %s", [offer.pk])
        assert cursor.fetchone() == (before,)  # the same row version: not deleted and derived again
    assert OfferCard.objects.get(pk=offer.pk) == card


def test_hours_are_seconds_of_the_day(offer):
    factories.schedule(offer.location, 2, time(8, 30), time(23, 59, 59))
    assert MatchCandidate.objects.get(service_at_location=offer).hours == [[2, 30600, 86399]]


@pytest.mark.django_db(transaction=True)
def test_a_deferring_block_left_by_an_error_is_refreshed_as_its_transaction_commits(make_offer):
    offer = make_offer(3)
    with transaction.atomic():
        try:
            with match_index_deferred():
                Service.objects.filter(pk=offer.service_id).update(status="inactive")
                raise RuntimeError("the caller catches this and goes on")
        except RuntimeError:
            pass
        assert MatchCandidate.objects.filter(service_id=offer.service_id).exists()  # not refreshed yet
    assert not MatchCandidate.objects.filter(service_id=offer.service_id).exists()  # refreshed at commit

"""Sending referrals: input rules, consent, idempotency, encryption at rest, and what the details show."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from core.encryption import decrypt
from referrals.models import ClientContact, Consent, IdempotencyKey, Referral, ReferralAccess, ReferralEvent
from tests import factories
from tests.referrals.conftest import consent_body, referral_body

pytestmark = pytest.mark.django_db


def test_hotline_sends_a_referral_with_a_readable_code_and_a_sent_event(people, send, offer):
    response = send(people["sender"], needs=["emergency-shelter", "t-visa"], note="Needs a bed tonight")

    assert response.status_code == 201
    data = response.data
    assert data["status"] == "sent"
    assert data["code"].startswith("R-") and len(data["code"]) == 11
    assert sorted(data["needs"]) == ["emergency-shelter", "t-visa"]
    assert data["receiving_organization"]["id"] == str(offer.service.organization_id)
    referral = Referral.objects.get(code=data["code"])
    assert referral.sender == people["sender"] and referral.state_code == "TX"
    event = ReferralEvent.objects.get(referral=referral)
    assert (event.from_status, event.to_status, event.actor) == ("", "sent", people["sender"])


def test_referral_codes_are_unguessable_and_distinct(people, send):
    codes = {send(people["sender"]).data["code"] for _ in range(20)}
    assert len(codes) == 20
    assert all(code[2:6].isalnum() and code[7:].isalnum() and code[6] == "-" for code in codes)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"needs": []}, "needs"),
        ({"needs": ["no-such-need"]}, "needs"),
        ({"needs": [f"n{i}" for i in range(11)]}, "needs"),
        ({"urgency": "whenever"}, "urgency"),
        ({"service_at_location": str(uuid.uuid4())}, "service_at_location"),
        ({"service_at_location": "not-a-uuid"}, "service_at_location"),
        ({"note": "x" * 4001}, "note"),
        ({"client_contact": {"name": "Maria"}}, "consent"),
        ({"client_contact": {}, "consent": consent_body()}, "client_contact"),
        ({"client_contact": {"phone": "12"}, "consent": consent_body()}, "client_contact"),
        ({"client_contact": {"email": "nope"}, "consent": consent_body()}, "client_contact"),
        ({"client_contact": {"name": "M", "preferred_language": "xx"}, "consent": consent_body()}, "client_contact"),
        ({"consent": {"purpose": "intake"}}, "consent"),
        ({"consent": consent_body(days=-1)}, "consent"),
        ({"consent": {**consent_body(), "given_at": (timezone.now() + timedelta(days=2)).isoformat()}}, "consent"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(people, send, fields, field):
    response = send(people["sender"], **fields)

    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Referral.objects.exists() and not Consent.objects.exists() and not IdempotencyKey.objects.exists()


def test_client_contact_without_consent_is_refused(people, send):
    response = send(people["sender"], client_contact={"name": "Maria", "phone": "713-555-0199"})

    assert response.status_code == 400
    assert "consent" in response.data
    assert not ClientContact.objects.exists()


def test_consent_is_not_required_to_make_a_referral(people, send):
    response = send(people["sender"])

    assert response.status_code == 201
    assert response.data["client_contact"] is None and response.data["consent"] is None


def test_consent_is_recorded_for_the_receiving_organization(people, send, offer):
    response = send(people["sender"], client_contact={"name": "Maria"}, consent=consent_body(days=10))

    consent = Consent.objects.get(referral__code=response.data["code"])
    assert consent.recipient_organization_id == offer.service.organization_id
    assert consent.recorded_by == people["sender"]
    assert consent.expires_at - consent.given_at > timedelta(days=9)
    assert response.data["consent"]["purpose"] == "intake call"


def test_missing_idempotency_key_is_a_400_naming_the_header(people, as_user, offer):
    response = as_user(people["sender"]).post("/api/referrals/", referral_body(offer), format="json")

    assert response.status_code == 400
    assert "Idempotency-Key" in response.data
    assert not Referral.objects.exists()


def test_same_idempotency_key_and_body_returns_the_same_referral(people, send):
    first = send(people["sender"], key="call-1234", note="Same note")
    again = send(people["sender"], key="call-1234", note="Same note")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert first.data["code"] == again.data["code"]
    assert Referral.objects.count() == 1 and ReferralEvent.objects.count() == 1


def test_same_idempotency_key_with_another_body_is_refused(people, send):
    send(people["sender"], key="call-1234", note="First")
    response = send(people["sender"], key="call-1234", note="Second")

    assert response.status_code == 422
    assert "Idempotency-Key" in response.data
    assert Referral.objects.count() == 1


def test_idempotency_keys_belong_to_their_user(people, send):
    first = send(people["sender"], key="shared-key")
    second = send(people["specialist"], key="shared-key")

    assert second.status_code == 201
    assert first.data["code"] != second.data["code"]


def test_the_idempotency_record_keeps_a_keyed_hash_not_the_body(people, send):
    send(people["sender"], key="k", client_contact={"name": "Maria Example"}, consent=consent_body())

    stored = IdempotencyKey.objects.get(key="k")
    assert len(stored.request_hash) == 64 and "Maria" not in stored.request_hash


def test_note_and_client_contact_are_not_readable_in_the_database_row(people, send):
    code = send(
        people["sender"],
        note="Arrives by bus at 6 pm",
        client_contact={"name": "Maria Example", "phone": "713-555-0199", "email": "maria@example.org"},
        consent=consent_body(),
    ).data["code"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM referrals_referral WHERE code = %s", [code])
        (stored_note,) = cursor.fetchone()
        cursor.execute(
            "SELECT c.name, c.phone, c.email FROM referrals_clientcontact c "
            "JOIN referrals_referral r ON r.id = c.referral_id WHERE r.code = %s",
            [code],
        )
        stored_contact = cursor.fetchone()
    assert "bus" not in stored_note and decrypt(stored_note) == "Arrives by bus at 6 pm"
    for stored, plain in zip(stored_contact, ["Maria Example", "+17135550199", "maria@example.org"], strict=True):
        assert plain not in stored and "Maria" not in stored and "555" not in stored
        assert decrypt(stored) == plain


def test_two_writes_of_one_note_give_different_ciphertexts(people, send):
    for _ in range(2):
        send(people["sender"], note="Same words")
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT note FROM referrals_referral")
        assert len(cursor.fetchall()) == 2


def test_receiver_sees_note_contact_and_exact_site_of_its_own_shelter(people, as_user, referral_code):
    data = as_user(people["receiver"]).get(f"/api/referrals/{referral_code}/").data

    assert data["note"] == "Arrives by bus at 6 pm"
    assert data["client_contact"] == {
        "name": "Maria Example",
        "phone": "+17135550199",
        "email": "",
        "preferred_language": "es",
    }
    assert data["location"]["precision"] == "exact" and data["location"]["address_1"] == "6432 Secret Rd"


def test_provider_sender_sees_another_organizations_confidential_site_only_approximately(people, as_user, send, offer):
    sender = people["other_provider"]
    response = send(sender)

    assert response.status_code == 201
    assert response.data["sender_organization"]["id"] == str(sender.organization_id)
    location = response.data["location"]
    assert location["precision"] == "approximate"
    assert "address_1" not in location and "Secret" not in str(response.data)
    assert location["city"] == "Houston"


def test_client_contact_is_hidden_once_consent_has_expired(people, as_user, referral_code, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=31))

    data = as_user(people["receiver"]).get(f"/api/referrals/{referral_code}/").data

    assert data["client_contact"] is None
    assert data["consent"]["expired"] is True


def test_each_read_of_details_and_history_is_recorded(people, as_user, referral_code):
    receiver = as_user(people["receiver"])
    receiver.get(f"/api/referrals/{referral_code}/")
    receiver.get(f"/api/referrals/{referral_code}/events/")
    as_user(people["other_provider"]).get(f"/api/referrals/{referral_code}/")  # 404: not a read

    reads = list(ReferralAccess.objects.filter(referral__code=referral_code).values_list("user", "action", "via"))
    assert sorted(reads) == sorted([(people["receiver"].id, "view", "api"), (people["receiver"].id, "events", "api")])


def test_a_site_not_accepting_referrals_is_refused(people, send, offer):
    offer.location.accepting_referrals = False
    offer.location.save()

    response = send(people["sender"])

    assert response.status_code == 400
    assert "service_at_location" in response.data


def test_an_inactive_service_is_refused(people, send, offer):
    offer.service.status = "inactive"
    offer.service.save()

    response = send(people["sender"])

    assert response.status_code == 400
    assert "service_at_location" in response.data


def test_provider_without_organization_cannot_send(as_user, offer, db):
    # Accounts are created with an organization; one whose organization was removed keeps no sending right.
    user = factories.user(Role.PROVIDER, organization=factories.organization())
    user.organization = None
    user.save()

    response = as_user(user).post("/api/referrals/", referral_body(offer), format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 403


def test_detail_and_list_take_a_constant_number_of_queries(people, as_user, send):
    client = as_user(people["receiver"])
    for _ in range(2):
        send(people["sender"], needs=["emergency-shelter", "t-visa"])
    with CaptureQueriesContext(connection) as few:
        client.get("/api/referrals/")
    for _ in range(6):
        send(people["sender"], needs=["emergency-shelter", "t-visa"])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/referrals/")

    assert response.data["count"] == 8
    assert len(many) == len(few)


def test_a_form_body_with_other_repeated_needs_is_not_taken_for_a_replay(people, as_user, offer):
    client = as_user(people["sender"])
    first = {"service_at_location": str(offer.id), "needs": ["emergency-shelter", "t-visa"]}
    second = {"service_at_location": str(offer.id), "needs": ["legal", "t-visa"]}

    one = client.post("/api/referrals/", first, HTTP_IDEMPOTENCY_KEY="form-key")  # multipart form
    two = client.post("/api/referrals/", second, HTTP_IDEMPOTENCY_KEY="form-key")

    assert one.status_code == 201 and two.status_code == 422


def test_the_same_request_as_json_or_form_with_needs_reordered_is_a_replay(people, as_user, offer):
    client = as_user(people["sender"])
    one = client.post(
        "/api/referrals/",
        {"service_at_location": str(offer.id), "needs": ["t-visa", "emergency-shelter"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    two = client.post(
        "/api/referrals/",
        {"service_at_location": str(offer.id), "needs": ["emergency-shelter", "t-visa"]},
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert two.status_code == 201 and two.data["code"] == one.data["code"]


def test_consent_purpose_is_encrypted_at_rest(people, send):
    send(people["sender"], client_contact={"name": "M"}, consent={**consent_body(), "purpose": "call about housing"})

    with connection.cursor() as cursor:
        cursor.execute("SELECT purpose FROM referrals_consent")
        (stored,) = cursor.fetchone()
    assert "housing" not in stored and decrypt(stored) == "call about housing"


def test_keys_rotate_and_old_keys_can_then_be_removed(people, send, as_user, settings, capsys):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    code = send(people["sender"], note="Arrives by bus", client_contact={"name": "Maria"}, consent=consent_body())
    code = code.data["code"]
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old_keys]

    call_command("rotate_field_keys")

    assert "referrals_referral.note: 1 value(s) re-encrypted" in capsys.readouterr().out
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    data = as_user(people["receiver"]).get(f"/api/referrals/{code}/").data
    assert data["note"] == "Arrives by bus" and data["client_contact"]["name"] == "Maria"
    assert as_user(people["receiver"]).get("/api/referrals/").status_code == 200

"""POST /api/sends/: who may send, what a request must hold (safety check, 1-10 services, a valid number or
address, a key), replays, limits; the answer never holds the number or address."""

import uuid

import pytest
import time_machine
from django.db import connection

from sends.models import Send, SendEvent
from tests.sends.fixtures import EMAIL, NUMBER, jobs

pytestmark = pytest.mark.django_db


def post(client, body, key="key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/sends/", body, format="json", **headers)


def body(chosen, **changes):
    return {"offers": chosen, "channel": "sms", "to": "(713) 555-0199", "language": "es", "safety_confirmed": True,
            **changes}  # fmt: skip


@pytest.mark.parametrize("role", ["hotline", "specialist"])
def test_hotline_staff_and_specialists_send_and_the_answer_holds_no_number(client_for, personas, chosen, role):
    response = post(client_for(role), body(chosen))

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "queued" and data["channel"] == "sms" and data["language"] == "es"
    assert data["offers"] == chosen and [e["action"] for e in data["events"]] == ["created"]
    assert "0199" not in response.content.decode()
    send = Send.objects.get()
    assert send.address == NUMBER and send.sender == personas[role]
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT address FROM sends_send")
        assert "0199" not in cursor.fetchone()[0]
    assert jobs("sends.deliver") == [{"send_id": str(send.pk)}]  # the job holds the id only
    event = SendEvent.objects.get()
    assert event.actor == personas[role] and event.action == "created" and event.detail == "sms, es, 2 service(s)"


@pytest.mark.parametrize("role", [None, "provider", "moderator"])
def test_nobody_else_may_send(client_for, chosen, role):
    assert post(client_for(role), body(chosen)).status_code in (401, 403)
    assert not Send.objects.exists()


def test_a_sender_sees_only_their_own_sends(client_for, chosen):
    sent = post(client_for("hotline"), body(chosen)).json()

    assert [s["id"] for s in client_for("hotline").get("/api/sends/").json()["results"]] == [sent["id"]]
    assert client_for("specialist").get(f"/api/sends/{sent['id']}/").status_code == 404
    assert client_for("specialist").get("/api/sends/").json()["results"] == []
    assert client_for("hotline").get(f"/api/sends/{sent['id']}/").json()["id"] == sent["id"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"safety_confirmed": False}, "safety_confirmed"),
        ({"safety_confirmed": None}, "safety_confirmed"),
        ({"to": "555-0199"}, "to"),
        ({"to": "x" * 5000}, "to"),
        ({"channel": "email", "to": "not an address"}, "to"),
        ({"channel": "fax"}, "channel"),
        ({"language": "fr"}, "language"),
        ({"offers": []}, "offers"),
        ({"offers": [str(uuid.uuid4()) for _ in range(11)]}, "offers"),
        ({"offers": ["not-a-uuid"]}, "offers"),
        ({"offers": [str(uuid.uuid4())]}, "offers"),
        ({"offers": {"nested": ["deep"]}}, "offers"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client_for, chosen, changes, field):
    response = post(client_for("hotline"), body(chosen, **changes))

    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Send.objects.exists() and jobs("sends.deliver") == []


def test_the_same_service_twice_is_refused(client_for, chosen):
    response = post(client_for("hotline"), body([chosen[0], chosen[0]]))
    assert response.status_code == 400 and "offers" in response.json()


def test_a_key_is_required_and_a_replay_returns_the_first_send(client_for, chosen):
    hotline = client_for("hotline")
    assert "Idempotency-Key" in post(hotline, body(chosen), key=None).json()

    first = post(hotline, body(chosen))
    again = post(hotline, body(chosen, to="+1 713 555 0199"))  # the same number, written otherwise

    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and Send.objects.count() == 1
    assert post(hotline, body(chosen, channel="email", to=EMAIL)).status_code == 422
    assert Send.objects.count() == 1 and len(jobs("sends.deliver")) == 1


def test_a_sender_may_send_so_many_lists_an_hour(client_for, chosen, settings):
    settings.SENDS_PER_SENDER_HOUR = 2
    hotline = client_for("hotline")
    for n, at in enumerate(["10:00", "10:20"]):
        with time_machine.travel(f"2026-12-07 {at}Z", tick=False):
            assert post(hotline, body(chosen, to=f"+1713555020{n}"), key=f"k{n}").status_code == 201

    with time_machine.travel("2026-12-07 10:30Z", tick=False):
        refused = post(hotline, body(chosen, to="+17135550209"), key="k9")
    assert refused.status_code == 429 and "last hour" in refused.json()["detail"]
    assert refused["Retry-After"] == str(30 * 60) and Send.objects.count() == 2  # when the 10:00 one leaves the hour
    with time_machine.travel("2026-12-07 11:00:01Z", tick=False):
        assert post(hotline, body(chosen, to="+17135550209"), key="k10").status_code == 201


def test_one_number_is_sent_so_many_lists_in_24_hours_whoever_sends_them(client_for, chosen, settings):
    settings.SENDS_PER_RECIPIENT_DAY = 1
    with time_machine.travel("2026-12-07 23:00Z", tick=False):
        assert post(client_for("hotline"), body(chosen)).status_code == 201
        refused = post(client_for("specialist"), body(chosen, to="713.555.0199"))
        assert refused.status_code == 429 and "last 24 hours" in refused.json()["detail"]
        assert refused["Retry-After"] == str(24 * 3600)
        assert post(client_for("specialist"), body(chosen, to="+17135550198"), key="other").status_code == 201
    with time_machine.travel("2026-12-08 00:30Z", tick=False):  # a new UTC day, the same 24 hours
        refused = post(client_for("specialist"), body(chosen), key="after-midnight")
        assert refused.status_code == 429 and refused["Retry-After"] == str(int(22.5 * 3600))
    with time_machine.travel("2026-12-08 23:01Z", tick=False):
        assert post(client_for("specialist"), body(chosen), key="next-day").status_code == 201
    # Counted on a keyed hash of the day, never on the number; a different day's hash differs.
    hashes = list(Send.objects.order_by("created_at").values_list("recipient_hash", flat=True))
    assert len(set(hashes)) == 3 and all("0199" not in h for h in hashes)


def test_an_email_address_is_one_recipient_in_any_case(client_for, chosen, settings):
    settings.SENDS_PER_RECIPIENT_DAY = 1
    email = body(chosen, channel="email", to="Maria.Private@Example.NET")
    assert post(client_for("hotline"), email).status_code == 201
    assert post(client_for("hotline"), {**email, "to": "maria.private@example.net"}, key="k2").status_code == 429


def test_the_order_of_the_services_is_part_of_the_request(client_for, chosen):
    hotline = client_for("hotline")
    assert post(hotline, body(chosen)).status_code == 201
    assert post(hotline, body(chosen[::-1])).status_code == 422


def test_the_schema_documents_the_send(client_for):
    schema = client_for("hotline").get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/sends/"]["post"]
    assert {p["name"] for p in operation["parameters"]} >= {"Idempotency-Key"}
    assert "/api/sends/sms-status/" not in schema["paths"]


def test_without_an_sms_backend_text_messages_are_refused_by_name(client_for, chosen, settings):
    settings.SMS_BACKEND = ""
    response = post(client_for("hotline"), body(chosen))
    assert response.status_code == 400 and "not set up" in response.json()["channel"][0]
    assert post(client_for("hotline"), body(chosen, channel="email", to="a@example.net")).status_code == 201

"""Who may see and change a referral (sender and receiving staff only; everyone else 404), the list and
report role matrices, and the lifecycle: every action tried from every status."""

import uuid

import pytest

from referrals.models import Referral, ReferralAccess, ReferralEvent
from referrals.services import referral_expire
from tests import factories
from tests.referrals.conftest import referral_body

pytestmark = pytest.mark.django_db

ACTIONS = ("accept", "decline", "start", "complete", "close", "withdraw")
# A valid body for each action and the side allowed to take it; written out from the issue, not read from
# referrals.models.TRANSITIONS, so that the table under test is checked against an independent one.
BODIES = {
    "accept": {},
    "decline": {"reason": "not_eligible"},
    "start": {},
    "complete": {"outcome": "partially"},
    "close": {"reason": "referred_elsewhere"},
    "withdraw": {"reason_text": "Client found a place nearer home"},
}
SIDE_OF_ACTION = {action: "sender" if action == "withdraw" else "receiver" for action in ACTIONS}
SIDE_OF = {"sender": "sender", "receiver": "receiver", "receiver_colleague": "receiver"}
LEGAL = {
    ("sent", "accept"): "accepted",
    ("sent", "decline"): "declined",
    ("sent", "withdraw"): "withdrawn",
    ("accepted", "start"): "in_progress",
    ("accepted", "close"): "closed",
    ("accepted", "withdraw"): "withdrawn",
    ("in_progress", "complete"): "completed",
    ("in_progress", "close"): "closed",
    ("in_progress", "withdraw"): "withdrawn",
}
FINAL = {"declined", "completed", "closed", "withdrawn", "expired"}
# How each status is reached through the API from `sent` (who, action); `expired` is the system's doing.
PATHS = {
    "sent": [],
    "accepted": [("receiver", "accept")],
    "declined": [("receiver", "decline")],
    "in_progress": [("receiver", "accept"), ("receiver_colleague", "start")],
    "completed": [("receiver", "accept"), ("receiver", "start"), ("receiver_colleague", "complete")],
    "closed": [("receiver", "accept"), ("receiver_colleague", "close")],
    "withdrawn": [("sender", "withdraw")],
    "expired": [],
}
OUTSIDERS = ("anonymous", "colleague", "other_provider", "specialist", "moderator")
ENDPOINTS = ("detail", "events", *ACTIONS)
UNKNOWN_CODE = "R-ZZZZ-ZZZZ"


def allowed_for(status: str, side: str) -> list[str]:
    """Return the actions the issue lets a side take from a status, sorted."""
    return sorted(action for source, action in LEGAL if source == status and SIDE_OF_ACTION[action] == side)


def call(client, code: str, endpoint: str):
    """Request one referral endpoint: its details, its history, or an action with a valid body."""
    if endpoint == "detail":
        return client.get(f"/api/referrals/{code}/")
    if endpoint == "events":
        return client.get(f"/api/referrals/{code}/events/")
    return client.post(f"/api/referrals/{code}/{endpoint}/", BODIES[endpoint], format="json")


@pytest.fixture
def drive(people, act, referral_code):
    """Return a function moving the hotline's referral to a status through the API; it returns the code."""

    def to(status: str) -> str:
        for who, action in PATHS[status]:
            response = act(people[who], referral_code, action, **BODIES[action])
            assert response.status_code == 200, response.data
        if status == "expired":
            referral_expire(referral=Referral.objects.get(code=referral_code))
        assert Referral.objects.get(code=referral_code).status == status
        return referral_code

    return to


# --- who sees a referral ---------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_the_same_404_as_for_an_unknown_code_and_change_nothing(
    people, as_user, referral_code, outsider, endpoint
):
    client = as_user(people[outsider])
    assert not Referral.objects.filter(code=UNKNOWN_CODE).exists()

    response = call(client, referral_code, endpoint)
    unknown = call(client, UNKNOWN_CODE, endpoint)

    assert response.status_code == 404, response.data
    assert response.data == unknown.data  # a real code cannot be told apart from a made-up one
    referral = Referral.objects.get(code=referral_code)
    assert referral.status == "sent" and referral.events.count() == 1
    assert not ReferralAccess.objects.exists()


@pytest.mark.parametrize("who", ["sender", "receiver", "receiver_colleague"])
def test_sender_and_receiving_staff_read_details_and_history_and_each_read_is_logged(
    people, as_user, referral_code, who
):
    client = as_user(people[who])

    detail = call(client, referral_code, "detail")
    events = call(client, referral_code, "events")

    assert detail.status_code == 200 and detail.data["code"] == referral_code
    assert events.status_code == 200
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in events.data] == [
        ("", "sent", people["sender"].username)
    ]
    logged = ReferralAccess.objects.filter(referral__code=referral_code, user=people[who])
    assert sorted(logged.values_list("action", flat=True)) == ["events", "view"]


def test_code_lookup_ignores_case(people, as_user, act, referral_code):
    lower = referral_code.lower()
    assert lower != referral_code

    assert as_user(people["sender"]).get(f"/api/referrals/{lower}/").data["code"] == referral_code
    assert as_user(people["sender"]).get(f"/api/referrals/{lower}/events/").status_code == 200
    assert act(people["receiver"], lower, "accept").status_code == 200
    assert Referral.objects.get(code=referral_code).status == "accepted"


@pytest.mark.parametrize("who", ["sender", "receiver"])
@pytest.mark.parametrize("endpoint", ["detail", "events", "accept", "withdraw"])
def test_well_formed_unknown_code_is_404_even_for_insiders(people, as_user, referral_code, who, endpoint):
    assert call(as_user(people[who]), UNKNOWN_CODE, endpoint).status_code == 404


# --- who acts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "action"),
    [
        ("sender", "sent", "accept"),
        ("sender", "sent", "decline"),
        ("sender", "accepted", "start"),
        ("sender", "accepted", "close"),
        ("sender", "in_progress", "complete"),
        ("sender", "in_progress", "close"),
        ("receiver", "sent", "withdraw"),
        ("receiver_colleague", "in_progress", "withdraw"),
    ],
)
def test_the_other_side_gets_403_even_where_the_status_allows_the_action(people, act, drive, who, status, action):
    code = drive(status)
    events_before = ReferralEvent.objects.filter(referral__code=code).count()

    response = act(people[who], code, action, **BODIES[action])

    assert response.status_code == 403, response.data
    assert Referral.objects.get(code=code).status == status
    assert ReferralEvent.objects.filter(referral__code=code).count() == events_before


@pytest.mark.parametrize(("who", "action"), [("sender", "decline"), ("sender", "complete"), ("receiver", "withdraw")])
def test_the_other_side_learns_403_before_anything_about_its_input(people, act, referral_code, who, action):
    response = act(people[who], referral_code, action, reason="not-a-reason", outcome="?", reason_text="x" * 5000)

    assert response.status_code == 403


def test_any_staff_of_the_receiving_organization_may_answer(people, as_user, act, referral_code):
    assert act(people["receiver"], referral_code, "accept").status_code == 200
    assert act(people["receiver_colleague"], referral_code, "start").status_code == 200
    assert act(people["receiver_colleague"], referral_code, "complete", outcome="got_help").status_code == 200

    events = as_user(people["sender"]).get(f"/api/referrals/{referral_code}/events/").data
    assert [(e["to_status"], e["actor"]) for e in events] == [
        ("sent", people["sender"].username),
        ("accepted", people["receiver"].username),
        ("in_progress", people["receiver_colleague"].username),
        ("completed", people["receiver_colleague"].username),
    ]


# --- lifecycle -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", list(PATHS))
def test_every_action_from_every_status(people, act, drive, status, action):
    code = drive(status)
    side = SIDE_OF_ACTION[action]
    actor = people[side]
    before = Referral.objects.get(code=code)
    events_before = before.events.count()

    response = act(actor, code, action, **BODIES[action])

    referral = Referral.objects.get(code=code)
    if (status, action) not in LEGAL:
        assert response.status_code == 409, response.data
        assert set(response.data) == {"detail", "status", "allowed"}
        assert response.data["status"] == status
        assert sorted(response.data["allowed"]) == allowed_for(status, side)
        assert len(response.data["allowed"]) == len(set(response.data["allowed"]))
        assert referral.status == status and referral.events.count() == events_before
        assert referral.updated_at == before.updated_at
        return
    new = LEGAL[status, action]
    assert response.status_code == 200, response.data
    assert response.data["status"] == referral.status == new
    assert sorted(response.data["allowed_actions"]) == allowed_for(new, side)
    assert referral.events.count() == events_before + 1
    event = referral.events.last()
    body = BODIES[action]
    assert (event.from_status, event.to_status, event.actor) == (status, new, actor)
    assert (event.reason, event.reason_text, event.outcome) == (
        body.get("reason", ""),
        body.get("reason_text", ""),
        body.get("outcome", ""),
    )
    # answered_at is the first accept or decline only; ended_at is set by a final status only.
    assert referral.answered_at == (event.at if action in ("accept", "decline") else before.answered_at)
    assert referral.ended_at == (event.at if new in FINAL else None)


def test_expiry_is_recorded_as_the_systems_doing_and_ends_the_referral(people, as_user, drive):
    code = drive("expired")

    referral = Referral.objects.get(code=code)
    event = referral.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("sent", "expired", None)
    assert referral.ended_at == event.at and referral.answered_at is None
    events = as_user(people["sender"]).get(f"/api/referrals/{code}/events/").data
    assert events[-1]["actor"] == "system"


@pytest.mark.parametrize("status", list(PATHS))
def test_details_list_the_actions_the_callers_side_may_take(people, as_user, drive, status):
    code = drive(status)

    for who, side in SIDE_OF.items():
        data = as_user(people[who]).get(f"/api/referrals/{code}/").data
        assert sorted(data["allowed_actions"]) == allowed_for(status, side), who


@pytest.mark.parametrize(
    ("status", "action", "body", "field"),
    [
        ("sent", "decline", {}, "reason"),
        ("sent", "decline", {"reason": "no_longer_interested"}, "reason"),
        ("sent", "decline", {"reason": "sometime"}, "reason"),
        ("sent", "decline", {"reason": "other"}, "reason_text"),
        ("sent", "decline", {"reason": "other", "reason_text": "   "}, "reason_text"),
        ("accepted", "close", {}, "reason"),
        ("accepted", "close", {"reason": "no_capacity"}, "reason"),
        ("in_progress", "close", {"reason": "other", "reason_text": "moved"}, "reason"),
        ("in_progress", "complete", {}, "outcome"),
        ("in_progress", "complete", {"outcome": "cured"}, "outcome"),
    ],
)
def test_missing_or_invalid_reason_or_outcome_is_a_400_naming_the_field(
    people, act, drive, status, action, body, field
):
    code = drive(status)
    events_before = ReferralEvent.objects.filter(referral__code=code).count()

    response = act(people["receiver"], code, action, **body)

    assert response.status_code == 400, response.data
    assert field in response.data
    assert Referral.objects.get(code=code).status == status
    assert ReferralEvent.objects.filter(referral__code=code).count() == events_before


def test_decline_for_another_reason_keeps_the_reason_text(people, act, referral_code):
    response = act(people["receiver"], referral_code, "decline", reason="other", reason_text="Only serves minors")

    assert response.status_code == 200, response.data
    assert response.data["reason"] == "other"
    event = Referral.objects.get(code=referral_code).events.last()
    assert (event.reason, event.reason_text) == ("other", "Only serves minors")


# --- list, create, reports -------------------------------------------------------------------------------


@pytest.fixture
def mailbox(people, as_user, send, act):
    """Send referrals between the personas; return their codes by name. Two are answered."""
    other_org = people["other_provider"].organization
    service = factories.service(other_org, needs=("emergency-shelter",))
    other_offer = factories.offer(service, factories.location(other_org))
    to_other = as_user(people["receiver"]).post(
        "/api/referrals/", referral_body(other_offer), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    codes = {
        "hotline_to_org": send(people["sender"]).data["code"],
        "colleague_to_org": send(people["colleague"]).data["code"],
        "specialist_to_org": send(people["specialist"]).data["code"],
        "other_provider_to_org": send(people["other_provider"]).data["code"],
        "receiver_to_other": to_other.data["code"],
    }
    assert act(people["receiver"], codes["colleague_to_org"], "accept").status_code == 200
    assert act(people["receiver"], codes["specialist_to_org"], "decline", reason="no_capacity").status_code == 200
    return codes


TO_ORG = {"hotline_to_org", "colleague_to_org", "specialist_to_org", "other_provider_to_org"}
# persona: (referrals sent, referrals received by their organization)
EXPECTED_LIST = {
    "sender": ({"hotline_to_org"}, set()),
    "colleague": ({"colleague_to_org"}, set()),
    "specialist": ({"specialist_to_org"}, set()),
    "receiver": ({"receiver_to_other"}, TO_ORG),
    "receiver_colleague": (set(), TO_ORG),
    "other_provider": ({"other_provider_to_org"}, {"receiver_to_other"}),
    "moderator": (set(), set()),
}


def listed(client, **params) -> list[str]:
    response = client.get("/api/referrals/", params)
    assert response.status_code == 200, response.data
    return [row["code"] for row in response.data["results"]]


@pytest.mark.parametrize("persona", list(EXPECTED_LIST))
def test_list_shows_exactly_what_the_caller_sent_and_their_organization_received(people, as_user, mailbox, persona):
    client = as_user(people[persona])
    sent, received = EXPECTED_LIST[persona]

    def codes(names):
        return sorted(mailbox[name] for name in names)

    everything = listed(client)
    assert sorted(everything) == codes(sent | received)
    assert len(everything) == len(set(everything))
    assert sorted(listed(client, direction="sent")) == codes(sent)
    assert sorted(listed(client, direction="received")) == codes(received)


def test_list_filters_by_one_or_more_statuses(people, as_user, mailbox):
    client = as_user(people["receiver"])

    assert sorted(listed(client, status="sent")) == sorted(
        mailbox[name] for name in ("hotline_to_org", "other_provider_to_org", "receiver_to_other")
    )
    assert sorted(listed(client, status=["accepted", "declined"])) == sorted(
        [mailbox["colleague_to_org"], mailbox["specialist_to_org"]]
    )
    assert listed(client, status="accepted", direction="sent") == []
    assert listed(client, status="completed") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"status": ["sent", "bogus"]}, "status"),
        ({"direction": "sideways"}, "direction"),
    ],
)
def test_bad_list_filter_is_a_400_naming_the_field(people, as_user, mailbox, params, field):
    response = as_user(people["receiver"]).get("/api/referrals/", params)

    assert response.status_code == 400
    assert field in response.data


def test_anonymous_list_is_401(api, mailbox):
    assert api.get("/api/referrals/").status_code == 401


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("hotline", 201), ("specialist", 201), ("provider", 201), ("other_provider", 201)]
    + [("moderator", 403), (None, 401)],
)
def test_who_may_send_a_referral(client_for, offer, persona, expected):
    response = client_for(persona).post(
        "/api/referrals/", referral_body(offer), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )

    assert response.status_code == expected, response.data
    assert Referral.objects.count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("moderator", 200), ("hotline", 403), ("specialist", 403), ("provider", 403), ("other_provider", 403)]
    + [(None, 401)],
)
def test_only_moderators_read_referral_reports(client_for, persona, expected):
    assert client_for(persona).get("/api/reports/referrals/").status_code == expected


# --- a sender who moves on loses access ------------------------------------------------------------------


def test_a_provider_sender_who_moved_organization_no_longer_sees_what_they_sent(people, as_user, send):
    from tests import factories

    sender = people["other_provider"]
    code = send(sender).data["code"]
    sender.organization = factories.organization()
    sender.save()

    assert as_user(sender).get(f"/api/referrals/{code}/").status_code == 404
    assert as_user(sender).post(f"/api/referrals/{code}/withdraw/", {}).status_code == 404
    assert as_user(sender).get("/api/referrals/").data["count"] == 0


def test_a_sender_who_became_a_moderator_no_longer_sees_what_they_sent(people, as_user, referral_code):
    from django.contrib.auth.models import Group

    sender = people["sender"]
    sender.groups.set([Group.objects.get(name="moderator")])
    sender = type(sender).objects.get(pk=sender.pk)  # fresh role

    assert as_user(sender).get(f"/api/referrals/{referral_code}/").status_code == 404
    assert as_user(sender).post(f"/api/referrals/{referral_code}/withdraw/", {}).status_code == 404


def test_status_conflict_comes_before_a_bad_body(people, act, referral_code):
    act(people["receiver"], referral_code, "accept")

    response = act(people["receiver"], referral_code, "decline")  # no reason, and no longer `sent`

    assert response.status_code == 409


def test_referral_responses_are_never_cached(people, as_user, referral_code, client):
    response = as_user(people["receiver"]).get(f"/api/referrals/{referral_code}/")
    assert "no-store" in response["Cache-Control"]

    client.force_login(people["receiver"])
    assert "no-store" in client.get(f"/referrals/{referral_code}/")["Cache-Control"]

"""The API and the referral page take their lifecycle actions from one table (referrals.actions): the same
actions, the same inputs, the same rules, the same stored result."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from referrals.actions import ACTIONS
from referrals.models import Referral, ReferralEvent

pytestmark = pytest.mark.django_db


def page_forms(client, code: str) -> dict[str, set[str]]:
    """Return each action form on the referral page and the names of the inputs it sends."""
    html = client.get(f"/referrals/{code}/").content.decode()
    forms = re.findall(r'<form method="post" action="/referrals/[^/]+/act/(\w+)/"(.*?)</form>', html, re.S)
    return {name: set(re.findall(r'name="(\w+)"', body)) - {"csrfmiddlewaretoken"} for name, body in forms}


def test_every_action_of_the_table_is_an_api_operation_with_its_inputs():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for name, action in ACTIONS.items():
        operation = schema["paths"][f"/api/referrals/{{code}}/{name}/"]["post"]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        fields = set(components[body["$ref"].rsplit("/", 1)[1]]["properties"]) if "$ref" in body else set()
        assert fields == set(action.input().fields), name
        assert "409" in operation["responses"], name


def test_the_page_offers_each_allowed_action_with_the_apis_inputs(client, people, referral_code, act):
    client.force_login(people["receiver"])
    assert page_forms(client, referral_code) == {
        name: set(ACTIONS[name].input().fields) for name in ("accept", "decline")
    }
    assert act(people["receiver"], referral_code, "accept").status_code == 200
    assert page_forms(client, referral_code) == {name: set(ACTIONS[name].input().fields) for name in ("start", "close")}
    client.force_login(people["sender"])
    assert page_forms(client, referral_code) == {"withdraw": {"reason_text"}}


def test_a_withdraw_from_the_page_keeps_its_reason_as_the_api_does(client, people, referral_code, send, act):
    client.force_login(people["sender"])
    response = client.post(f"/referrals/{referral_code}/act/withdraw/", {"reason_text": "Client found a bed"})
    assert response.status_code == 302
    from_page = Referral.objects.get(code=referral_code)

    other = send(people["sender"]).data["code"]
    assert act(people["sender"], other, "withdraw", reason_text="Client found a bed").status_code == 200
    from_api = Referral.objects.get(code=other)

    assert from_page.status == from_api.status == "withdrawn"
    assert from_page.reason_text == from_api.reason_text == "Client found a bed"
    events = ReferralEvent.objects.filter(referral__code__in=[referral_code, other], to_status="withdrawn")
    assert sorted(event.reason_text for event in events) == ["Client found a bed"] * 2


def test_the_page_refuses_what_the_api_refuses_in_the_same_order(client, people, referral_code, act):
    # Not a side of this action: refused before anything else (403), as the API does.
    client.force_login(people["sender"])
    assert client.post(f"/referrals/{referral_code}/act/accept/").status_code == 403
    assert act(people["sender"], referral_code, "accept").status_code == 403
    # A transition the status does not allow: the page says which ones are allowed, like the API's 409.
    client.force_login(people["receiver"])
    response = client.post(f"/referrals/{referral_code}/act/complete/", {"outcome": "got_help"}, follow=True)
    assert "accept" in response.content.decode() and "decline" in response.content.decode()
    assert act(people["receiver"], referral_code, "complete", outcome="got_help").status_code == 409
    # Bad input: named by field, nothing changed.
    response = client.post(f"/referrals/{referral_code}/act/decline/", {"reason": "bored"}, follow=True)
    assert "reason:" in response.content.decode()
    assert Referral.objects.get(code=referral_code).status == "sent"

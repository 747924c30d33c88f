"""The send form (/send/): the chosen services' message previewed as the survivor will get it, the safety check,
the number or address posted (never in a URL) and never shown again; the status page."""

import re

import pytest
from django.test import Client

from sends.models import Send
from tests.sends.fixtures import NUMBER

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_previews_the_message_in_the_chosen_language(personas, chosen):
    page = signed_in(personas["hotline"]).get("/send/", {"offers": ",".join(chosen), "language": "es"})

    html = page.content.decode()
    assert page.status_code == 200 and "Aquí está la información que pidió." in html
    assert re.search(r'data-preview-language="es" lang="es" >', html)  # shown; the English one hidden
    assert re.search(r'data-preview-language="en" lang="en" hidden>', html)
    assert "500 Main St" in html and "Hidden Lane" not in html and 'name="safety_confirmed"' in html
    assert page["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("role", ["provider", "moderator"])
def test_only_senders_get_the_form(personas, chosen, role):
    assert signed_in(personas[role]).get("/send/", {"offers": chosen[0]}).status_code == 403


def test_the_search_page_offers_sending_only_to_senders(personas):
    assert 'id="send-selected"' in signed_in(personas["hotline"]).get("/").content.decode()
    assert 'id="send-selected"' not in signed_in(personas["provider"]).get("/").content.decode()
    assert 'id="send-selected"' not in Client().get("/").content.decode()


def test_sending_redirects_to_a_status_page_without_the_number(personas, chosen):
    client = signed_in(personas["specialist"])
    form = {"offers": ",".join(chosen), "channel": "sms", "to": "713 555 0199", "language": "en",
            "safety_confirmed": "on", "idempotency_key": "form-1"}  # fmt: skip

    sent = client.post("/send/", form)
    again = client.post("/send/", form)  # pressed twice: one send

    send = Send.objects.get()
    assert sent.status_code == again.status_code == 302 and sent["Location"] == f"/send/{send.pk}/"
    assert send.address == NUMBER and send.language == "en" and send.offers == [*map(__import__("uuid").UUID, chosen)]
    page = client.get(sent["Location"]).content.decode()
    assert "Waiting to be sent" in page and not NUMBER_SHOWN.search(page)
    assert signed_in(personas["hotline"]).get(sent["Location"]).status_code == 404


def test_without_the_safety_check_nothing_is_sent_and_the_form_says_why(personas, chosen):
    response = signed_in(personas["hotline"]).post(
        "/send/", {"offers": ",".join(chosen), "channel": "email", "to": "a@example.net", "idempotency_key": "k"}
    )
    assert response.status_code == 400 and "safety_confirmed" in response.content.decode()
    assert not Send.objects.exists()


def test_a_bad_number_is_named(personas, chosen):
    response = signed_in(personas["hotline"]).post("/send/", {
        "offers": ",".join(chosen), "channel": "sms", "to": "12", "safety_confirmed": "on", "idempotency_key": "k",
    })  # fmt: skip
    assert response.status_code == 400 and "to: Enter a valid mobile number" in response.content.decode()


def test_no_chosen_service_says_what_to_do(personas):
    page = signed_in(personas["hotline"]).get("/send/").content.decode()
    assert "No services are chosen" in page and "<form" not in page.split("<main", 1)[-1].split("</main>")[0]


# The survivor's number in any form a page could write it ("713 555 0199", "+17135550199", "(713) 555-0199"); not
# its last four digits alone, which a random id on the page may hold.
NUMBER_SHOWN = re.compile(r"713\D{0,2}555\D?0199")


def _form(chosen, **changes):
    return {"offers": ",".join(chosen), "channel": "sms", "to": "713 555 0199", "language": "en",
            "safety_confirmed": "on", "idempotency_key": "form-1", **changes}  # fmt: skip


def test_a_limit_reads_as_a_sentence_and_the_number_is_not_shown_again(personas, chosen, settings):
    settings.SENDS_PER_RECIPIENT_DAY = 1
    client = signed_in(personas["hotline"])
    assert client.post("/send/", _form(chosen)).status_code == 302

    refused = client.post("/send/", _form(chosen, idempotency_key="form-2"))

    html = refused.content.decode()
    assert refused.status_code == 429 and "the most allowed; give the list on paper." in html
    assert not NUMBER_SHOWN.search(html) and 'name="safety_confirmed" required>' in html  # asked again, not ticked


def test_bad_services_and_a_tampered_key_are_named_not_500s(personas, chosen):
    client = signed_in(personas["hotline"])
    unknown = client.post("/send/", _form(chosen, offers="not-an-id,%00"))
    assert unknown.status_code == 400 and "offers: Must be a valid UUID." in unknown.content.decode()
    tampered = client.post("/send/", _form(chosen, idempotency_key="k" * 300))
    assert tampered.status_code == 400 and "Idempotency-Key" in tampered.content.decode()
    assert not Send.objects.exists()


def test_more_than_ten_services_are_named_before_sending(personas, chosen):
    eleven = ",".join([chosen[0]] * 11)
    page = signed_in(personas["hotline"]).get("/send/", {"offers": eleven}).content.decode()
    assert "offers: Choose at most 10 services to send" in page


def test_a_refused_key_is_replaced_so_the_form_can_be_sent(personas, chosen):
    client = signed_in(personas["hotline"])
    assert client.post("/send/", _form(chosen)).status_code == 302
    reused = client.post("/send/", _form(chosen, language="es"))  # the same key, another request: 422

    assert reused.status_code == 422
    key = re.search(r'name="idempotency_key" value="([^"]+)"', reused.content.decode()).group(1)
    assert key != "form-1"
    again = client.post("/send/", _form(chosen, language="es", idempotency_key=key))
    assert again.status_code == 302 and Send.objects.count() == 2

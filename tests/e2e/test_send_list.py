"""Sending the list in a real browser: a hotline worker searches, ticks two services, sends them by email after the
safety check, and the local SMTP server receives the message, in Spanish, as the public sees the sites; the page and
its address never hold the email address again."""

import pytest

from accounts.roles import Role
from sends import tasks
from sends.models import Send
from tests import factories
from tests.e2e.test_referral_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
ADDRESS = "maria.private@example.net"


@pytest.fixture
def two_services(db):
    org = factories.organization(name="Casa Segura")
    shelter = factories.service(org, name="Emergency Shelter", needs=("emergency-shelter",), languages=("es",))
    hidden = factories.location(org, name="Safe House", is_confidential=True, latitude=29.7617, longitude=-95.3662)
    factories.address(hidden, address_1="6432 Secret Rd", postal_code="77002-1234")
    factories.phone(location=hidden, number="+17135550122", is_front_door=True)
    factories.offer(shelter, hidden)
    clinic_org = factories.organization(name="Legal Aid Clinic")
    legal = factories.service(clinic_org, name="Immigration legal help", needs=("emergency-shelter",))
    office = factories.location(clinic_org, name="Main office", latitude=29.758, longitude=-95.37)
    factories.address(office, address_1="900 Main St", postal_code="77002")
    factories.phone(location=office, number="+17135550144", is_front_door=True)
    factories.offer(legal, office)


def test_a_hotline_worker_sends_the_list_by_email_and_the_smtp_server_receives_it(page, two_services, smtp,
                                                                                  screenshot):  # fmt: skip
    hotline = factories.user(Role.HOTLINE, username="hotline-ana")
    sign_in(page, hotline.username)
    page.goto("/")
    page.get_by_label("Place (ZIP code, city and state, or address)").fill("77002")
    page.locator("input[name=needs][value=emergency-shelter]").check()
    page.get_by_role("button", name="Search").click()
    for name in ("Casa Segura", "Legal Aid Clinic"):
        result = page.locator("#results li.result", has_text=name)
        result.wait_for()
        result.get_by_label("Choose (print or send)").check()
    screenshot(page, "1-chosen")
    page.get_by_role("button", name="Send the chosen services to the survivor").click()

    page.get_by_role("heading", name="Send the list to the survivor").wait_for()
    assert "Secret Rd" not in page.locator(".send-preview").first.inner_text()
    page.get_by_role("radio", name="Email").check()
    page.get_by_label("Mobile number or email address").fill(ADDRESS)
    page.get_by_label("Language of the message").select_option("es")
    assert page.locator(".send-preview:visible").inner_text().startswith("Aquí está la información que pidió.")
    # The browser's own check first: the safety question must be answered (the box is required).
    assert page.locator("input[name=safety_confirmed]:invalid").count() == 1
    page.get_by_label("The person says it is safe to send this now").check()
    screenshot(page, "2-safety-check")
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator("#send-status").wait_for()
    assert "maria" not in page.url and "maria" not in page.content()
    screenshot(page, "3-queued")

    send = Send.objects.get()
    tasks.deliver(send_id=str(send.pk))  # the worker's job, here in the test's process

    (message,) = smtp.messages
    assert message.recipients == [ADDRESS] and message["Subject"] == "La información que pidió"
    text = message.get_content()
    assert text.startswith("Aquí está la información que pidió.")
    assert "Casa Segura: Emergency Shelter" in text and "Legal Aid Clinic: Immigration legal help" in text
    assert "(713) 555-0122" in text and "900 Main St" in text
    assert "Secret Rd" not in text and "1234" not in text
    page.reload()
    assert "Sent" in page.locator("#send-status").inner_text()
    screenshot(page, "4-sent")

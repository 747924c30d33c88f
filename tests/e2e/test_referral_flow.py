"""The referral loop in a real browser: a hotline worker searches near a ZIP for emergency shelter and
immigration legal help in Spanish, sends a referral with consent and sees it `sent`; the receiving
provider signs in, finds it in the inbox and accepts it; the hotline worker sees `accepted`."""

import pytest

from accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shelter(db):
    org = factories.organization(name="Casa Segura", email="intake@casa.example.org")
    service = factories.service(org, name="Emergency Shelter", needs=("emergency-shelter", "immigration-legal"),
                                languages=("es", "en"), last_verified_on="2026-11-01")  # fmt: skip
    location = factories.location(org, name="Safe House", is_confidential=True, latitude=29.7617, longitude=-95.3662,
                                  beds_total=10, beds_available=3)  # fmt: skip
    factories.address(location, address_1="6432 Secret Rd", postal_code="77002")
    factories.phone(location=location, number="+17135550122", is_front_door=True)
    factories.offer(service, location)
    return org


def sign_in(page, username: str):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {username}").wait_for()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_hotline_sends_with_consent_and_the_provider_accepts(page, shelter, screenshot):
    hotline = factories.user(Role.HOTLINE, username="hotline-maria")
    factories.user(Role.PROVIDER, organization=shelter, username="casa-staff")

    # 1. The hotline worker searches and sends a referral with the client's consent.
    sign_in(page, hotline.username)
    page.goto("/")
    page.get_by_label("Place (ZIP code, city and state, or address)").fill("77002")
    page.locator("input[name=needs][value=emergency-shelter]").check()
    page.locator("summary", has_text="Legal services").click()
    page.locator("input[name=needs][value=immigration-legal]").check()
    page.locator("#language").select_option("es")
    page.get_by_role("button", name="Search").click()
    result = page.locator("#results li.result", has_text="Casa Segura")
    result.wait_for()
    assert "(713) 555-0122" in result.inner_text()  # the front door, as dialed, on the compact card
    result.get_by_text("Why it matches, and where").click()
    assert "6432 Secret Rd" in result.inner_text()  # hotline staff see the exact place
    assert page.locator("#map .leaflet-interactive").count() >= 1
    screenshot(page, "1-search")
    result.get_by_role("link", name="Send referral").click()
    page.get_by_role("heading", name="Send a referral").wait_for()
    assert "77002" not in page.url and "Maria" not in page.url
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_label("Note for the provider").fill("Arrives by bus tonight")
    page.get_by_label("The client agrees that Casa Segura may contact them").check()
    page.get_by_label("Client name").fill("Maria Example")
    page.get_by_label("Client phone").fill("713-555-0199")
    screenshot(page, "2-consent")
    page.get_by_role("button", name="Send referral").click()
    page.locator("#referral-status").wait_for()
    assert page.locator("#referral-status").inner_text() == "Sent"
    code = page.get_by_role("heading", level=1).inner_text().split()[-1]
    assert "Maria" not in page.url and "713" not in page.url
    screenshot(page, "3-sent")
    sign_out(page)

    # 2. The provider finds it in the inbox and accepts it.
    sign_in(page, "casa-staff")
    page.get_by_role("link", name="Referrals").click()
    page.get_by_role("heading", name="Referrals").wait_for()
    page.get_by_role("link", name=code).click()
    assert page.locator("#referral-note").inner_text() == "Arrives by bus tonight"
    assert "Maria Example" in page.content() and "+17135550199" in page.content()
    page.get_by_role("button", name="Accept").click()
    page.locator("#referral-status", has_text="Accepted").wait_for()
    screenshot(page, "4-accepted-by-provider")
    sign_out(page)

    # 3. The hotline worker sees it accepted.
    sign_in(page, hotline.username)
    page.get_by_role("link", name="Referrals").click()
    row = page.locator("tr", has_text=code)
    assert row.locator(".status").inner_text() == "Accepted"
    screenshot(page, "5-hotline-sees-accepted")

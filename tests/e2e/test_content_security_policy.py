"""The pages work under their Content Security Policy: no violation on any main page, and the behaviour that
used inline handlers (the language switch, the print button) still works from site.js."""

import pytest

from accounts.roles import Role
from tests import factories
from tests.e2e.test_public_search import search
from tests.e2e.test_referral_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# Runs before the page's own scripts (through the DevTools protocol, which the policy does not govern).
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


@pytest.fixture
def watched(page):
    page.context.add_init_script(WATCH)
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


@pytest.fixture
def listing(db):
    org = factories.organization(name="Harbor Shelter")
    service = factories.service(
        org, name="Emergency Shelter", needs=("emergency-shelter",), last_verified_on="2026-11-01"
    )
    location = factories.location(org, name="Shelter", latitude=29.7617, longitude=-95.3662)
    factories.address(location, address_1="1 Open St", postal_code="77002")
    return factories.offer(service, location)


def test_no_main_page_breaks_the_policy(watched, listing, screenshot):
    page = watched
    seen = {}

    search(page, "77002", ["emergency-shelter"])
    page.locator(".leaflet-marker-icon, .cluster").first.wait_for()
    seen["search with map"] = violations(page)

    page.goto(f"/listings/{listing.location_id}/")
    page.locator(".leaflet-container").first.wait_for()
    seen["listing"] = violations(page)

    page.goto(f"/print/?offers={listing.pk}")
    seen["print sheet"] = violations(page)

    page.goto("/api/docs/")
    page.locator(".swagger-ui .info").first.wait_for()
    seen["api docs"] = violations(page)
    screenshot(page, "api-docs")

    factories.user(Role.HOTLINE, username="hotline-csp")
    sign_in(page, "hotline-csp")
    for path in ("/referrals/", "/accounts/two-factor/"):
        page.goto(path)
        seen[path] = violations(page)
    page.locator(".qr svg").wait_for()
    screenshot(page, "two-factor")

    assert seen == {name: [] for name in seen}


def test_the_language_switch_and_print_button_work_without_inline_handlers(watched, listing):
    page = watched
    page.goto("/")

    page.locator("#language-switch").select_option("es")
    page.wait_for_url("**/")
    page.get_by_role("link", name="Buscar servicios").wait_for()

    page.goto(f"/print/?offers={listing.pk}")
    page.locator("button[data-print]").click()

    assert page.evaluate("window.__printed") == 1
    assert violations(page) == []

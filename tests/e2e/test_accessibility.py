"""WCAG 2.1 A/AA basics checked with the axe engine in Chromium on the main pages, a phone-width layout
without sideways scrolling, and keyboard use of the search."""

from pathlib import Path

import pytest
from django.conf import settings

from accounts.roles import Role
from tests import factories
from tests.e2e.test_public_search import search
from tests.e2e.test_referral_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR) / ".cache" / "axe-core" / "package" / "axe.min.js"


def violations(page) -> list[str]:
    assert AXE.is_file(), f"{AXE} is fetched by scripts/setup.sh"
    # Evaluated through the DevTools protocol, which the page's Content Security Policy does not govern (an
    # injected <script> tag would be refused, as it should be).
    page.evaluate(AXE.read_text() + "\n;undefined")
    found = page.evaluate(
        """async () => {
            const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map(v => v.id + ' (' + v.impact + '): '
                + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
        }"""
    )
    return found


@pytest.fixture
def listing(db):
    org = factories.organization(name="Harbor Shelter")
    service = factories.service(
        org, name="Emergency Shelter", needs=("emergency-shelter",), last_verified_on="2026-11-01"
    )
    location = factories.location(org, name="Shelter", latitude=29.7617, longitude=-95.3662)
    factories.address(location, address_1="1 Open St", postal_code="77002")
    factories.offer(service, location)
    return location


def test_the_accessibility_check_finds_a_real_violation(page, listing):
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=unlabelled>')")

    assert any(v.startswith("label") for v in violations(page))


def test_main_pages_have_no_wcag_a_or_aa_violations(page, listing, screenshot):
    search(page, "77002", ["emergency-shelter"])
    assert violations(page) == []
    page.goto(f"/listings/{listing.pk}/")
    assert violations(page) == []
    page.goto("/accounts/login/")
    assert violations(page) == []
    factories.user(Role.HOTLINE, username="hotline-a11y")
    sign_in(page, "hotline-a11y")
    page.goto(f"/referrals/new/?offer={listing.service_at_locations.get().pk}&needs=emergency-shelter")
    assert violations(page) == []
    page.goto("/referrals/")
    assert violations(page) == []
    page.goto("/accounts/two-factor/")
    assert violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    factories.user(Role.PROVIDER, organization=listing.organization, username="staff-a11y")
    sign_in(page, "staff-a11y")
    page.goto("/portal/")
    assert violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    factories.user(Role.MODERATOR, username="mod-a11y")
    sign_in(page, "mod-a11y")
    page.goto("/moderation/")
    assert violations(page) == []


def test_phone_width_has_no_sideways_scrolling_and_keeps_the_quick_exit(page, listing, screenshot):
    page.set_viewport_size({"width": 375, "height": 812})
    search(page, "77002", ["emergency-shelter"])

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert page.get_by_role("button", name="Quick exit").is_visible()
    screenshot(page, "phone")


def test_search_works_from_the_keyboard(page, listing):
    page.goto("/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Enter")
    page.get_by_label("Place (ZIP code, city and state, or address)").focus()
    page.keyboard.type("77002")
    page.locator("input[name=needs][value=emergency-shelter]").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Search").focus()
    page.keyboard.press("Enter")

    page.locator("#results li.result").first.wait_for()
    assert page.locator("#results li.result").count() == 1
    # Focus is visible when moving by keyboard (the outline of :focus-visible).
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"

"""Listing text is text, never markup: every text field a provider controls holds planted HTML, and every page that
shows listing text, map popups opened, is looked through in a real browser as each role. Not one planted element
may exist in the page; the planted text must be there, shown literally (so the test is not vacuous).

The finding: search.js gave Leaflet's bindPopup the organization name as a string (Leaflet reads it as HTML), and
listing.js did the same with service-area names, so an approved name such as
`<a href="https://example.org/phish">Call 555-0100 instead</a>` showed hotline staff a working link.
"""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from accounts.roles import Role
from providers import services
from providers.models import ServiceArea
from tests import factories
from tests.e2e.test_referral_flow import sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)


def planted(field: str) -> str:
    # The onerror would not run anyway (the CSP allows no inline script); the element itself is the failure.
    return f'{field}<a class="planted" href="https://example.org/phish">x</a><img class="planted" src="x" onerror="1">'


@pytest.fixture
def listing():
    org = factories.organization(
        name=planted("org-name"), alternate_name=planted("org-alt"), description=planted("org-description")
    )
    service = factories.service(
        org, needs=("emergency-shelter",), last_verified_on="2026-11-01",
        name=planted("service-name"), alternate_name=planted("service-alt"), description=planted("service-desc"),
        eligibility_description=planted("eligibility"), application_process=planted("application"),
        alert=planted("alert"), fees_description=planted("fees"), interpretation_services=planted("interpretation"),
    )  # fmt: skip
    site = factories.location(
        org, latitude=29.7617, longitude=-95.3662, name=planted("site-name"), alternate_name=planted("site-alt"),
        description=planted("site-desc"), transportation=planted("transportation"),
    )  # fmt: skip
    factories.address(site, address_1=planted("street")[:255], address_2=planted("suite"), city=planted("city")[:120])
    factories.phone(location=site, number="+17135550100", description=planted("phone-note"), is_front_door=True)
    factories.schedule(site, 1, "09:00", "17:00", description=planted("hours-note"))
    offer = factories.offer(service, site)
    square = MultiPolygon(Polygon.from_bbox((-95.6, 29.5, -95.1, 30.0)), srid=4326)
    ServiceArea.objects.create(service=service, name=planted("area-name"), description=planted("area-desc"),
                               extent=square)  # fmt: skip
    provider = factories.user(Role.PROVIDER, organization=org, username="planted-staff")
    factories.user(Role.HOTLINE, username="planted-hotline")
    factories.user(Role.MODERATOR, username="planted-moderator")
    services.listing_edit(user=provider, instance=service, values={"name": planted("proposed-name")})
    return {"site": site, "offer": offer}


def assert_no_markup(page, where: str) -> None:
    rendered = page.locator(".planted").count()
    assert rendered == 0, f"{where}: {rendered} planted element(s) rendered as markup"
    assert 'class="planted"' in page.locator("body").inner_text(), f"{where}: the planted text is not shown"


def search(page):
    page.goto("/")
    page.get_by_label("Place (ZIP code, city and state, or address)").fill("77002")
    page.locator("input[name=needs][value=emergency-shelter]").check()
    page.get_by_role("button", name="Search").click()
    page.locator("#results li.result").first.wait_for()
    # The origin pin may cover it: the click is sent to the marker itself.
    page.locator("#map path.leaflet-interactive").first.dispatch_event("click")  # the result's marker
    page.locator(".leaflet-popup-content").wait_for()
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "org-name" in popup and "<a class=" in popup, popup


def open_listing(page, site):
    page.goto(f"/listings/{site.pk}/")
    page.locator("#map path.leaflet-interactive").first.dispatch_event("click")  # the service area
    page.locator(".leaflet-popup-content").wait_for()
    assert "area-name" in page.locator(".leaflet-popup-content").inner_text()


def test_no_listing_text_becomes_markup_on_any_page_for_any_role(page, listing, screenshot):
    site, offer = listing["site"], listing["offer"]

    search(page)
    assert_no_markup(page, "search (anonymous)")
    screenshot(page, "search")
    open_listing(page, site)
    assert_no_markup(page, "listing (anonymous)")
    page.goto(f"/print/?offers={offer.pk}")
    assert_no_markup(page, "print sheet")

    sign_in(page, "planted-hotline")
    search(page)
    assert_no_markup(page, "search (hotline)")
    open_listing(page, site)
    assert_no_markup(page, "listing (hotline)")
    page.goto(f"/referrals/new/?offer={offer.pk}")
    assert_no_markup(page, "send a referral")
    sign_out(page)

    sign_in(page, "planted-staff")
    page.goto("/portal/")
    assert_no_markup(page, "portal")
    sign_out(page)

    sign_in(page, "planted-moderator")
    page.goto("/moderation/")
    assert_no_markup(page, "moderation queue")
    assert "proposed-name" in page.locator("body").inner_text()

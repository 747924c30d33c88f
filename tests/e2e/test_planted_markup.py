"""Listing text is text, never markup: every text field a provider controls (and the user text the pages show:
referral notes, client details, applications, suggestions) holds planted HTML naming its field, and every page
that shows listing text, map popups opened, is looked through in a real browser as each role. Not one planted
element may exist in the page; each field's planted text must be there, shown literally (so the test is not
vacuous), and every field some page shows must have been seen on one.

The finding: search.js gave Leaflet's bindPopup the organization name as a string (Leaflet reads it as HTML), and
listing.js did the same with service-area names, so an approved name such as
`<a href="https://example.org/phish">Call 555-0100 instead</a>` showed hotline staff a working link.
"""

import re

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from playwright.sync_api import expect

from accounts.roles import Role
from providers import services
from providers.models import ServiceArea, VictimAssistanceSpecialist
from tests import factories
from tests.e2e.test_referral_flow import sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

HOUSTON = MultiPolygon(Polygon.from_bbox((-95.9, 29.4, -94.9, 30.2)), srid=4326)
PLANTED: set[str] = set()  # every field given planted markup


def planted(field: str, *, short: bool = False) -> str:
    """The field's name, then markup naming it: a failure says which field became elements."""
    PLANTED.add(field)
    if short:  # for fields of 120 characters
        return f'{field}<b class="planted" data-field="{field}">x</b>'
    # The onerror could not run anyway (the CSP allows no inline script); the element itself is the failure.
    return (
        f'{field}<a class="planted" data-field="{field}" href="https://example.org/phish">x</a>'
        f'<img class="planted" data-field="{field}" src="x" onerror="window.__planted=1">'
    )


# Planted fields no page shows (the API and HSDS export carry them; JSON is not markup).
NOT_SHOWN = {
    "org-alt", "org-description", "service-alt", "fees", "interpretation", "site-alt", "hidden-alt",
    "attention", "region", "offer-desc", "area-desc", "specialist-coverage", "applicant-desc", "applicant-service",
}  # fmt: skip


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
    # Never verified: the organization is in the moderators' stale list. Not searched for (another need).
    stale = factories.service(org, needs=("immigration-legal",), name=planted("stale-service-name"))
    site = factories.location(
        org, latitude=29.7617, longitude=-95.3662, name=planted("site-name"), alternate_name=planted("site-alt"),
        description=planted("site-desc"), transportation=planted("transportation"),
    )  # fmt: skip
    factories.address(
        site, address_1=planted("street"), address_2=planted("suite"), city=planted("city", short=True),
        attention=planted("attention"), region=planted("region", short=True),
    )  # fmt: skip
    factories.phone(location=site, number="+17135550100", description=planted("phone-note"), is_front_door=True)
    factories.schedule(site, 1, "09:00", "17:00", description=planted("hours-note"))
    # A confidential site about 15 km west: its own marker at the search's zoom, not a cluster with the other.
    hidden = factories.location(
        org, latitude=29.80, longitude=-95.52, is_confidential=True, name=planted("hidden-name"),
        alternate_name=planted("hidden-alt"), description=planted("hidden-desc"),
        transportation=planted("hidden-transport"),
    )  # fmt: skip
    factories.address(hidden, address_1=planted("hidden-street"), city=planted("hidden-city", short=True))
    factories.phone(location=hidden, number="+17135550122", description=planted("hidden-phone-note"))
    factories.schedule(hidden, 2, "08:00", "20:00", description=planted("hidden-hours-note"))
    # Reached through its service area only: the result's reasons name the area.
    virtual = factories.location(org, latitude=None, longitude=None, location_type="virtual", open_24_7=True,
                                 name=planted("virtual-name"))  # fmt: skip
    offer = factories.offer(service, site)
    factories.offer(stale, site)
    hidden_offer = factories.offer(service, hidden)
    hidden_offer.description = planted("offer-desc")
    hidden_offer.save(update_fields=["description"])
    factories.offer(service, virtual)
    square = MultiPolygon(Polygon.from_bbox((-95.6, 29.5, -95.1, 30.0)), srid=4326)
    ServiceArea.objects.create(service=service, name=planted("area-name"), description=planted("area-desc"),
                               extent=square)  # fmt: skip
    VictimAssistanceSpecialist.objects.create(
        name=planted("specialist-name"), hsi_office=planted("hsi-office"), phone="+17135550133",
        coverage_description=planted("specialist-coverage"), coverage_area=HOUSTON,
    )  # fmt: skip
    provider = factories.user(Role.PROVIDER, organization=org, username="planted-staff")
    factories.user(Role.HOTLINE, username="planted-hotline")
    factories.user(Role.MODERATOR, username="planted-moderator")
    services.listing_edit(user=provider, instance=service, values={"name": planted("proposed-name")})
    services.suggestion_create(record_type="location", record_id=site.pk, message=planted("suggestion"))
    services.application_submit(details={
        "contact_name": planted("applicant-contact"), "contact_email": "dana@beacon.example",
        "organization": {"name": planted("applicant-org"), "description": planted("applicant-desc")},
        "locations": [], "services": [{"name": planted("applicant-service"), "needs": ["emergency-shelter"]}],
    })  # fmt: skip
    return {"site": site, "hidden": hidden, "offer": offer, "hidden_offer": hidden_offer}


# Every element planted markup could have become (by class, or by its link and image should a class be lost), whether
# the onerror ran, and the page's visible text.
LOOK = """() => ({
  elements: Array.from(document.querySelectorAll('.planted, a[href^="https://example.org/phish"], img[src="x"]'))
    .map((el) => el.dataset.field || el.outerHTML),
  fired: typeof window.__planted !== "undefined",
  text: document.body.innerText,
})"""


class Looker:
    """Looks through each page; remembers which fields were seen shown as text anywhere."""

    def __init__(self, page):
        self.page = page
        self.seen: set[str] = set()

    def __call__(self, where: str, *fields: str, page=None) -> None:
        found = (page or self.page).evaluate(LOOK)
        assert not found["elements"], f"{where}: planted markup became elements, from fields {found['elements']}"
        assert not found["fired"], f"{where}: a planted onerror ran"
        shown = set(re.findall(r'([a-z-]+)<[ab] class="planted" data-field="\1"', found["text"]))
        missing = set(fields) - shown
        assert not missing, f"{where}: planted text not shown literally: {sorted(missing)}"
        self.seen |= shown

    def popups(self, where: str, count: int, *fields: str) -> None:
        """Open the popup of each of the first `count` interactive map shapes and look through the page each time."""
        shapes = self.page.locator("#map path.leaflet-interactive")
        assert shapes.count() >= count, f"{where}: {shapes.count()} shapes on the map, expected {count}"
        for n in range(count):
            # Another marker (the origin pin) may cover it: the click is sent to the shape itself.
            shapes.nth(n).dispatch_event("click")
            # The popup it replaces fades out for a moment: wait until the new one is the only one.
            popup = self.page.locator(".leaflet-popup-content")
            expect(popup).to_have_count(1)
            self(f"{where}, popup {n + 1}", *fields)
            assert 'class="planted"' in popup.inner_text(), f"{where}, popup {n + 1}: {popup.inner_text()!r}"


def search(page):
    page.goto("/")
    page.get_by_label("Place (ZIP code, city and state, or address)").fill("77002")
    page.locator("input[name=needs][value=emergency-shelter]").check()
    page.get_by_role("button", name="Search").click()
    page.locator("#results li.result").nth(2).wait_for()  # both sites and the virtual one
    # Each card keeps its address and reasons behind "details": open them all, so their text is looked at too.
    page.locator("#results details summary").evaluate_all("summaries => summaries.forEach(s => s.click())")
    assert page.locator("#map .cluster").count() == 0, "the two sites' markers were drawn as one cluster"


def test_no_listing_text_becomes_markup_on_any_page_for_any_role(page, listing, screenshot):
    site, hidden = listing["site"], listing["hidden"]
    offers = f"{listing['offer'].pk},{listing['hidden_offer'].pk}"
    look = Looker(page)

    search(page)
    look("search (anonymous)", "org-name", "service-name", "street", "city", "hidden-city", "area-name")
    look.popups("search (anonymous)", 2, "org-name")
    screenshot(page, "search")
    # Zoomed out, the two sites become one cluster showing its count (markers are grouped on a 40 px grid, so how
    # far out depends on where the cell edges fall: zoom out until they meet).
    for _ in range(8):
        if page.locator("#map .cluster").count():
            break
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(400)  # the zoom animation; markers are redrawn when it ends
    expect(page.locator("#map .cluster")).to_have_text("2")
    look("search zoomed out (anonymous)", "org-name")
    # The printable sheet of every result, opened as a visitor does (search.js builds its address).
    for box in page.locator(".print-pick").all():
        box.check()
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Printable sheet of the chosen services").click()
    sheet = opened.value
    sheet.wait_for_load_state()
    look("print sheet", "org-name", "service-name", "street", "suite", "city", "hidden-city", page=sheet)
    sheet.close()
    page.goto(f"/listings/{site.pk}/")
    look("listing (anonymous)", "org-name", "site-name", "street", "suite", "city", "site-desc", "transportation",
         "phone-note", "hours-note", "service-name", "stale-service-name", "alert", "service-desc",
         "eligibility")  # fmt: skip
    look.popups("listing (anonymous)", 1, "area-name")
    page.goto(f"/listings/{hidden.pk}/")
    look("confidential listing (anonymous)", "org-name", "hidden-name", "hidden-city", "service-name")
    look.popups("confidential listing (anonymous)", 1, "area-name")
    page.goto(f"/print/?offers={offers}")
    look("print sheet (by address)", "org-name", "service-name", "street", "suite", "city", "hidden-city")

    sign_in(page, "planted-hotline")
    search(page)
    look("search (hotline)", "org-name", "service-name", "hidden-street", "area-name", "specialist-name", "hsi-office")
    look.popups("search (hotline)", 2, "org-name")
    page.goto(f"/listings/{hidden.pk}/")
    look("confidential listing (hotline)", "hidden-name", "hidden-street", "hidden-desc", "hidden-transport",
         "hidden-phone-note", "hidden-hours-note")  # fmt: skip
    look.popups("confidential listing (hotline)", 1, "area-name")
    # Send a referral from the confidential site's result: the link search.js built, the form, then its page.
    search(page)
    page.locator("#results li.result", has_text="hidden-street").get_by_role("link", name="Send referral").click()
    page.get_by_role("heading", name="Send a referral").wait_for()
    look("send a referral", "org-name", "service-name", "hidden-name")
    page.get_by_label("Note for the provider").fill(planted("referral-note"))
    page.locator("#consent").check()
    page.get_by_label("Purpose").fill(planted("consent-purpose"))
    page.get_by_label("Client name").fill(planted("client-name"))
    page.get_by_role("button", name="Send referral").click()
    page.locator("#referral-status").wait_for()
    look("referral (hotline)", "org-name", "service-name", "referral-note", "client-name", "consent-purpose")
    code = page.get_by_role("heading", level=1).inner_text().split()[-1]
    page.goto("/referrals/")
    look("referrals sent (hotline)", "org-name")
    sign_out(page)

    sign_in(page, "planted-staff")
    page.goto("/portal/")
    look("portal", "org-name", "site-name", "hidden-name", "virtual-name", "service-name", "stale-service-name")
    page.goto("/referrals/")
    look("referrals received (provider)", "org-name")
    page.goto(f"/referrals/{code}/")
    look("referral (provider)", "org-name", "service-name", "referral-note", "client-name", "consent-purpose")
    sign_out(page)

    sign_in(page, "planted-moderator")
    page.goto("/moderation/")
    look("moderation queue", "org-name", "service-name", "proposed-name", "suggestion", "applicant-org",
         "applicant-contact")  # fmt: skip
    screenshot(page, "moderation")

    # Every planted field some page shows was seen on one (the rest are in NOT_SHOWN, for a reason).
    assert not NOT_SHOWN & look.seen, "a field listed as not shown is shown: take it out of NOT_SHOWN"
    assert PLANTED - NOT_SHOWN - look.seen == set(), "planted fields no page showed"

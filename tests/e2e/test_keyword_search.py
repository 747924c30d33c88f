"""The search page's "Name or words" box in Chromium: a misspelt name, a suggestion picked by keyboard, the
listing found; a need suggested in Spanish ticks its box; axe finds nothing in the open list (docs/search.md)."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listings(db):
    tahirih = factories.organization(name="Tahirih Justice Center")
    service = factories.service(tahirih, name="Immigration Legal Services", needs=("immigration-legal",),
                                last_verified_on="2026-11-01")  # fmt: skip
    site = factories.location(tahirih, latitude=29.752, longitude=-95.37)
    factories.address(site, address_1="1 Open St", city="Houston", postal_code="77002")
    factories.offer(service, site)
    other = factories.organization(name="Harbor Legal Aid")
    legal = factories.service(other, name="Legal Clinic", needs=("legal-civil",), last_verified_on="2026-11-01")
    factories.offer(legal, factories.location(other, latitude=29.76, longitude=-95.36))


def test_a_misspelt_name_then_a_suggestion_picked_by_keyboard_finds_the_listing(page, listings, screenshot):
    page.goto("/")
    page.get_by_label("Place (ZIP code, city and state, or address)").fill("77002")
    box = page.get_by_role("combobox", name="Name or words (optional)")
    box.fill("tahrih")  # misspelt: searching it finds the listing all the same
    page.get_by_role("button", name="Search").click()
    page.locator("#results li.result").first.wait_for()
    assert page.locator("#results li.result").count() == 1
    assert "Tahirih Justice Center" in page.locator("#results").inner_text()

    box.fill("")  # no words: both legal listings
    page.locator("summary", has_text="Legal services").click()
    page.locator("input[name=needs][value=legal]").check()
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results li.result")).to_have_count(2)
    box.press_sequentially("tahi", delay=30)
    page.get_by_role("listbox").wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert violations(page) == []
    screenshot(page, "suggestions")
    box.press("ArrowDown")
    selected = page.locator("[role=option][aria-selected=true]")
    assert selected.inner_text().startswith("Tahirih Justice Center")
    assert box.get_attribute("aria-activedescendant") == selected.get_attribute("id")
    box.press("Enter")  # picks it
    assert box.input_value() == "Tahirih Justice Center"
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Enter")  # submits
    expect(page.locator("#results li.result")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Tahirih Justice Center")
    assert "Tahirih" not in page.url


def test_a_need_suggested_in_spanish_ticks_its_box(page, listings):
    page.goto("/")
    page.get_by_label("Site language").select_option("es")
    page.get_by_role("button", name="Salida rápida").wait_for()
    box = page.get_by_role("combobox", name="Nombre o palabras (opcional)")
    box.press_sequentially("asil", delay=30)
    option = page.locator("#q-suggestions [role=option]").first
    option.wait_for()
    assert option.inner_text().startswith("Servicios legales de inmigración")
    option.click()
    assert page.locator("input[name=needs][value=immigration-legal]").is_checked()
    assert box.input_value() == ""
    box.press_sequentially("zzzz", delay=30)
    expect(page.locator("#q-status")).to_have_text("Sin sugerencias")
    assert page.get_by_role("listbox").is_hidden()

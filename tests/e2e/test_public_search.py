"""A visitor searches without signing in: results on the list and the map, and a confidential site's
exact place is never in the page or in any response the page received; the quick exit leaves the site."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listings(db):
    shelter_org = factories.organization(name="Harbor Shelter")
    shelter_service = factories.service(shelter_org, name="Emergency Shelter", needs=("emergency-shelter",),
                                        last_verified_on="2026-11-01")  # fmt: skip
    shelter = factories.location(shelter_org, name="Safe House", is_confidential=True, latitude=29.7617,
                                 longitude=-95.3662)  # fmt: skip
    factories.address(shelter, address_1="6432 Secret Rd", postal_code="77002")
    factories.phone(location=shelter, number="+17135550111", description="direct line")
    factories.phone(location=shelter, number="+17135550122", is_front_door=True)
    factories.offer(shelter_service, shelter)
    clinic_org = factories.organization(name="Open Door Clinic")
    clinic_service = factories.service(clinic_org, name="Walk-in Clinic", needs=("medical", "emergency-shelter"),
                                       last_verified_on="2026-11-01")  # fmt: skip
    clinic = factories.location(clinic_org, name="Clinic", latitude=29.752, longitude=-95.37,
                                accessibility=["wheelchair", "accessible-restroom"])  # fmt: skip
    factories.address(clinic, address_1="1 Open St", postal_code="77002")
    factories.offer(clinic_service, clinic)
    return shelter


def search(page, near: str, needs: list[str]):
    page.goto("/")
    page.get_by_label("Place (ZIP code, city and state, or address)").fill(near)
    for need in needs:
        page.locator(f"input[name=needs][value={need}]").check()
    page.get_by_role("button", name="Search").click()
    page.locator("#results li.result").first.wait_for()


def test_anonymous_visitor_never_sees_a_confidential_sites_exact_place(page, listings, screenshot):
    search(page, "77002", ["emergency-shelter"])

    results = page.locator("#results li.result")
    assert results.count() == 2
    assert page.locator("#results").get_by_text("Harbor Shelter").count() == 1
    assert page.locator("#results").get_by_text("approximate area (confidential site)").count() == 1
    assert page.locator("#map .leaflet-interactive").count() >= 1  # result markers on the map
    screenshot(page, "results")
    exact = [str(listings.latitude), str(listings.longitude), "6432 Secret Rd", "+17135550111"]
    html = page.content()
    assert not [value for value in exact if value in html]
    leaks = [(url, value) for url, body in page.recorder.bodies for value in exact if value in body]
    assert not leaks, leaks
    assert any("/api/match/" in url for url, _ in page.recorder.bodies)


def test_an_accessibility_filter_keeps_the_sites_offering_it(page, listings):
    page.goto("/")
    page.get_by_label("Place (ZIP code, city and state, or address)").fill("77002")
    page.locator("input[name=needs][value=emergency-shelter]").check()
    page.get_by_text("Accessibility", exact=True).click()  # the list opens from its summary
    page.get_by_label("Wheelchair accessible entrance").check()
    with page.expect_request(lambda request: "/api/match/" in request.url) as sent:
        page.get_by_role("button", name="Search").click()
    page.locator("#results li.result").first.wait_for()

    assert sent.value.post_data_json["accessibility"] == ["wheelchair"]
    assert page.locator("#results li.result").count() == 1
    assert page.locator("#results").get_by_text("Open Door Clinic").count() == 1


def test_search_input_is_never_put_in_the_url(page, listings):
    search(page, "77002", ["emergency-shelter"])

    assert "77002" not in page.url and "emergency" not in page.url
    assert all("77002" not in url for url, _ in page.recorder.bodies)


def test_a_bad_place_is_explained_on_the_page(page, listings):
    page.goto("/")
    page.get_by_label("Place (ZIP code, city and state, or address)").fill("Springfield")
    page.locator("summary", has_text="Health").click()  # open the need group
    page.locator("input[name=needs][value=medical]").check()
    page.get_by_role("button", name="Search").click()

    page.locator("#search-error").filter(has_text="near").wait_for()


def test_quick_exit_leaves_the_site_and_back_does_not_return(page, settings, screenshot):
    settings.QUICK_EXIT_URL = "about:blank"
    page.goto("/")
    page.goto("/accounts/login/")
    screenshot(page, "before")

    page.get_by_role("button", name="Quick exit").click()
    page.wait_for_url("about:blank")

    page.go_back()
    assert "/accounts/login/" not in page.url  # the exited page was replaced in the history
    screenshot(page, "after")


def test_escape_twice_is_a_quick_exit(page, settings):
    settings.QUICK_EXIT_URL = "about:blank"
    page.goto("/")

    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    page.wait_for_url("about:blank")


def test_the_crisis_banner_is_on_every_page(page, listings):
    for url in ("/", "/accounts/login/"):
        page.goto(url)
        banner = page.get_by_role("region", name="Crisis lines")
        assert "1-888-373-7888" in banner.inner_text() and "233733" in banner.inner_text()
        assert "911" in banner.inner_text()


def test_the_site_speaks_spanish(page, screenshot):
    page.goto("/")
    page.get_by_label("Site language").select_option("es")
    page.get_by_role("button", name="Salida rápida").wait_for()

    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Buscar servicios").is_visible()
    assert "Línea Nacional contra la Trata de Personas" in page.get_by_role("region").first.inner_text()
    screenshot(page, "spanish")


def test_listing_details_and_the_printed_sheet_keep_the_confidential_place(page, listings, screenshot):
    search(page, "77002", ["emergency-shelter"])
    page.locator("#results li.result", has_text="Harbor Shelter").locator(".print-pick").check()
    with page.context.expect_page() as sheet_opened:
        page.get_by_role("button", name="Printable sheet of the chosen services").click()
    sheet = sheet_opened.value
    sheet.wait_for_load_state()
    assert "Harbor Shelter" in sheet.content() and "6432 Secret Rd" not in sheet.content()
    screenshot(sheet, "print")

    page.locator("#results li.result", has_text="Harbor Shelter").get_by_role("link", name="Details").click()
    page.get_by_role("heading", name="Harbor Shelter").wait_for()
    assert "approximate area only" in page.content()
    screenshot(page, "listing")
    exact = [str(listings.latitude), "6432 Secret Rd", "+17135550111", "555-0111"]
    leaks = [(url, v) for url, body in page.recorder.bodies for v in exact if v in body]
    assert not leaks, leaks


@pytest.fixture
def six_nearby(db):
    """Six shelters about 10 km apart north-south through Houston, far enough apart to be six markers."""
    for index in range(6):
        org = factories.organization(name=f"Shelter {index + 1}")
        service = factories.service(org, name="Emergency Shelter", needs=("emergency-shelter",),
                                    last_verified_on="2026-11-01")  # fmt: skip
        site = factories.location(org, name=f"Site {index + 1}", latitude=29.55 + 0.09 * index, longitude=-95.37,
                                  beds_total=10, beds_available=index)  # fmt: skip
        factories.address(site, address_1=f"{index + 1} Main St", postal_code="77002")
        factories.phone(location=site, number=f"+1281555010{index}", extension="12" if index == 0 else "")
        factories.offer(service, site)


def test_a_call_in_progress_sees_five_compact_cards_and_their_markers(page, six_nearby, screenshot):
    """At 1280x800 five results fit on one screen; phones read as dialed; a card and its marker light up together
    from the mouse or the keyboard; the coverage plan names needs by their label."""
    page.set_viewport_size({"width": 1280, "height": 800})
    search(page, "77002", ["emergency-shelter"])
    cards = page.locator("#results li.result")
    cards.nth(5).wait_for()
    cards.first.scroll_into_view_if_needed()
    screenshot(page, "compact-1280")

    heights = [cards.nth(i).bounding_box()["height"] for i in range(5)]
    assert sum(heights) <= 800 - 60, heights  # five cards and a little room, on one screen
    assert "(281) 555-0100 ext. 12" in cards.filter(has_text="Shelter 1").inner_text()
    assert "Emergency shelter" in page.locator("#coverage-plan").inner_text()
    assert "emergency-shelter" not in page.locator("#coverage-plan").inner_text()

    def highlighted_markers():
        return page.locator('#map path.leaflet-interactive[stroke="#b45309"]').count()

    page.mouse.move(0, 0)  # the pointer was left on the Search button, which results may now lie under
    assert highlighted_markers() == 0
    cards.nth(1).hover()
    assert highlighted_markers() == 1 and "highlight" in cards.nth(1).get_attribute("class")
    page.mouse.move(0, 0)
    assert highlighted_markers() == 0
    cards.nth(2).get_by_role("link").first.focus()  # keyboard: focus inside a card lights it
    assert highlighted_markers() == 1
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "compact-375")


def test_results_speak_spanish_too(page, six_nearby):
    """The words the script writes into the page come from the server in the reader's language."""
    page.goto("/")
    page.get_by_label("Site language").select_option("es")
    page.get_by_role("button", name="Salida rápida").wait_for()
    page.locator("input[name=near]").fill("77002")
    page.locator("input[name=needs][value=emergency-shelter]").check()
    page.locator("#search-form button[type=submit]").click()
    page.locator("#results li.result").first.wait_for()

    text = page.locator("#results-section, main").first.inner_text()
    assert "Plan de cobertura" in text and "Elegir (imprimir o enviar)" in text and "camas libres" in text
    assert "Coverage plan" not in text and "beds free" not in text

"""With no tile server the maps are still readable: county outlines and the names of places, drawn from the
project's own data (geo.basemap), and nothing is fetched from anywhere else."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geo.models import Boundary
from tests import factories
from tests.e2e.test_public_search import search

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def houston(db):
    shape = MultiPolygon(Polygon.from_bbox((-95.96, 29.5, -94.9, 30.17)), srid=4326)
    Boundary.objects.create(kind="county", fips="48201", name="Harris", state_code="TX", geometry=shape)
    org = factories.organization(name="Bayou Legal Aid")
    service = factories.service(org, name="Shelter Beds", needs=("emergency-shelter",),
                                last_verified_on="2026-11-01")  # fmt: skip
    site = factories.location(org, name="Office", latitude=29.75, longitude=-95.36)
    factories.address(site, address_1="1 Main St", postal_code="77002")
    factories.offer(service, site)
    return site


def place_names(page) -> list[str]:
    return page.locator(".leaflet-placeNames-pane .place-name").all_inner_texts()


def named(page):
    """A place's name on the map, to wait for (the page's policy allows no script from the test)."""
    return lambda text: page.locator(".leaflet-placeNames-pane .place-name").filter(has_text=re.compile(f"^{text}$"))


def test_the_search_map_names_places_and_draws_counties_with_no_tiles(page, houston, live_server, screenshot):
    name = named(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    name("Dallas").wait_for()
    country = place_names(page)
    assert "Houston" in country and "Chicago" in country
    assert "Pasadena" not in country  # a smaller place is named only closer in

    search(page, "77002", ["emergency-shelter"])
    page.locator(".leaflet-outlines-pane path").first.wait_for()
    name("Pasadena").wait_for()
    assert "Houston" in place_names(page)
    assert page.locator(".leaflet-tile").count() == 0
    assert "no-tiles" in page.locator("#map").get_attribute("class")
    screenshot(page, "search-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    page.locator("#map").scroll_into_view_if_needed()
    screenshot(page, "search-375")

    site = urlsplit(live_server.url).netloc
    assert {urlsplit(url).netloc for url, _ in page.recorder.bodies} == {site}


def test_the_listing_map_names_the_places_around_a_site(page, houston):
    name = named(page)
    page.goto(f"/listings/{houston.pk}/")
    name("Houston").wait_for()
    assert page.locator(".leaflet-outlines-pane path").count() >= 1


def test_a_tile_server_when_set_is_drawn_under_the_state_outlines(page, houston, settings):
    settings.MAP_TILE_URL = "/static/no-such-tile/{z}/{x}/{y}.png"  # on the site itself: nothing leaves
    page.goto("/")
    page.locator(".leaflet-tile").first.wait_for(state="attached")
    assert "no-tiles" not in page.locator("#map").get_attribute("class")
    assert place_names(page) == []

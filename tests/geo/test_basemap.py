"""The maps' background with no tile server (geo.basemap, served by web.views): outlines and place names from the
project's own data, the same for every viewer and cacheable."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geo import basemap
from geo.models import Boundary

pytestmark = pytest.mark.django_db

HOUSTON_CELL = ((-95.37 + 180) // 5, (29.76 + 90) // 5)  # 16, 23: 100°W-95°W, 25°N-30°N


def county(fips: str, name: str, bbox: tuple[float, float, float, float]) -> Boundary:
    shape = MultiPolygon(Polygon.from_bbox(bbox), srid=4326)
    return Boundary.objects.create(kind="county", fips=fips, name=name, state_code="TX", geometry=shape)


def test_a_cell_holds_the_counties_it_touches_and_its_places_largest_first(client):
    county("48201", "Harris", (-95.9, 29.5, -94.9, 30.2))  # crosses 30°N into the cell above too
    county("48113", "Dallas", (-97.0, 32.5, -96.5, 33.0))  # only in the cell above
    x, y = map(int, HOUSTON_CELL)

    response = client.get(f"/web/basemap/{x}/{y}.json")
    data = response.json()

    assert response["Cache-Control"] == "public, max-age=86400"
    assert [f["properties"] for f in data["counties"]["features"]] == [{"name": "Harris", "fips": "48201"}]
    assert data["places"][0][:2] == ["Houston", "TX"]
    assert [p[4] for p in data["places"]] == sorted((p[4] for p in data["places"]), reverse=True)
    assert all(-100 <= lon < -95 and 25 <= lat < 30 and zips >= 1 for _, _, lat, lon, zips in data["places"])
    above = client.get(f"/web/basemap/{x}/{y + 1}.json").json()
    assert [f["properties"]["fips"] for f in above["counties"]["features"]] == ["48113", "48201"]
    assert "Houston" not in [p[0] for p in above["places"]]


@pytest.mark.parametrize("path", ["/web/basemap/72/0.json", "/web/basemap/0/36.json", "/web/basemap/999/3.json"])
def test_a_cell_outside_the_world_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_whole_country_names_only_larger_places(client):
    places = client.get("/web/basemap/places.json").json()
    names = {(name, state) for name, state, *_ in places}

    assert {("Houston", "TX"), ("New York", "NY"), ("Los Angeles", "CA")} <= names
    assert all(zips >= basemap.NATIONAL_MIN_ZIP_CODES for *_, zips in places)
    assert 100 < len(places) < 600


def test_the_maps_fetch_tiles_only_when_a_tile_server_is_set(settings):
    settings.MAP_TILE_URL = ""
    assert basemap.config()["tiles"] == ""
    assert basemap.config()["cellUrl"].startswith("/web/basemap/{x}/{y}.json?v=")
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert basemap.config()["tiles"] == "https://tiles.example.org/{z}/{x}/{y}.png"


def test_outlines_loaded_after_a_first_answer_are_served_at_once(client):
    x, y = map(int, HOUSTON_CELL)
    before = basemap.config()["cellUrl"]
    assert client.get(f"/web/basemap/{x}/{y}.json").json()["counties"]["features"] == []

    county("48201", "Harris", (-95.9, 29.5, -94.9, 30.2))

    assert len(client.get(f"/web/basemap/{x}/{y}.json").json()["counties"]["features"]) == 1
    assert basemap.config()["cellUrl"] != before  # browsers holding the first answer are sent to a new URL

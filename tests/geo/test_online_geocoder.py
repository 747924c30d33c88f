"""Online geocoders through geopy, with the HTTP layer stubbed: results, caching, and gazetteer fallback."""

import pytest
from geopy import geocoders
from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError

from geo import geocoding
from geo.geocoding import geocode
from geo.models import GeocodeCacheEntry

pytestmark = pytest.mark.django_db

ADDRESS = "1200 Smith St, Houston, TX"


class StubAdapter(BaseSyncAdapter):
    """geopy's HTTP layer, answering from a queue instead of the network."""

    responses: list = []
    urls: list[str] = []

    def __init__(self, *, proxies=None, ssl_context=None):
        super().__init__(proxies=proxies, ssl_context=ssl_context)

    def get_json(self, url, *, timeout, headers):
        StubAdapter.urls.append(url)
        response = StubAdapter.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return response

    def get_text(self, url, *, timeout, headers):
        raise NotImplementedError


@pytest.fixture
def nominatim(settings, monkeypatch):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_URL = "https://nominatim.internal.example.org"
    settings.GEOCODER_MIN_DELAY_S = 0
    monkeypatch.setattr(geocoders.options, "default_adapter_factory", StubAdapter)
    StubAdapter.responses, StubAdapter.urls = [], []
    geocoding._online_geocoder.cache_clear()
    yield StubAdapter
    geocoding._online_geocoder.cache_clear()


def nominatim_answer(lat, lon, name):
    return [{"lat": str(lat), "lon": str(lon), "display_name": name, "place_id": 1}]


def test_online_result_is_used_and_cached_without_the_query_text(nominatim):
    nominatim.responses.append(nominatim_answer(29.7505, -95.3669, "1200 Smith Street, Houston, Texas"))
    found = geocode(ADDRESS)
    assert (found.latitude, found.longitude) == (29.7505, -95.3669)
    assert found.raw == {"source": "nominatim", "precision": "address"}
    assert nominatim.urls[0].startswith("https://nominatim.internal.example.org/search")
    entry = GeocodeCacheEntry.objects.get()
    assert "Smith" not in entry.query_hash and len(entry.query_hash) == 64

    again = geocode(ADDRESS.upper())
    assert again.point == found.point
    assert len(nominatim.urls) == 1  # answered from the cache


@pytest.mark.parametrize(
    "failure", [GeocoderServiceError("HTTP 503"), TimeoutError("timed out"), ConnectionRefusedError()]
)
def test_online_failure_falls_back_to_the_gazetteer(nominatim, failure):
    nominatim.responses.append(failure)
    found = geocode("Houston, TX")
    assert found.raw["source"] == "gazetteer" and found.address == "Houston, TX"
    assert not GeocodeCacheEntry.objects.exists()


def test_online_not_found_falls_back_to_the_gazetteer(nominatim):
    nominatim.responses.append([])
    assert geocode("Houston, TX").raw["source"] == "gazetteer"


def test_zip_codes_and_coordinates_never_go_online(nominatim):
    geocode("77002")
    geocode("29.76,-95.37")
    assert nominatim.urls == []


def test_expired_cache_entries_are_refreshed(nominatim, settings):
    nominatim.responses.append(nominatim_answer(29.75, -95.36, "old"))
    geocode(ADDRESS)
    settings.GEOCODE_CACHE_DAYS = 0
    nominatim.responses.append(nominatim_answer(29.7505, -95.3669, "new"))
    assert geocode(ADDRESS).address == "new"
    assert GeocodeCacheEntry.objects.count() == 1


def test_failure_is_logged_without_the_query(nominatim, caplog):
    nominatim.responses.append(GeocoderServiceError("HTTP 500"))
    geocode("Houston, TX")
    assert "nominatim" in caplog.text and "Houston" not in caplog.text


def test_confidential_site_addresses_never_go_online(nominatim):
    from tests import factories

    loc = factories.location(latitude=None, longitude=None, is_confidential=True)
    factories.address(loc, address_1="1 Hidden Way", city="Houston", state_province="TX", postal_code="77002")
    assert nominatim.urls == []
    loc.refresh_from_db()
    assert loc.latitude is not None  # placed by the gazetteer at the ZIP centroid


def test_ordinary_site_addresses_may_go_online(nominatim):
    from tests import factories

    nominatim.responses.append(nominatim_answer(29.75, -95.36, "1 Open Way, Houston"))
    loc = factories.location(latitude=None, longitude=None)
    factories.address(loc, address_1="1 Open Way", city="Houston", state_province="TX", postal_code="77002")
    assert len(nominatim.urls) == 1
    loc.refresh_from_db()
    assert (loc.latitude, loc.longitude) == (29.75, -95.36)

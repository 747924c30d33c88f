"""The offline gazetteer: ZIP codes, cities, coordinates; clear errors for the rest."""

import pytest
import zipcodes
from geopy.distance import geodesic

from geo.geocoding import AmbiguousPlace, GeocodingError, PlaceNotFound, gazetteer, geocode


def test_every_zip_code_with_a_centroid_resolves_to_it():
    records = [r for r in zipcodes.list_all() if r["lat"] and r["long"]]
    assert len(records) > 40_000
    places = gazetteer()
    for record in records:
        found = places.geocode(record["zip_code"])
        assert found is not None, record["zip_code"]
        assert (found.latitude, found.longitude) == (float(record["lat"]), float(record["long"]))


@pytest.mark.parametrize("query", ["Houston, TX", "houston, tx", "Houston, Texas", "HOUSTON TX", "  Houston ,  TX "])
def test_houston_resolves_near_downtown(query):
    found = geocode(query)
    assert geodesic((found.latitude, found.longitude), (29.76, -95.37)).km < 10
    assert found.address == "Houston, TX"
    assert found.raw == {"source": "gazetteer", "precision": "city"}


def test_multi_word_city_and_state_name():
    found = geocode("Santa Fe New Mexico")
    assert found.address == "Santa Fe, NM"
    assert geodesic((found.latitude, found.longitude), (35.69, -105.94)).km < 15


def test_zip_plus_four_and_addresses_ending_in_a_zip_use_the_zip_centroid():
    plain = geocode("77002")
    assert geocode("77002-1234").point == plain.point
    found = geocode("1200 Smith St, Houston, TX 77002")
    assert found.point == plain.point and found.raw["precision"] == "zip"


def test_street_address_without_zip_falls_back_to_its_city():
    found = geocode("1200 Smith St, Houston, TX")
    assert found.address == "Houston, TX"


def test_unique_bare_city_name_resolves():
    assert geocode("Albuquerque").address == "Albuquerque, NM"


def test_ambiguous_city_lists_candidates():
    with pytest.raises(AmbiguousPlace) as error:
        geocode("Springfield")
    assert {"Springfield, IL", "Springfield, MO", "Springfield, MA"} <= set(error.value.candidates)
    assert "add the state" in str(error.value)


@pytest.mark.parametrize("query", ["zzzz qqqq", "00000", "Houston, ZZ", "Atlantis, TX", "!!!"])
def test_unknown_places_are_not_found(query):
    with pytest.raises(PlaceNotFound) as error:
        geocode(query)
    assert "ZIP" in str(error.value)


def test_empty_and_overlong_queries_are_refused():
    with pytest.raises(PlaceNotFound):
        geocode("   ")
    with pytest.raises(GeocodingError):
        geocode("x" * 301)


def test_coordinates_are_parsed_locally():
    found = geocode(" 29.76 , -95.37 ")
    assert (found.latitude, found.longitude) == (29.76, -95.37)
    assert found.raw["source"] == "coordinates"


@pytest.mark.parametrize("query, word", [("91,0", "Latitude"), ("-90.5,10", "Latitude"), ("10,181", "Longitude")])
def test_coordinates_out_of_range_are_refused(query, word):
    with pytest.raises(GeocodingError, match=word):
        geocode(query)


@pytest.mark.parametrize(
    "query, label",
    [("St. Louis, MO", "Saint Louis, MO"), ("St Louis MO", "Saint Louis, MO"), ("Ft. Worth, TX", "Fort Worth, TX"),
     ("Houston, TX, USA", "Houston, TX"), ("Houston, Texas, United States", "Houston, TX")],
)  # fmt: skip
def test_common_abbreviations_and_country_suffixes(query, label):
    assert geocode(query).address == label


@pytest.mark.parametrize("query", ["Apt 12345", "Unit 77002"])
def test_a_number_that_is_not_after_a_state_or_comma_is_not_a_zip(query):
    with pytest.raises(PlaceNotFound):
        geocode(query)

"""Search near a place narrows by the cells its documents are filed under (search_places, search_cells): every
point within the radius is in one of the cells asked for, whatever the place and radius, and a site seen exactly
is found by those who may see it even where its public point lies in another cell."""

import uuid

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from matching import search
from providers import selectors
from providers.access import ConfidentialAccess
from providers.models import Location
from tests import factories

pytestmark = pytest.mark.django_db


def covered(origin: tuple[float, float], radius_m: float, distance_m: float, bearing: float) -> bool | None:
    """Whether the point `distance_m` from `origin` along `bearing` is in the cells of (origin, radius); None when
    the radius gets no cells."""
    with transaction.atomic(), connection.cursor() as cursor:  # one example's error does not abort the next's
        cursor.execute(
            "WITH o AS (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography AS g) "
            "SELECT search_places(ST_Project(o.g, %s, radians(%s))) @@ search_cells(o.g, %s), "
            "search_cells(o.g, %s) IS NULL FROM o",
            [origin[1], origin[0], distance_m, bearing, radius_m, radius_m],
        )
        inside, no_cells = cursor.fetchone()
    return None if no_cells else inside


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    latitude=st.floats(17.5, 71.5),
    longitude=st.floats(-179.9, -64.5),
    radius_m=st.floats(50, 600_000),
    share=st.one_of(st.just(1.0), st.floats(0.98, 1), st.floats(0, 1)),  # the radius's edge most of all
    bearing=st.one_of(st.sampled_from([0, 90, 180, 270]), st.floats(0, 360)),
)
# Due north to the edge of 500 km from 23.625°N ends 4.51° further, just past the cells' edge at 28.125°N: a box
# reckoned at 111.32 km a degree of latitude (4.49°) stops short of it.
@example(latitude=23.625, longitude=-100.0, radius_m=500_000, share=1.0, bearing=0)
def test_every_point_within_the_radius_is_in_a_cell_asked_for(db, latitude, longitude, radius_m, share, bearing):
    # Rounded to what a place can mean (a millimetre, a microdegree): tinier floats underflow PostgreSQL's float8.
    distance_m, bearing = round(share * radius_m, 3), round(bearing, 6)
    assert covered((round(latitude, 6), round(longitude, 6)), round(radius_m, 3), distance_m, bearing) in (True, None)


@pytest.mark.parametrize(
    ("origin", "radius_m", "cells"),
    [((29.76, -95.37), 40_000, True), ((29.76, -95.37), 600_001, False), ((51.9, -176.6), 500_000, False)],
)
def test_too_wide_a_radius_or_one_across_the_antimeridian_is_left_to_the_radius(origin, radius_m, cells):
    assert (covered(origin, radius_m, 0, 0) is not None) is cells


def test_sites_without_a_point_answer_every_place(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_places(NULL) @@ search_cells('SRID=4326;POINT(-95.37 29.76)'::geography, 5000)")
        assert cursor.fetchone()[0] is True


def _harbor():
    """A confidential site whose public point is in another cell. Geohash cells of 4 characters meet at 40.78125°N;
    the site is 1.2 km south of that edge, its public point 1 km north of it: a search within 500 m of the site asks
    only for the cell south of the edge."""
    org = factories.organization(name="Zyxwv Harbor")
    service = factories.service(org, name="Shelter", needs=("emergency-shelter",))
    site = factories.location(org, latitude=40.770, longitude=-73.97, is_confidential=True)
    Location.objects.filter(pk=site.pk).update(public_latitude=40.790, public_longitude=-73.97)
    factories.offer(service, site)
    return org, service, site


def test_a_site_seen_exactly_is_found_where_its_public_point_is_in_another_cell(db):
    _, service, _ = _harbor()
    origin = Point(-73.97, 40.770, srid=4326)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_places(public_point)::text, search_places(point)::text FROM matching_searchdocument"
        )
        public_cells, exact_cells = cursor.fetchone()
    assert public_cells != exact_cells  # the test is about a site whose two points are in different cells

    seen_exactly = search.search("zyxwv", access=ConfidentialAccess(all=True), origin=origin, radius_m=500)
    public = search.search("zyxwv", access=ConfidentialAccess(), origin=origin, radius_m=500)

    assert [hit.service_id for hit in seen_exactly.hits] == [service.pk]
    assert public.hits == []


def test_a_site_displaced_under_a_wider_earlier_setting_is_still_found_by_those_who_see_it(db, settings):
    # Drawn 9 km north when sites were displaced further than today's setting allows.
    org = factories.organization(name="Zyxwv Refuge")
    service = factories.service(org, name="Shelter", needs=("emergency-shelter",))
    site = factories.location(org, latitude=40.770, longitude=-73.97, is_confidential=True)
    Location.objects.filter(pk=site.pk).update(public_latitude=40.851, public_longitude=-73.97)
    factories.offer(service, site)
    settings.CONFIDENTIAL_DISPLACEMENT_M = (100, 500)

    found = search.search("zyxwv", access=ConfidentialAccess(all=True), origin=Point(-73.97, 40.770), radius_m=500)

    assert [hit.service_id for hit in found.hits] == [service.pk]


# --- the map's list near a place (matching.search.matching with few=True, for locations) ----------------------


def _listed(words: str, access: ConfidentialAccess, origin: Point, radius_m: float):
    """The sites the map's list near a place keeps for `words`, and its SQL."""
    found = search.search(search.clean_query(words), access=access, origin=origin, radius_m=radius_m)
    near = selectors.locations_near(Location.objects.all(), access=access, origin=origin, radius_m=radius_m)
    listed = near.filter(search.matching(found, "location_id", access=access, few=True))
    try:
        sql = str(listed.query)
    except EmptyResultSet:  # no id to keep: Django sends no statement
        sql = ""
    return set(listed), sql


@pytest.mark.parametrize("ranked", [500, 1])
def test_the_list_near_a_place_keeps_the_sites_there_holding_the_words(db, monkeypatch, ranked):
    """The search's hits when they are every match within the radius; otherwise the documents holding the words in
    the radius's cells, read once."""
    monkeypatch.setattr(search, "MAX_RANKED", ranked)
    org = factories.organization(name="Zyxwv Aid")
    service = factories.service(org, name="Advice", needs=("legal-civil",))
    inside = [factories.location(org, latitude=40.770 + north, longitude=-73.97) for north in (0, 0.01)]
    outside = factories.location(org, latitude=40.870, longitude=-73.97)  # 11 km north: in reach of the cells
    for site in [*inside, outside]:
        factories.offer(service, site)
    other = factories.organization(name="Other Help")
    factories.offer(factories.service(other, name="Advice", needs=("legal-civil",)),
                    factories.location(other, latitude=40.771, longitude=-73.97))  # fmt: skip

    listed, sql = _listed("zyxwv", ConfidentialAccess(), Point(-73.97, 40.770, srid=4326), 5000)

    assert listed == set(inside)
    # Two matches within the radius: every one ranked, or more than one ranks (words AND cells, read once).
    assert ("unnest(ARRAY(SELECT DISTINCT location_id FROM matching_searchdocument" in sql) == (ranked == 1)
    assert ("matching_searchdocument" in sql) == (ranked == 1)


def test_the_list_near_a_place_keeps_a_site_seen_exactly_whose_public_point_is_elsewhere(db, monkeypatch):
    org, _, site = _harbor()
    origin = Point(-73.97, 40.770, srid=4326)

    for ranked in (500, 1):  # the search's hits, or the cells' documents
        monkeypatch.setattr(search, "MAX_RANKED", ranked)
        assert _listed("zyxwv", ConfidentialAccess(all=True), origin, 500)[0] == {site}
        assert _listed("zyxwv", ConfidentialAccess(), origin, 500)[0] == set()
    # Its own staff reach it by its exact point, which the cells of public points miss: each site is checked.
    own, sql = _listed("zyxwv", ConfidentialAccess(organization_id=org.pk), origin, 500)
    assert own == {site} and "EXISTS" in sql


@pytest.mark.parametrize(
    ("words", "radius_m", "ranked"),
    [
        ("zyxwv", 5000, 500),  # every match ranked: the hits
        ("zyxwv", 5000, 1),  # more than ranked: the cells' documents
        ("zyxwq aid", 5000, 500),  # misspelt: the any-word pass and the names close to it
        ("zyxwv", 700_000, 1),  # past the cells' widest radius: each site checked
        ("zyxwv", 500, 500),  # the word only outside the radius
        ("xylophone", 5000, 500),  # nowhere
    ],
)
def test_the_list_near_a_place_keeps_what_checking_each_site_keeps(db, monkeypatch, words, radius_m, ranked):
    """The hits or the cells' documents keep the same sites as checking each site's documents (what provider
    staff's lists do), in every case the search can end in."""
    monkeypatch.setattr(search, "MAX_RANKED", ranked)
    org = factories.organization(name="Zyxwv Aid")
    service = factories.service(org, name="Advice", needs=("legal-civil",))
    for north in (0.01, 0.02, 0.1):
        factories.offer(service, factories.location(org, latitude=40.770 + north, longitude=-73.97))
    origin = Point(-73.97, 40.770, srid=4326)

    listed, _ = _listed(words, ConfidentialAccess(), origin, radius_m)
    checked, sql = _listed(words, ConfidentialAccess(organization_id=uuid.uuid4()), origin, radius_m)

    assert listed == checked and (not sql or "EXISTS" in sql)

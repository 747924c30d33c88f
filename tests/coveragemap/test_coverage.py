"""The coverage map: each county's distance to the nearest provider meeting a need and accepting referrals, at the
point the public sees, computed by the match index's walks, refreshed when listings changed much, served to staff
as JSON, CSV and GeoJSON."""

import csv
import io

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection
from django.utils import timezone
from geopy.distance import geodesic

from coveragemap.models import CountyDistance, CoverageMap
from coveragemap.refresh import coverage_refresh, coverage_refresh_all, coverage_refresh_if_changed
from geo.models import Boundary
from matching.models import UnmetNeedCount
from providers.models import ListingChange, NeedTerm
from tests import factories
from tests.coveragemap.fixtures import BOXES, centre, listed

pytestmark = pytest.mark.django_db


# A county's centre is taken on the sphere: a degree-wide box's lies some metres poleward of its flat centre. The
# choices the tests tell apart (another site, the exact point or the public one) are kilometres apart.
NEAR_M = 50


def distances(need: str, language: str = "", age: int | None = None) -> dict[str, float | None]:
    coverage = coverage_refresh(NeedTerm.objects.get(code=need), language, age)
    return dict(CountyDistance.objects.filter(map=coverage).values_list("county_fips", "distance_m"))


def metres(fips: str, latitude: float, longitude: float) -> float:
    return geodesic(centre(fips), (latitude, longitude)).meters


def test_each_county_gets_the_distance_to_its_nearest_provider(counties):
    listed("t-visa", 29.7, -95.4)  # in Harris
    listed("t-visa", 32.9, -96.9)  # in Dallas
    listed("u-visa", 34.0, -118.5)  # another need, in Los Angeles

    found = distances("t-visa")

    assert found["48201"] == pytest.approx(metres("48201", 29.7, -95.4), abs=NEAR_M)
    assert found["48113"] == pytest.approx(metres("48113", 32.9, -96.9), abs=NEAR_M)
    # Los Angeles' nearest T-visa help is Dallas's, not the U-visa clinic next door.
    assert found["06037"] == pytest.approx(metres("06037", 32.9, -96.9), abs=NEAR_M)


def test_a_broader_need_counts_the_services_of_the_needs_under_it(counties):
    listed("t-visa", 29.5, -95.5)
    immigration = distances("immigration-legal")
    assert immigration["48201"] == pytest.approx(metres("48201", 29.5, -95.5), abs=NEAR_M)


def test_providers_not_accepting_referrals_or_inactive_do_not_count(counties):
    listed("emergency-shelter", 29.5, -95.5, accepting_referrals=False)  # at Harris's centre
    paused, _ = listed("emergency-shelter", 29.51, -95.51)
    paused.status = "inactive"
    paused.save()
    listed("emergency-shelter", 29.2, -95.2)

    found = distances("emergency-shelter")

    assert found["48201"] == pytest.approx(metres("48201", 29.2, -95.2), abs=NEAR_M)


def test_a_need_no_provider_meets_anywhere_is_none_for_every_county(counties):
    assert set(distances("dental").values()) == {None}


def test_a_confidential_shelter_counts_at_its_public_point_never_its_address(counties):
    _, shelter = listed("emergency-shelter", 29.7604, -95.3698, is_confidential=True)
    assert (shelter.public_latitude, shelter.public_longitude) != (shelter.latitude, shelter.longitude)

    found = distances("emergency-shelter")

    public = metres("48201", shelter.public_latitude, shelter.public_longitude)
    assert found["48201"] == pytest.approx(public, abs=NEAR_M)
    assert found["48201"] != pytest.approx(metres("48201", shelter.latitude, shelter.longitude), abs=NEAR_M)


def test_a_language_map_counts_only_providers_working_in_it(counties):
    listed("interpretation", 29.6, -95.6, languages=["es"])
    listed("interpretation", 32.1, -96.1, languages=["ti"])

    tigrinya = distances("interpretation", "ti")

    assert tigrinya["48201"] == pytest.approx(metres("48201", 32.1, -96.1), abs=NEAR_M)
    assert distances("interpretation")["48201"] == pytest.approx(metres("48201", 29.6, -95.6), abs=NEAR_M)


def test_a_language_map_counts_confidential_sites_at_their_public_point_and_referrals_taken(counties):
    listed("t-visa", 29.5, -95.5, languages=["ti"], accepting_referrals=False)  # at Harris's centre
    _, shelter = listed("t-visa", 29.7604, -95.3698, languages=["ti"], is_confidential=True)

    found = distances("t-visa", "ti")

    public = metres("48201", shelter.public_latitude, shelter.public_longitude)
    assert found["48201"] == pytest.approx(public, abs=NEAR_M)


def test_a_map_for_an_age_counts_only_services_a_person_that_age_may_use(counties):
    """The issue's "emergency shelter for minors": a 15-year-old's nearest shelter, not an adults' one nearer."""
    adults = factories.service(needs=("emergency-shelter",), populations=("adults",))
    factories.offer(adults, factories.location(adults.organization, latitude=29.5, longitude=-95.5))  # at the centre
    listed("emergency-shelter", 29.3, -95.3)  # any age

    found = distances("emergency-shelter", age=15)

    assert found["48201"] == pytest.approx(metres("48201", 29.3, -95.3), abs=NEAR_M)
    assert distances("emergency-shelter", age=30)["48201"] == pytest.approx(0, abs=NEAR_M)


def test_a_county_across_the_antimeridian_is_measured_from_its_centre_on_the_sphere(counties):
    west, east = Polygon.from_bbox((172.0, 51.0, 180.0, 53.0)), Polygon.from_bbox((-180.0, 51.0, -178.0, 53.0))
    aleutians = MultiPolygon(west, east, srid=4326)
    Boundary.objects.create(kind="county", fips="02016", name="Aleutians West", state_code="AK", geometry=aleutians)
    listed("t-visa", 52.0, 178.0)

    assert distances("t-visa")["02016"] < 200_000  # (the flat centroid is at 105 degrees east, in China)


def test_a_need_added_by_another_process_is_mapped(counties):
    from providers.vocabulary import vocabulary

    vocabulary()  # this process's copy, from before the need
    NeedTerm.objects.bulk_create([NeedTerm(code="new-need", name="New need", description="", sort_order=99)])

    assert set(distances("new-need").values()) == {None}


def test_maps_and_unmet_counts_outlive_a_reload_of_the_boundaries(counties, settings):
    settings.COVERAGE_REFRESH_CHANGES = 1000
    UnmetNeedCount.objects.create(need=NeedTerm.objects.get(code="t-visa"), county_fips="48201",
                                  week=timezone.now().date(), requests=12)  # fmt: skip
    assert coverage_refresh_if_changed() == NeedTerm.objects.count()
    harris = Boundary.objects.get(fips="48201")
    Boundary.objects.all().delete()  # as load_boundaries does before loading again
    Boundary.objects.create(kind="county", fips="48201", name="Harris", state_code="TX", geometry=harris.geometry)

    assert UnmetNeedCount.objects.get().requests == 12
    # The maps were made for three counties and one is loaded: made again.
    assert coverage_refresh_if_changed() == NeedTerm.objects.count()
    assert set(distances("t-visa")) == {"48201"}


def test_a_refresh_replaces_the_map_whole_and_follows_a_raw_sql_write(counties):
    _, site = listed("medical", 29.5, -95.5)
    before = distances("medical")["48201"]
    with connection.cursor() as cursor:  # around the app: the match index's triggers still follow it
        cursor.execute("UPDATE providers_location SET latitude = 32.5, longitude = -96.5, public_latitude = 32.5, "
                       "public_longitude = -96.5 WHERE id = %s", [site.pk])  # fmt: skip

    after = distances("medical")

    assert after["48201"] != before
    assert after["48201"] == pytest.approx(metres("48201", 32.5, -96.5), abs=NEAR_M)
    assert CoverageMap.objects.filter(need__code="medical").count() == 1
    assert CountyDistance.objects.count() == len(BOXES)


def test_a_map_asked_for_while_another_request_computed_it_is_not_computed_again(counties):
    need = NeedTerm.objects.get(code="t-visa")
    first = coverage_refresh(need)
    again = coverage_refresh(need, unless_since=first.computed_at)
    assert again.computed_at == first.computed_at
    assert coverage_refresh(need).computed_at > first.computed_at


def test_refresh_if_changed_waits_for_enough_listing_changes(counties, settings):
    settings.COVERAGE_REFRESH_CHANGES = 3
    assert coverage_refresh_if_changed() == NeedTerm.objects.count()  # no map yet: every need computed
    assert coverage_refresh_if_changed() == 0
    org = factories.organization()
    for n in range(2):
        ListingChange.objects.create(organization=org, record_type="organization", record_id=org.pk, field="name",
                                     before="a", after=str(n), source="direct", changed_at=timezone.now())  # fmt: skip
    assert coverage_refresh_if_changed() == 0
    ListingChange.objects.create(organization=org, record_type="organization", record_id=org.pk, field="name",
                                 before="a", after="b", source="direct", changed_at=timezone.now())  # fmt: skip
    assert coverage_refresh_if_changed() == NeedTerm.objects.count()
    assert coverage_refresh_if_changed() == 0


def test_the_nightly_refresh_keeps_language_maps_asked_for_lately_only(counties, settings):
    settings.COVERAGE_LANGUAGE_MAP_DAYS = 30
    need = NeedTerm.objects.get(code="interpretation")
    asked, forgotten = coverage_refresh(need, "ti"), coverage_refresh(need, "am")
    CoverageMap.objects.filter(pk=asked.pk).update(asked_at=timezone.now())
    CoverageMap.objects.filter(pk=forgotten.pk).update(asked_at=timezone.now() - timezone.timedelta(days=31))

    assert coverage_refresh_all() == NeedTerm.objects.count() + 1
    assert set(CoverageMap.objects.exclude(language="").values_list("language", flat=True)) == {"ti"}


# --- the API ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona,status", [(None, 403), ("provider", 403), ("hotline", 200), ("specialist", 200),
                                            ("moderator", 200)])  # fmt: skip
def test_staff_who_find_and_fund_providers_may_read_the_map(client_for, counties, persona, status):
    response = client_for(persona).get("/api/coverage/", {"need": "t-visa"})
    assert response.status_code in ((401, 403) if status == 403 else (200,))


@pytest.mark.parametrize("query,field", [({}, "need"), ({"need": "nope"}, "need"), ({"need": "\x00"}, "need"),
                                         ({"need": "t-visa", "language": "xx"}, "language"),
                                         ({"need": "t-visa", "format": "xlsx"}, "format"),
                                         ({"format": "csv"}, "need"), ({"need": "t-visa", "age": "-1"}, "age"),
                                         ({"need": "t-visa", "age": "99999"}, "age"),
                                         ({"need": "t-visa", "age": "x"}, "age")])  # fmt: skip
def test_bad_queries_are_a_400_naming_the_field(client_for, counties, query, field):
    response = client_for("hotline").get("/api/coverage/", query)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert field in response.json()


@pytest.mark.parametrize("query,field", [({}, "need"), ({"need": "t-visa", "format": "csv"}, "format")])
def test_bad_queries_of_the_unmet_counts_are_a_400_naming_the_field(client_for, counties, query, field):
    response = client_for("hotline").get("/api/coverage/unmet/", query)
    assert response.status_code == 400 and field in response.json()


def test_the_map_as_json_csv_and_geojson(client_for, counties):
    listed("t-visa", 29.7, -95.4)
    client = client_for("hotline")

    body = client.get("/api/coverage/", {"need": "t-visa"}).json()
    harris = next(c for c in body["counties"] if c["fips"] == "48201")
    assert body["need"] == "t-visa" and body["language"] == ""
    assert harris["distance_mi"] == pytest.approx(metres("48201", 29.7, -95.4) / 1609.344, abs=0.1)

    response = client.get("/api/coverage/", {"need": "t-visa", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="coverage-t-visa.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["fips"] for row in rows} == set(BOXES)
    assert next(r for r in rows if r["fips"] == "48201")["miles"] == str(harris["distance_mi"])

    response = client.get("/api/coverage/", {"need": "t-visa", "format": "geojson"})
    assert response["Content-Type"].startswith("application/geo+json")
    geojson = response.json()
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == len(BOXES)
    feature = next(f for f in geojson["features"] if f["id"] == "48201")
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert feature["properties"]["miles"] == harris["distance_mi"]


def test_a_map_for_an_age_through_the_api_names_its_download(client_for, counties):
    response = client_for("specialist").get("/api/coverage/", {"need": "emergency-shelter", "age": 15, "format": "csv"})
    assert 'filename="coverage-emergency-shelter-age15.csv"' in response["Content-Disposition"]
    assert CoverageMap.objects.get(need__code="emergency-shelter", age=15).asked_at is not None


def test_a_language_map_is_computed_when_first_asked_and_kept_while_asked(client_for, counties):
    response = client_for("hotline").get("/api/coverage/", {"need": "interpretation", "language": "ti"})
    assert response.status_code == 200 and response.json()["language"] == "ti"
    assert CoverageMap.objects.get(need__code="interpretation", language="ti").asked_at is not None

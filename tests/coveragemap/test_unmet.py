"""Unmet requests: a match that finds nothing for a need within its radius counts one for that need, the county
searched from and the week, and nothing else; a county's week is shown only from 10 such searches."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from matching.models import UnmetNeedCount
from providers.models import NeedTerm
from tests.coveragemap.fixtures import listed

pytestmark = pytest.mark.django_db

HOUSTON = "77002"  # in the Harris box of the counties fixture


def this_monday() -> date:
    today = timezone.now().date()
    return today - timedelta(days=today.weekday())


def ask(client, **params):
    response = client.get("/api/match/", {"near": HOUSTON, "radius_mi": 25, **params})
    assert response.status_code == 200, response.content
    return response.json()


def cells() -> dict[tuple[str, str, date], int]:
    return {(c.need.code, c.county_fips, c.week): c.requests for c in UnmetNeedCount.objects.select_related("need")}


def test_a_need_found_nowhere_in_the_radius_counts_against_the_county_and_week(api, counties):
    listed("emergency-shelter", 29.76, -95.37)  # met
    listed("t-visa", 32.5, -96.5)  # in Dallas: beyond 25 miles of Houston

    ask(api, needs="emergency-shelter,t-visa")
    ask(api, needs="t-visa")

    assert cells() == {("t-visa", "48201", this_monday()): 2}


def test_what_is_kept_is_the_need_the_county_the_week_and_a_number(api, counties):
    ask(api, needs="t-visa")
    assert {f.name for f in UnmetNeedCount._meta.concrete_fields} == {"id", "need", "county_fips", "week", "requests"}


def test_a_search_by_words_or_from_outside_the_counties_counts_nothing(api, counties):
    ask(api, needs="t-visa", q="tahirih")
    ask(api, needs="t-visa", near="99501")  # Anchorage: no county loaded there
    assert cells() == {}


def test_a_county_week_is_shown_only_from_ten_whatever_the_setting(client_for, counties, settings):
    settings.UNMET_MIN_SHOWN = 3  # a lower setting does not lower the floor
    need, last_week = NeedTerm.objects.get(code="t-visa"), this_monday() - timedelta(weeks=1)
    UnmetNeedCount.objects.create(need=need, county_fips="48201", week=last_week, requests=10)
    UnmetNeedCount.objects.create(need=need, county_fips="48201", week=last_week - timedelta(weeks=1), requests=9)
    UnmetNeedCount.objects.create(need=need, county_fips="48113", week=last_week, requests=9)
    client = client_for("moderator")

    unmet = client.get("/api/coverage/unmet/", {"need": "t-visa"}).json()
    coverage = client.get("/api/coverage/", {"need": "t-visa"}).json()

    assert [(c["fips"], c["requests"]) for c in unmet["cells"]] == [("48201", 10)]
    shown = {c["fips"]: c["unmet_requests"] for c in coverage["counties"]}
    assert shown == {"48201": 10, "48113": None, "06037": None}  # the 9s are in no sum


def test_weeks_before_the_period_are_not_summed(client_for, counties, settings):
    settings.UNMET_WEEKS = 2
    need, monday = NeedTerm.objects.get(code="t-visa"), this_monday()
    UnmetNeedCount.objects.create(need=need, county_fips="48201", week=monday - timedelta(weeks=1), requests=12)
    UnmetNeedCount.objects.create(need=need, county_fips="48201", week=monday - timedelta(weeks=3), requests=30)

    coverage = client_for("hotline").get("/api/coverage/", {"need": "t-visa"}).json()

    assert {c["fips"]: c["unmet_requests"] for c in coverage["counties"]}["48201"] == 12


def test_the_week_under_way_is_not_shown_until_it_is_over(client_for, counties):
    """From a review: a cell moving by one as searches come in would date each search."""
    need = NeedTerm.objects.get(code="t-visa")
    UnmetNeedCount.objects.create(need=need, county_fips="48201", week=this_monday(), requests=40)
    client = client_for("hotline")

    assert client.get("/api/coverage/unmet/", {"need": "t-visa"}).json()["cells"] == []
    counties = client.get("/api/coverage/", {"need": "t-visa"}).json()["counties"]
    assert {c["fips"]: c["unmet_requests"] for c in counties}["48201"] is None


def test_the_nightly_job_keeps_only_the_weeks_shown(counties, settings):
    from coveragemap.tasks import refresh_all

    settings.UNMET_WEEKS = 2
    need, monday = NeedTerm.objects.get(code="t-visa"), this_monday()
    for weeks in (0, 1, 2, 3):
        UnmetNeedCount.objects.create(need=need, county_fips="48201", week=monday - timedelta(weeks=weeks), requests=11)

    refresh_all(timestamp=0)

    kept = sorted(UnmetNeedCount.objects.values_list("week", flat=True))
    assert kept == [monday - timedelta(weeks=weeks) for weeks in (2, 1, 0)]


def test_unmet_counts_are_not_readable_by_providers_or_the_public(client_for, counties):
    for persona in (None, "provider"):
        assert client_for(persona).get("/api/coverage/unmet/", {"need": "t-visa"}).status_code in (401, 403)


def test_the_demo_plants_fictional_counts_some_shown_and_some_not(client_for, counties):
    from demo.unmet import plant_unmet

    assert plant_unmet(seed=3) > 0
    requests = set(UnmetNeedCount.objects.values_list("requests", flat=True))
    assert min(requests) < 10 <= max(requests)
    shown = client_for("moderator").get("/api/coverage/unmet/", {"need": "t-visa"}).json()["cells"]
    assert shown and all(cell["requests"] >= 10 for cell in shown)

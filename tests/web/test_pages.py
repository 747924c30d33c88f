"""Pages render for every kind of visitor (the browser tests in tests/e2e drive them)."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", [None, "hotline", "provider", "moderator"])
def test_search_page_renders_with_the_crisis_banner_and_quick_exit(client, personas, persona):
    if persona:
        client.force_login(personas[persona])
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "1-888-373-7888" in html and "233733" in html and "1-866-347-2423" in html
    assert 'id="quick-exit"' in html and "/static/leaflet/leaflet.js" in html
    # Nothing is loaded from another host (no CDN). Not a search for "cdn": a random CSRF token may hold it.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert ('id="specialists-panel"' in html) == (persona is not None)


def test_every_need_is_offered_in_the_search_form(client):
    from providers.models import NeedTerm

    html = client.get("/").content.decode()

    assert all(f'value="{code}"' in html for code in NeedTerm.objects.values_list("code", flat=True))
    assert '<option value="es">Spanish</option>' in html and '<option value="zh">Chinese</option>' in html


def test_state_outlines_come_from_our_own_boundaries(client):
    from django.contrib.gis.geos import MultiPolygon, Polygon

    from geo.models import Boundary

    square = MultiPolygon(Polygon.from_bbox((-100, 30, -99, 31)), srid=4326)
    Boundary.objects.create(kind="state", fips="48", name="Texas", state_code="TX", geometry=square)

    data = client.get("/web/states.geojson").json()

    assert [f["properties"]["code"] for f in data["features"]] == ["TX"]
    assert data["features"][0]["geometry"]["type"] in {"MultiPolygon", "Polygon"}


def test_pages_answer_in_spanish(client):
    client.cookies["django_language"] = "es"

    html = client.get("/").content.decode()

    assert 'lang="es"' in html and "Salida rápida" in html and "Buscar servicios" in html
    assert "Albergue de emergencia" in html and "Servicios legales de inmigración" in html and "Visa T" in html


@pytest.mark.parametrize(("persona", "url", "expected"), [
    (None, "/portal/", 302), ("hotline", "/portal/", 403), ("moderator", "/portal/", 403),
    ("provider", "/portal/", 200),
    (None, "/moderation/", 302), ("provider", "/moderation/", 403), ("hotline", "/moderation/", 403),
    ("moderator", "/moderation/", 200), (None, "/referrals/", 302), ("hotline", "/referrals/", 200),
])  # fmt: skip
def test_portal_and_moderation_pages_are_for_their_roles(client, personas, persona, url, expected):
    if persona:
        client.force_login(personas[persona])

    assert client.get(url).status_code == expected


def test_another_organizations_staff_cannot_update_beds_from_the_portal(client, personas, provider_org):
    from tests import factories

    location = factories.location(provider_org, beds_total=5, beds_available=2)
    client.force_login(personas["other_provider"])

    response = client.post(f"/portal/capacity/{location.pk}/", {"beds_available": "0"})

    assert response.status_code == 403
    location.refresh_from_db()
    assert location.beds_available == 2


@pytest.fixture
def shelter(provider_org):
    from tests import factories

    service = factories.service(provider_org, name="Emergency Shelter", needs=("emergency-shelter",), minimum_age=18)
    location = factories.location(provider_org, name="Safe House", is_confidential=True, latitude=29.7617123,
                                  longitude=-95.3662456)  # fmt: skip
    factories.address(location, address_1="6432 Secret Rd", postal_code="77002")
    factories.phone(location=location, number="+17135550111", description="direct line")
    factories.phone(location=location, number="+17135550122", is_front_door=True)
    return factories.offer(service, location)


@pytest.mark.parametrize(("persona", "exact"), [(None, False), ("other_provider", False), ("hotline", True),
                                                ("provider", True)])  # fmt: skip
def test_listing_page_shows_a_confidential_site_exactly_only_to_those_who_may_see_it(
    client, personas, shelter, persona, exact
):
    if persona:
        client.force_login(personas[persona])

    html = client.get(f"/listings/{shelter.location.pk}/").content.decode()

    assert "Emergency Shelter" in html and "+17135550122" in html and "Houston, TX 77002" in html
    for secret in ("6432 Secret Rd", "+17135550111", str(shelter.location.latitude)):
        assert (secret in html) == exact, secret


def test_unknown_listing_is_404(client):
    assert client.get("/listings/not-a-uuid/").status_code == 404
    assert client.get("/listings/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_the_printed_sheet_never_carries_a_confidential_address_whoever_prints_it(client, personas, shelter):
    client.force_login(personas["hotline"])

    html = client.get("/print/", {"offers": f"{shelter.pk},not-an-id"}).content.decode()

    # Numbers as people dial them (providers.phones); the direct line in no form at all.
    assert "Emergency Shelter" in html and "(713) 555-0122" in html and "77002" in html
    assert "6432 Secret Rd" not in html and "555-0111" not in html and "5550111" not in html

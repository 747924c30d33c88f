"""Every registry write of the application goes through one write path (providers.registry): a confidential site
gets its generalized public point and the listing keeps its history, whichever path writes; and addresses are
geocoded before anything is locked."""

import json

import pytest
from django.db import connection
from geopy.distance import geodesic

from accounts.models import User
from demo.builder import demo_registry_load
from geo.geocoding import geocode as real_geocode
from hsds.importer import FLAGS_TAXONOMY, import_hsds
from providers import registry, services
from providers.models import Application, ChangeRequest, ListingChange, Location
from tests import factories

HOUSTON = (29.76, -95.37)
SITE_ID = "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a9f"


def generalized(location: Location, settings) -> bool:
    min_m, max_m = settings.CONFIDENTIAL_DISPLACEMENT_M
    if location.public_latitude is None:
        return False
    distance = geodesic((location.latitude, location.longitude), (location.public_latitude, location.public_longitude))
    return min_m - 1 <= distance.meters <= max_m + 1


@pytest.fixture
def geocoder_watch(monkeypatch):
    """Replace the registry's geocoder with one that records whether this connection's transaction held any lock
    (had written or locked a row: a transaction id is assigned then) when it was asked."""
    calls = []

    def watched(query, *, online=True):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
            (holding,) = cursor.fetchone()
        calls.append({"query": query, "online": online, "holding_locks": holding})
        return real_geocode(query, online=False)

    monkeypatch.setattr(registry, "geocode", watched)
    return calls


# --- geocoding before locks (committed data: each test's own transaction is the write path's) ----------------


@pytest.mark.django_db(transaction=True)
def test_an_approved_address_move_is_geocoded_before_anything_is_locked(geocoder_watch, personas, settings):
    site = factories.location(personas["provider"].organization, is_confidential=True, latitude=HOUSTON[0],
                              longitude=HOUSTON[1])  # fmt: skip
    factories.address(site, address_1="1 Main St", city="Houston", postal_code="77002")
    request = ChangeRequest.objects.create(
        organization=site.organization, record_type="location", record_id=site.pk, submitted_by=personas["provider"],
        changes={"address.city": {"old": "Houston", "new": "Dallas"},
                 "address.postal_code": {"old": "77002", "new": "75201"}},
    )  # fmt: skip
    geocoder_watch.clear()

    services.change_request_approve(change_request=request, moderator=personas["moderator"])

    assert geocoder_watch and not any(call["holding_locks"] for call in geocoder_watch)
    assert geocoder_watch[0]["online"] is False  # a confidential site's address stays here
    site.refresh_from_db()
    assert geodesic((site.latitude, site.longitude), (32.78, -96.80)).km < 10  # moved to Dallas
    assert generalized(site, settings)


@pytest.mark.django_db(transaction=True)
def test_an_application_is_geocoded_before_anything_is_locked(geocoder_watch, personas):
    details = {
        "organization": {"name": "New Shelter", "description": "A shelter."},
        "contact_name": "A Person", "contact_email": "a@example.org",
        "locations": [{"name": "Safe house", "is_confidential": True, "time_zone": "America/Chicago",
                       "address": {"address_1": "9 Oak Ave", "city": "Houston", "state_province": "TX",
                                   "postal_code": "77002"}}],
        "services": [{"name": "Shelter", "needs": ["emergency-shelter"]}],
    }  # fmt: skip
    application = services.application_submit(details=details)

    services.application_approve(application=application, moderator=personas["moderator"])

    assert geocoder_watch and not any(call["holding_locks"] for call in geocoder_watch)
    site = Location.objects.get(organization=Application.objects.get().organization)
    assert site.latitude is not None and site.is_confidential


# --- every path: the public point and the history --------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_and_an_approval_generalize_a_site_made_confidential_with_history(client_for, personas, settings):
    site = factories.location(personas["provider"].organization, latitude=HOUSTON[0], longitude=HOUSTON[1])
    response = client_for("provider").patch(f"/api/locations/{site.pk}/", {"is_confidential": True}, format="json")
    assert response.status_code == 202
    request = ChangeRequest.objects.get(record_id=site.pk)
    assert client_for("moderator").post(f"/api/change-requests/{request.pk}/approve/").status_code == 200
    site.refresh_from_db()
    assert site.is_confidential and generalized(site, settings)
    assert ListingChange.objects.filter(record_id=site.pk, field="is_confidential", source="change_request").exists()


@pytest.mark.django_db
def test_the_portal_records_its_edits(client, personas):
    site = factories.location(personas["provider"].organization, beds_total=4, beds_available=1)
    client.force_login(personas["provider"])
    response = client.post(f"/portal/capacity/{site.pk}/", {"beds_available": "3", "accepting_referrals": "on"})
    assert response.status_code == 302
    assert ListingChange.objects.get(record_id=site.pk, field="beds_available").after == 3


@pytest.mark.django_db
def test_the_admin_generalizes_a_site_made_confidential_and_records_it(client, settings):
    admin = User.objects.create_superuser("root-admin", "root@example.org", factories.TEST_PASSWORD)
    client.force_login(admin)
    site = factories.location(latitude=HOUSTON[0], longitude=HOUSTON[1])
    inlines = {f"{prefix}-{suffix}": "0"
               for prefix in ("addresses", "service_at_locations", "schedules", "hours_exceptions", "phones")
               for suffix in ("TOTAL_FORMS", "INITIAL_FORMS")}  # fmt: skip
    form = {
        "organization": str(site.organization_id), "name": site.name, "alternate_name": "", "description": "",
        "location_type": "physical", "transportation": "", "latitude": HOUSTON[0], "longitude": HOUSTON[1],
        "is_confidential": "on", "time_zone": "America/Chicago", "accepting_referrals": "on", **inlines,
    }  # fmt: skip
    response = client.post(f"/admin/providers/location/{site.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    site.refresh_from_db()
    assert site.is_confidential and generalized(site, settings)
    assert ListingChange.objects.get(record_id=site.pk, field="is_confidential").source == "admin"


@pytest.mark.django_db
def test_the_admin_places_a_new_address_before_writing(client, geocoder_watch):
    admin = User.objects.create_superuser("root-admin", "root@example.org", factories.TEST_PASSWORD)
    client.force_login(admin)
    site = factories.location(latitude=None, longitude=None)
    response = client.post("/admin/providers/address/add/", {
        "location": str(site.pk), "attention": "", "address_1": "1 Main St", "address_2": "", "city": "Houston",
        "region": "", "state_province": "TX", "postal_code": "77002", "country": "US", "address_type": "physical",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    site.refresh_from_db()
    assert site.latitude is not None and [call["online"] for call in geocoder_watch] == [True]


@pytest.mark.django_db
def test_an_import_generalizes_a_confidential_site(tmp_path, settings):
    service = {
        "id": "5d1a8f62-9a71-4c43-9f5e-7d2b1f0c3a11", "name": "Shelter", "status": "active",
        "organization": {"id": "8b7e3c10-2f4d-4f6a-9d8e-0c1b2a3d4e5f", "name": "Org", "description": "An org."},
        "service_at_locations": [{"id": "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", "location": {
            "id": SITE_ID, "location_type": "physical", "name": "Safe house",
            "latitude": HOUSTON[0], "longitude": HOUSTON[1],
            "attributes": [{"id": "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d", "link_id": SITE_ID, "link_type": "location",
                            "link_entity": "location", "taxonomy_term_id": "6f5e4d3c-2b1a-4098-8765-4321fedcba98",
                            "taxonomy_term": {"id": "6f5e4d3c-2b1a-4098-8765-4321fedcba98",
                                              "code": "confidential-location", "name": "Confidential",
                                              "description": "Confidential", "taxonomy": FLAGS_TAXONOMY}}],
        }}],
    }  # fmt: skip
    path = tmp_path / "services.json"
    path.write_text(json.dumps([service]))
    report = import_hsds(path)
    assert report.applied, report.problems
    site = Location.objects.get(name="Safe house")
    assert site.is_confidential and generalized(site, settings)


@pytest.mark.django_db
def test_the_demo_loader_generalizes_its_confidential_sites(settings):
    demo_registry_load(locations=40, seed=3)
    confidential = list(Location.objects.filter(is_confidential=True, latitude__isnull=False))
    assert confidential and all(generalized(site, settings) for site in confidential)

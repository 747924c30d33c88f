"""The Django admin has every model, and its pages load (map widgets included) for an admin."""

import pytest
from django.apps import apps
from django.contrib import admin

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_project_model_is_registered():
    for app_label in ("accounts", "providers", "geo", "stewardship"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.auto_created:
                continue
            assert admin.site.is_registered(model), model.__name__


def test_admin_pages_load_and_use_local_leaflet(client):
    admin_user = User.objects.create_superuser("root-admin", "root@example.org", factories.TEST_PASSWORD)
    client.force_login(admin_user)
    loc = factories.location()
    for model in ("organization", "service", "location", "servicearea", "victimassistancespecialist", "needterm"):
        assert client.get(f"/admin/providers/{model}/").status_code == 200
        assert client.get(f"/admin/providers/{model}/add/").status_code == 200
    page = client.get(f"/admin/providers/location/{loc.pk}/change/").content.decode()
    assert 'class="location-map"' in page and f'data-lat="{loc.latitude}"' in page
    assert "/static/leaflet/leaflet.js" in page and "/static/providers/admin_location_map.js" in page
    html = client.get("/admin/providers/servicearea/add/").content.decode()
    assert "/static/leaflet/leaflet.js" in html and "unpkg" not in html and "cdn" not in html


def test_admin_edits_of_a_listing_are_in_its_history(client):
    from providers.models import ListingChange

    admin_user = User.objects.create_superuser("root-admin", "root@example.org", factories.TEST_PASSWORD)
    client.force_login(admin_user)
    org = factories.organization(name="Before Name")

    response = client.post(
        f"/admin/providers/organization/{org.pk}/change/",
        {
            "name": "After Name", "alternate_name": "", "description": org.description, "email": "", "website": "",
            "phones-TOTAL_FORMS": "0", "phones-INITIAL_FORMS": "0",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    change = ListingChange.objects.get(organization=org)
    assert (change.field, change.before, change.after, change.source) == ("name", "Before Name", "After Name", "admin")
    assert change.changed_by == admin_user


def test_the_admin_edits_the_spanish_forms_with_history(client):
    from providers.models import ListingChange

    admin_user = User.objects.create_superuser("root-es", "root-es@example.org", factories.TEST_PASSWORD)
    client.force_login(admin_user)
    org = factories.organization(name="Before Name")

    response = client.post(
        f"/admin/providers/organization/{org.pk}/change/",
        {
            "name": "Before Name", "alternate_name": "", "description": org.description, "email": "", "website": "",
            "name_es": "Nombre en español", "alternate_name_es": "", "description_es": "",
            "phones-TOTAL_FORMS": "0", "phones-INITIAL_FORMS": "0",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.name == "Before Name" and org.i18n["name_es"] == "Nombre en español"
    assert ListingChange.objects.get(field="name_es").after == "Nombre en español"

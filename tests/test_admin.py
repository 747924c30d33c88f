"""The Django admin has every model, and its pages load (map widgets included) for an admin."""

import pytest
from django.apps import apps
from django.contrib import admin

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_project_model_is_registered():
    for app_label in ("accounts", "providers", "geo"):
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


def test_a_vocabulary_edit_in_the_admin_is_not_cut_short_by_the_web_servers_statement_limit(client, monkeypatch):
    """Saving a need re-derives every service that uses it (a whole rebuild past 5,000): not under the limit."""
    from django.db import connection

    from providers.models import NeedTerm

    admin_user = User.objects.create_superuser("root-admin", "root@example.org", factories.TEST_PASSWORD)
    client.force_login(admin_user)
    need = NeedTerm.objects.get(code="t-visa")
    seen = []
    saving = NeedTerm.save

    def save(self, *args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        saving(self, *args, **kwargs)

    monkeypatch.setattr(NeedTerm, "save", save)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '30s'")  # as the web server's connections start
    response = client.post(
        f"/admin/providers/needterm/{need.pk}/change/",
        {"code": need.code, "name": need.name, "parent": need.parent_id or "", "sort_order": need.sort_order,
         "description": need.description, "search_words": need.search_words + " visado"},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    assert seen == ["0"]  # SET LOCAL: the admin's transaction only (here inside the test's, so not checked after)

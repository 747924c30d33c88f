"""Listing text in Spanish (providers.translations): providers give it by the English field's rule (an alert at once,
a description by review); readers get their language (?lang=, Accept-Language), the other one when theirs has none,
marked; the API's lists and details, the listing page, the printed sheet and keyword search all read it; at a
confidential site the Spanish texts are withheld as the English ones are, and a moderator can mark them safe."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from providers import registry
from providers.models import ChangeRequest, HoursException, ListingChange, Service
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(provider_org):
    site = factories.location(provider_org, name="Main office", description="Second floor, blue door.",
                              i18n={"description_es": "Segundo piso, puerta azul."})  # fmt: skip
    provider_org.i18n = {"name_es": "Organización Propia"}
    provider_org.save()
    service = factories.service(
        provider_org, name="Legal Clinic", needs=("immigration-legal",), description="Help with T visas.",
        eligibility_description="Adults 18 and over.", application_process="Call first.",
    )  # fmt: skip
    service.i18n = {"name_es": "Clínica Legal", "description_es": "Ayuda con visas T y tramites de inmigracion."}
    service.save()
    factories.offer(service, site)
    factories.schedule(site, 1, time(9), time(17), description="Walk-ins", i18n={"description_es": "Sin cita"})
    return {"site": site, "service": service}


def test_a_spanish_reader_gets_the_spanish_text_and_the_english_where_there_is_none_marked(api, listing):
    url = f"/api/services/{listing['service'].pk}/"
    spanish = api.get(url, {"lang": "es"}).json()
    by_header = api.get(url, HTTP_ACCEPT_LANGUAGE="es").json()
    english = api.get(url).json()

    assert spanish["name"] == "Clínica Legal" and spanish["description"].startswith("Ayuda con visas T")
    assert spanish["eligibility_description"] == "Adults 18 and over."  # no Spanish form: the English one, marked
    assert spanish["text_languages"] == {"eligibility_description": "en", "application_process": "en"}
    assert by_header == spanish
    assert english["name"] == "Legal Clinic" and english["description"] == "Help with T visas."
    assert english["text_languages"] == {}
    assert spanish["organization"]["name"] == "Organización Propia"


def test_an_english_reader_gets_the_spanish_text_where_there_is_no_english_marked(api, provider_org):
    service = factories.service(provider_org, name="Refugio", description="")
    service.i18n = {"description_es": "Solo en español."}
    service.save()

    shown = api.get(f"/api/services/{service.pk}/", {"lang": "en"}).json()

    assert shown["description"] == "Solo en español." and shown["text_languages"] == {"description": "es"}


def test_the_lists_show_what_the_details_show(api, listing):
    site = listing["site"]
    services = api.get("/api/services/", {"organization": str(site.organization_id), "lang": "es"}).json()
    detail = api.get(f"/api/services/{listing['service'].pk}/", {"lang": "es"}).json()
    locations = api.get("/api/locations/", {"organization": str(site.organization_id), "lang": "es"}).json()
    location = api.get(f"/api/locations/{site.pk}/", {"lang": "es"}).json()

    assert services["results"][0] == detail
    shown = locations["features"][0]["properties"]
    assert shown == location["properties"]
    assert shown["description"] == "Segundo piso, puerta azul." and shown["text_languages"] == {}
    assert shown["schedules"][0]["description"] == "Sin cita"
    assert shown["services"][0]["name"] == "Clínica Legal" and shown["organization"]["name"] == "Organización Propia"


def test_an_alert_in_spanish_applies_at_once_and_a_description_goes_to_review(client_for, listing):
    service = listing["service"]
    url = f"/api/services/{service.pk}/"

    alert = client_for("provider").patch(url, {"alert_es": "Sin admisiones esta semana"}, format="json")
    described = client_for("provider").patch(url, {"description_es": "Nueva descripción"}, format="json")

    assert alert.status_code == 200, alert.content
    service.refresh_from_db()
    assert service.i18n["alert_es"] == "Sin admisiones esta semana"
    assert ListingChange.objects.get(field="alert_es").after == "Sin admisiones esta semana"
    assert described.status_code == 202, described.content
    assert service.i18n["description_es"].startswith("Ayuda con visas T")  # not yet
    change = ChangeRequest.objects.get()
    assert change.changes == {"description_es": {"old": service.i18n["description_es"], "new": "Nueva descripción"}}
    approved = client_for("moderator").post(f"/api/change-requests/{change.pk}/approve/", {"reason": "Checked"})
    assert approved.status_code == 200
    service.refresh_from_db()
    assert service.i18n["description_es"] == "Nueva descripción" and service.description == "Help with T visas."


def test_an_empty_spanish_text_removes_it(client_for, listing):
    service = listing["service"]
    client_for("provider").patch(f"/api/services/{service.pk}/", {"alert_es": "Cerrado hoy"}, format="json")
    removed = client_for("provider").patch(f"/api/services/{service.pk}/", {"alert_es": ""}, format="json")

    assert removed.status_code == 200 and removed.json()["applied"] == {"alert_es": ""}
    service.refresh_from_db()
    assert "alert_es" not in service.i18n


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name_es": "x" * 256}, "name_es"),
        ({"alert_es": ["nested"]}, "alert_es"),
        ({"alert_es": {"deep": {"er": 1}}}, "alert_es"),
    ],
)
def test_bad_spanish_text_is_a_400_naming_the_field(client_for, listing, body, field):
    response = client_for("provider").patch(f"/api/services/{listing['service'].pk}/", body, format="json")

    assert response.status_code == 400 and list(response.json()) == [field], response.content
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("value, message", [(["a"], "Must be text."), ("x" * 256, "no more than 255 characters")])
def test_the_registry_refuses_bad_spanish_text_whoever_writes(listing, value, message):
    service = listing["service"]
    for write in (registry.check_values, registry.write_values):
        with pytest.raises(ValidationError) as refused:
            write(service, {"name_es": value})
        assert list(refused.value.message_dict) == ["name_es"] and message in refused.value.messages[0]
    service.refresh_from_db()
    assert service.i18n["name_es"] == "Clínica Legal"


def test_an_english_text_changed_without_its_spanish_takes_the_old_spanish_with_it(api, client_for, listing):
    service = listing["service"]
    url = f"/api/services/{service.pk}/"
    client_for("provider").patch(url, {"alert": "Closed Monday", "alert_es": "Cerrado el lunes"}, format="json")
    cleared = client_for("provider").patch(url, {"alert": ""}, format="json")

    assert cleared.json()["applied"] == {"alert": "", "alert_es": ""}
    assert api.get(url, {"lang": "es"}).json()["alert"] == ""
    assert ListingChange.objects.filter(field="alert_es").latest("changed_at").after == ""
    client_for("provider").patch(url, {"description": "Help with T and U visas."}, format="json")
    assert ChangeRequest.objects.get().changes["description_es"]["new"] == ""  # reviewed with the English


def test_the_map_list_names_the_services_in_the_readers_language_by_either_path(api, listing):
    org = str(listing["site"].organization_id)
    for extra in ({}, {"population": "adults"}):  # the prepared statement, and the ORM for what it does not answer
        shown = api.get("/api/locations/map/", {"organization": org, "lang": "es", **extra}).json()
        properties = shown["features"][0]["properties"]
        assert properties["organization"]["name"] == "Organización Propia", extra
        assert [s["name"] for s in properties["services"]] == ["Clínica Legal"], extra


def test_a_spanish_text_naming_the_street_its_own_way_is_withheld_at_a_confidential_site(api, listing):
    site, service = listing["site"], listing["service"]
    site.is_confidential = True
    registry.record_save(site)
    factories.address(site, address_1="1234 Elm Street", city="Houston", state_province="TX", postal_code="77002")
    service.i18n = {**service.i18n, "alert_es": "Venga a la calle Elm 1234 por la puerta trasera."}
    service.save()

    shown = api.get(f"/api/services/{service.pk}/", {"lang": "es"}).json()

    assert shown["alert"] == "" and "alert" in shown["withheld"]


def test_hours_notes_in_spanish_are_kept_and_shown(client_for, api, listing):
    site = listing["site"]
    ahead = (timezone.localdate() + timedelta(days=3)).isoformat()
    hours = client_for("provider").put(
        f"/api/locations/{site.pk}/schedules/",
        [{"weekday": 2, "opens_at": "09:00", "closes_at": "12:00", "description": "Mornings",
          "description_es": "Mañanas"}], format="json",
    )  # fmt: skip
    dates = client_for("provider").put(
        f"/api/locations/{site.pk}/hours-exceptions/",
        [{"starts_on": ahead, "ends_on": ahead, "note": "Staff training", "note_es": "Capacitación"}], format="json",
    )  # fmt: skip

    assert hours.status_code == 200 and hours.json()[0]["description_es"] == "Mañanas"
    assert dates.status_code == 200 and dates.json()[0]["note_es"] == "Capacitación"
    shown = api.get(f"/api/locations/{site.pk}/", {"lang": "es"}).json()["properties"]
    assert [p["description"] for p in shown["schedules"]] == ["Mañanas"]
    assert shown["hours_exceptions"][0]["note"] == "Capacitación"
    assert HoursException.objects.get().i18n == {"note_es": "Capacitación"}


def test_the_listing_page_is_in_the_readers_language_with_the_other_marked(listing):
    html = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/listings/{listing['site'].pk}/").content.decode()

    assert "<h1>Organización Propia</h1>" in html and "Clínica Legal" in html
    assert "Segundo piso, puerta azul." in html and "Sin cita" in html
    assert '<span lang="en">Adults 18 and over.</span> <small class="text-language">(en inglés)</small>' in html
    english = Client().get(f"/listings/{listing['site'].pk}/").content.decode()
    assert "Legal Clinic" in english and "Clínica Legal" not in english and "text-language" not in english


def test_the_printed_sheet_names_the_services_in_the_readers_language(listing):
    offer = listing["service"].service_at_locations.get()
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get("/print/", {"offers": str(offer.pk)}).content.decode()
    english = Client().get("/print/", {"offers": str(offer.pk)}).content.decode()

    assert "Organización Propia: Clínica Legal" in spanish
    assert "Own Shelter Org: Legal Clinic" in english


def test_keyword_search_finds_a_listing_by_its_spanish_text_after_an_edit(api, client_for, listing, provider_org):
    assert [s["id"] for s in api.get("/api/services/", {"q": "tramites inmigracion"}).json()["results"]] == [
        str(listing["service"].pk)
    ]
    other = factories.service(provider_org, name="Food Pantry", needs=("food",))
    factories.offer(other, listing["site"])
    assert api.get("/api/services/", {"q": "despensa"}).json()["results"] == []

    Service.objects.filter(pk=other.pk).update(
        i18n={"name_es": "Despensa de alimentos"}
    )  # any write: the index follows

    assert [s["id"] for s in api.get("/api/services/", {"q": "despensa"}).json()["results"]] == [str(other.pk)]


def test_a_confidential_sites_spanish_texts_are_withheld_until_a_moderator_marks_them_safe(api, client_for, listing):
    site = listing["site"]
    site.is_confidential = True
    registry.record_save(site)  # (drawing its generalized point)
    url = f"/api/locations/{site.pk}/"
    assert api.get(url, {"lang": "es"}).json()["properties"]["description"] == ""

    texts = client_for("moderator").get(f"{url}texts/").json()
    spanish = next(t for t in texts if t["field"] == "location.description_es")
    assert spanish["text"] == "Segundo piso, puerta azul." and spanish["withheld"]
    marked = client_for("moderator").post(f"{url}texts/", {"safe": [spanish["sha256"]], "unsafe": []}, format="json")

    assert marked.status_code == 200, marked.content
    shown = api.get(url, {"lang": "es"}).json()["properties"]
    assert shown["description"] == "Segundo piso, puerta azul."
    english = api.get(url).json()["properties"]  # the English text is not marked safe: the Spanish one, marked
    assert english["description"] == "Segundo piso, puerta azul." and english["text_languages"] == {"description": "es"}


def test_match_results_name_the_services_in_the_readers_language(api, listing):
    asked = {"near": "29.76,-95.37", "needs": "immigration-legal"}
    spanish = api.get("/api/match/", {**asked, "lang": "es"}).json()
    english = api.get("/api/match/", asked).json()

    assert [(r["organization"]["name"], r["service"]["name"]) for r in spanish["results"]] == [
        ("Organización Propia", "Clínica Legal")
    ]
    assert [(r["organization"]["name"], r["service"]["name"]) for r in english["results"]] == [
        ("Own Shelter Org", "Legal Clinic")
    ]


def test_providers_give_spanish_text_on_the_portal_by_the_same_rules(personas, listing):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(personas["provider"])
    service = listing["service"]
    page = client.get("/portal/").content.decode()
    assert 'name="description_es" rows="3" lang="es">Ayuda con visas T y tramites de inmigracion.</textarea>' in page
    assert "Descripción, en español" in page

    client.post(f"/portal/edit/service/{service.pk}/", {"alert_es": "Cerrado el lunes", "name_es": "Clínica Jurídica"})
    ahead = (timezone.localdate() + timedelta(days=4)).isoformat()
    client.post(f"/portal/dates/{listing['site'].pk}/", {"starts_on": ahead, "note": "Moving", "note_es": "Mudanza"})

    service.refresh_from_db()
    assert service.i18n["alert_es"] == "Cerrado el lunes" and service.i18n["name_es"] == "Clínica Legal"
    assert ChangeRequest.objects.get().changes == {"name_es": {"old": "Clínica Legal", "new": "Clínica Jurídica"}}
    assert HoursException.objects.get().i18n == {"note_es": "Mudanza"}
    assert '<span lang="es">Mudanza</span>' in client.get("/portal/").content.decode()


def test_a_spanish_text_given_after_a_request_that_removes_it_is_kept_at_approval(client_for, listing):
    service = listing["service"]
    url = f"/api/services/{service.pk}/"
    client_for("provider").patch(url, {"description": "Help with T and U visas."}, format="json")
    client_for("provider").patch(url, {"description_es": "Ayuda con visas T y U."}, format="json")
    first, second = ChangeRequest.objects.order_by("pk")

    for request in (second, first):  # the Spanish for the new text first, then the English change
        approved = client_for("moderator").post(f"/api/change-requests/{request.pk}/approve/", {"reason": "ok"})
        assert approved.status_code == 200, approved.content

    service.refresh_from_db()
    assert (
        service.description == "Help with T and U visas." and service.i18n["description_es"] == "Ayuda con visas T y U."
    )


def test_an_english_alert_changed_on_the_portal_takes_the_spanish_box_left_as_it_was(personas, listing):
    client = Client()
    client.force_login(personas["provider"])
    service = listing["service"]
    service.alert, service.i18n = "Closed Monday", {**service.i18n, "alert_es": "Cerrado el lunes"}
    service.save()

    client.post(f"/portal/edit/service/{service.pk}/", {"alert": "", "alert_es": "Cerrado el lunes"})
    client.post(f"/portal/edit/service/{service.pk}/", {"alert": "Open late Friday", "alert_es": "Abierto el viernes"})

    service.refresh_from_db()
    assert service.alert == "Open late Friday" and service.i18n["alert_es"] == "Abierto el viernes"
    assert list(ListingChange.objects.filter(field="alert_es").order_by("pk").values_list("after", flat=True)) == [
        "", "Abierto el viernes"
    ]  # fmt: skip


def test_a_withheld_spanish_text_falls_back_to_an_english_one_marked_safe(api, client_for, listing):
    site = listing["site"]
    site.is_confidential = True
    registry.record_save(site)
    url = f"/api/locations/{site.pk}/"
    english = next(
        t for t in client_for("moderator").get(f"{url}texts/").json() if t["field"] == "location.description"
    )
    client_for("moderator").post(f"{url}texts/", {"safe": [english["sha256"]], "unsafe": []}, format="json")

    shown = api.get(url, {"lang": "es"}).json()["properties"]

    assert shown["description"] == "Second floor, blue door." and shown["text_languages"] == {"description": "en"}

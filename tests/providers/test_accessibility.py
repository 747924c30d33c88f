"""A site's accessibility (providers.accessibility): known codes only, whoever writes them; shown in the API and the
listing page in the reader's language, its details withheld at a confidential site as its other free text; the
filters of the lists, the map's list and matching keep the sites offering every feature asked (matching through
its index, which follows any write); providers set them at once through the API and the portal, the details by
review; HSDS records name them by code or in words."""

import pytest
from django.db import IntegrityError, connection, transaction

from hsds.accessibility import read
from providers.accessibility import features_named
from providers.models import ChangeRequest, Location
from tests import factories

pytestmark = pytest.mark.django_db
NEAR = "29.76,-95.37"


@pytest.fixture
def sites(provider_org):
    """Three shelters in Houston: one with a ramp and ASL, one with a ramp only, one with nothing listed."""
    made = {}
    for name, features, km in (("Ramp And ASL", ["wheelchair", "sign-language"], 0.01),
                                ("Ramp Only", ["wheelchair"], 0.02), ("Nothing Listed", [], 0.03)):  # fmt: skip
        location = factories.location(provider_org, name=name, latitude=29.76 + km, longitude=-95.37,
                                      accessibility=features)  # fmt: skip
        factories.offer(factories.service(provider_org, name=f"{name} Shelter", needs=("emergency-shelter",)), location)
        made[name] = location
    return made


@pytest.mark.parametrize(
    "text, codes",
    [
        ("Wheelchair ramp at the side door; ASL by appointment", ["wheelchair", "sign-language"]),
        ("Accessible restrooms and an elevator to the 2nd floor", ["elevator", "accessible-restroom"]),
        ("Guide dogs welcome. Spoken-language interpreters on site", ["interpreters-on-site", "service-animals"]),
        ("Entrada accesible para sillas de ruedas; lengua de señas", ["wheelchair", "sign-language"]),
        ("Handicapped parking in front, hearing loop at reception, materials in Braille",
         ["accessible-parking", "hearing-loop", "large-print-braille"]),
        # What must not read as a feature: a denial, a place name, a restroom for a wheelchair, ASL interpreters.
        ("Not wheelchair accessible. No elevator; sin ascensor", []),
        ("Nevada Ave parking, Granada St", []),
        ("Wheelchair accessible restroom on the 2nd floor", ["accessible-restroom"]),
        ("ASL interpreter on call; interpretation by phone", ["sign-language"]),
        ("Third floor walk-up", []),
    ],
)  # fmt: skip
def test_words_of_hsds_records_name_the_features(text, codes):
    assert features_named(text) == codes


def test_only_known_codes_are_stored_whoever_writes_them(sites):
    site = sites["Ramp Only"]
    with pytest.raises(IntegrityError, match="location_accessibility_known"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE providers_location SET accessibility = '{wheelchair,teleport}' WHERE id = %s",
                           [site.pk])  # fmt: skip


def test_the_api_lists_the_features_in_the_readers_language(api):
    english = api.get("/api/accessibility/").json()
    spanish = api.get("/api/accessibility/", HTTP_ACCEPT_LANGUAGE="es").json()

    assert english[0] == {"code": "wheelchair", "label": "Wheelchair accessible entrance"}
    assert spanish[0] == {"code": "wheelchair", "label": "Entrada accesible para sillas de ruedas"}
    assert [f["code"] for f in english] == [f["code"] for f in spanish] and len(english) == 9


def test_a_sites_features_are_shown_and_its_details_withheld_where_its_other_text_is(provider_org, client_for):
    shelter = factories.location(provider_org, name="Safe House", is_confidential=True,
                                 accessibility=["sign-language", "wheelchair"],
                                 accessibility_details="Ramp on Quiet Elm St")  # fmt: skip
    public = client_for(None).get(f"/api/locations/{shelter.pk}/").json()["properties"]
    own = client_for("provider").get(f"/api/locations/{shelter.pk}/").json()["properties"]

    assert [f["code"] for f in public["accessibility"]] == ["wheelchair", "sign-language"]  # the list's order
    assert public["accessibility_details"] == "" and own["accessibility_details"] == "Ramp on Quiet Elm St"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    features = body["features"] if "features" in body else body["results"]["features"]
    return sorted(f["properties"]["name"] for f in features)


@pytest.mark.parametrize("path", ["/api/locations/", "/api/locations/map/"])
def test_the_site_lists_keep_sites_offering_every_feature_asked(api, sites, path):
    assert names(api.get(path, {"accessibility": "wheelchair"})) == ["Ramp And ASL", "Ramp Only"]
    assert names(api.get(path, {"accessibility": "wheelchair,sign-language", "near": NEAR})) == ["Ramp And ASL"]
    assert names(api.get(path, {"accessibility": ["sign-language", "wheelchair"], "q": "shelter"})) == ["Ramp And ASL"]
    assert len(names(api.get(path))) == 3


def service_names(api, **params) -> list[str]:
    response = api.get("/api/services/", params)
    assert response.status_code == 200, response.content
    return sorted(s["name"] for s in response.json()["results"])


def test_services_are_kept_by_the_sites_they_are_offered_at(api, sites, provider_org):
    assert service_names(api, accessibility="sign-language") == ["Ramp And ASL Shelter"]
    # Offered near the place at a site without a ramp, and far away at one with: not for someone near who needs it.
    clinic = factories.service(provider_org, name="Split Clinic", needs=("medical",))
    factories.offer(clinic, factories.location(provider_org, name="Near, no ramp", latitude=29.761, longitude=-95.37))
    factories.offer(clinic, factories.location(provider_org, name="Far, ramp", latitude=32.78, longitude=-96.80,
                                               accessibility=["wheelchair"]))  # fmt: skip
    assert "Split Clinic" in service_names(api, accessibility="wheelchair")
    assert "Split Clinic" in service_names(api, near=NEAR)
    assert "Split Clinic" not in service_names(api, near=NEAR, accessibility="wheelchair")
    assert "Split Clinic" not in service_names(api, bbox="-95.5,29.6,-95.2,29.9", accessibility="wheelchair")
    assert service_names(api, near=NEAR, accessibility="wheelchair") == ["Ramp And ASL Shelter", "Ramp Only Shelter"]


@pytest.mark.parametrize("path", ["/api/locations/", "/api/locations/map/", "/api/services/", "/api/match/"])
def test_an_unknown_feature_is_a_400_naming_the_field(api, path):
    response = api.get(path, {"accessibility": "wheelchair,teleport", "near": NEAR, "needs": "emergency-shelter"})
    assert response.status_code == 400
    assert "teleport" in str(response.json()["accessibility"])


def matched(api, **filters) -> list[str]:
    body = {"near": NEAR, "needs": ["emergency-shelter"], "accepting_referrals": False, **filters}
    response = api.post("/api/match/", body, format="json")
    assert response.status_code == 200, response.content
    return sorted(option["location"]["name"] for option in response.json()["results"])


def test_matching_keeps_sites_offering_every_feature_and_follows_a_raw_sql_write(api, sites):
    assert matched(api, accessibility=["wheelchair"]) == ["Ramp And ASL", "Ramp Only"]
    assert matched(api, accessibility=["wheelchair", "sign-language"]) == ["Ramp And ASL"]
    assert len(matched(api)) == 3
    with connection.cursor() as cursor:  # the match index follows whatever writes the site
        cursor.execute("UPDATE providers_location SET accessibility = '{wheelchair,sign-language}' WHERE id = %s",
                       [sites["Nothing Listed"].pk])  # fmt: skip
    assert matched(api, accessibility=["sign-language", "wheelchair"]) == ["Nothing Listed", "Ramp And ASL"]
    get = api.get("/api/match/", {"near": NEAR, "needs": "emergency-shelter", "accessibility": "sign-language"})
    assert sorted(o["location"]["name"] for o in get.json()["results"]) == ["Nothing Listed", "Ramp And ASL"]


def test_providers_set_features_at_once_and_details_by_review(client_for, sites):
    site = sites["Nothing Listed"]
    provider = client_for("provider")

    both = {"accessibility": ["sign-language", "wheelchair", "wheelchair"]}
    applied = provider.patch(f"/api/locations/{site.pk}/", both, format="json")
    reviewed = provider.patch(f"/api/locations/{site.pk}/", {"accessibility_details": "Ramp at the side door"},
                              format="json")  # fmt: skip
    refused = provider.patch(f"/api/locations/{site.pk}/", {"accessibility": ["teleport"]}, format="json")
    other = client_for("other_provider").patch(f"/api/locations/{site.pk}/", {"accessibility": []}, format="json")

    assert applied.status_code == 200, applied.content
    site.refresh_from_db()
    assert sorted(site.accessibility) == ["sign-language", "wheelchair"]  # once each (shown in the list's order)
    assert reviewed.status_code == 202 and site.accessibility_details == ""
    changes = ChangeRequest.objects.get(status="pending").changes
    assert changes == {"accessibility_details": {"old": "", "new": "Ramp at the side door"}}
    assert refused.status_code == 400 and "accessibility" in refused.json()
    assert other.status_code == 403


def test_bad_edits_are_one_400_naming_the_field_and_a_textareas_line_breaks_no_change(client_for, client,
                                                                                       personas, sites):  # fmt: skip
    site = sites["Nothing Listed"]
    provider = client_for("provider")
    many = provider.patch(f"/api/locations/{site.pk}/", {"accessibility": ["teleport"] * 10_000}, format="json")
    shaped = provider.patch(f"/api/locations/{site.pk}/", {"accessibility": {"wheelchair": True}}, format="json")
    long = provider.patch(f"/api/locations/{site.pk}/", {"accessibility_details": "x" * 1001}, format="json")
    assert (many.status_code, shaped.status_code, long.status_code) == (400, 400, 400)
    assert many.json() == {"accessibility": ["Ensure this field has no more than 9 elements."]}
    assert "accessibility" in shaped.json() and "accessibility_details" in long.json()

    Location.objects.filter(pk=site.pk).update(accessibility_details="Ramp\nat the side")
    client.force_login(personas["provider"])
    client.post(f"/portal/accessibility/{site.pk}/", {"accessibility_details": "Ramp\r\nat the side"})
    client.post(f"/portal/accessibility/{site.pk}/", {"accessibility_details": "y" * 5000})
    assert not ChangeRequest.objects.exists()


def test_the_portal_ticks_features_and_the_listing_page_shows_them(client, personas, sites):
    client.force_login(personas["provider"])
    site = sites["Nothing Listed"]
    assert "Service animals welcome" in client.get("/portal/").content.decode()

    response = client.post(f"/portal/accessibility/{site.pk}/", {"accessibility": ["service-animals", "elevator"],
                                                                 "accessibility_details": ""})  # fmt: skip
    bad = client.post(f"/portal/accessibility/{site.pk}/", {"accessibility": ["teleport"]})

    assert response.status_code == 302 and bad.status_code == 302
    assert sorted(Location.objects.get(pk=site.pk).accessibility) == ["elevator", "service-animals"]
    client.logout()
    english = client.get(f"/listings/{site.pk}/").content.decode()
    client.cookies["django_language"] = "es"
    spanish = client.get(f"/listings/{site.pk}/").content.decode()
    del client.cookies["django_language"]
    assert "Elevator or step-free access inside" in english and "Service animals welcome" in english
    assert "Se admiten animales de servicio" in spanish
    ramp_only = client.get(f"/listings/{sites['Ramp Only'].pk}/").content.decode()
    assert "Not listed: ask when you call." not in ramp_only and "Wheelchair accessible entrance" in ramp_only


def term(code: str) -> dict:
    return {"taxonomy_term": {"taxonomy": "victim-services-directory-accessibility", "code": code}}


def test_hsds_records_give_codes_by_attribute_only_and_keep_the_words_as_details():
    ours = [
        {"id": "a", "description": "Wheelchair accessible entrance", "attributes": [term("wheelchair")]},
        {"id": "b", "description": "Ramp at the side door; ASL on Fridays"},  # our details: words only
    ]
    theirs = [{"id": "c", "description": "Elevator", "details": "to every floor"},
              {"id": "d", "description": "Braille"}]  # fmt: skip
    unknown = [{"id": "e", "attributes": [term("teleport")]}]

    codes, details, warnings = read(ours)
    assert (codes, details) == (["wheelchair"], "Ramp at the side door; ASL on Fridays")
    assert warnings == ["accessibility details kept as words; they may mean sign-language: features are ticked by "
                        "the provider (the portal or the API), never read from words"]  # fmt: skip
    codes, details, warnings = read(theirs)
    assert (codes, details) == (None, "Elevator to every floor\nBraille")  # the site's ticked features stay
    assert "they may mean elevator, large-print-braille" in warnings[0]
    assert read(unknown) == ([], "", ["unknown accessibility code 'teleport' left out"])
    assert read([]) == (None, "", [])
    codes, details, warnings = read([{"id": "f", "description": "x" * 2000}])
    assert len(details) == 1000 and warnings == ["accessibility details cut to 1000 characters"]

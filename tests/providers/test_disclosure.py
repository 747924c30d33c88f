"""The disclosure policy's rules (providers.disclosure) and moderators' safe marks (/api/locations/{id}/texts/)."""

import pytest

from providers.access import ConfidentialAccess
from providers.disclosure import SiteDisclosure, SiteMarks, text_digest, zip5
from providers.models import ListingChange, Location
from tests import factories

pytestmark = pytest.mark.django_db
PUBLIC, STAFF = ConfidentialAccess(), ConfidentialAccess(all=True)


@pytest.mark.parametrize(
    ("given", "shown"),
    [("77002-6008", "77002"), ("770026008", "77002"), ("77002 6008", "77002"), ("77002", "77002"), ("7700", ""),
     ("", ""), (None, ""), ("A1B 2C3", "")],
)  # fmt: skip
def test_a_generalized_address_keeps_five_digits_of_the_zip_at_most(given, shown):
    assert zip5(given) == shown


@pytest.fixture
def shelter(provider_org):
    site = factories.location(provider_org, is_confidential=True, description="Blue door", transportation="Bus 5")
    factories.address(site, address_1="12 Hidden Lane", address_2="Unit 3", postal_code="77002-6008", region="X")
    factories.phone(location=site, number="+17135550111", description="back office")
    factories.phone(location=site, number="+17135550122", is_front_door=True, description="intake desk")
    return Location.objects.prefetch_related("addresses", "phones").get(pk=site.pk)


def test_what_the_public_and_staff_see_of_a_confidential_site(shelter):
    public, staff = SiteDisclosure.of(shelter, PUBLIC), SiteDisclosure.of(shelter, STAFF)
    address = shelter.addresses.get()
    assert public.address(address) == {
        "address_type": "physical", "city": "Houston", "state_province": "TX", "postal_code": "77002", "country": "US"
    }  # fmt: skip
    assert staff.address(address)["address_1"] == "12 Hidden Lane" and staff.address(address)["postal_code"] == (
        "77002-6008"
    )
    assert public.address_lines(address) == ["Houston, TX 77002"]
    assert [str(p.number) for p in public.phones(shelter.phones.all())] == ["+17135550122"]
    assert public.point == (shelter.public_latitude, shelter.public_longitude) != staff.point
    assert (public.text(shelter.description), staff.text(shelter.description)) == ("", "Blue door")
    shelter.safe_texts = [text_digest("Blue door")]
    assert SiteDisclosure.of(shelter, PUBLIC).text("Blue door") == "Blue door"
    assert SiteDisclosure.of(shelter, PUBLIC).text("Blue door, 2nd floor") == ""  # edited: withheld again


@pytest.mark.parametrize(
    ("text", "withheld"),
    [("Come to 12 Hidden Lane.", True), ("We are on hidden   LANE near the park", True),
     ("Mail: 77002-6008", True), ("Call 713-555-0111 after 6", True), ("Call the front desk 713-555-0122", False),
     ("Legal help for T visas.", False), ("Houston, 77002", False)],
)  # fmt: skip
def test_a_service_text_naming_its_confidential_site_is_withheld_from_the_public(api, shelter, text, withheld):
    service = factories.service(shelter.organization, description=text)
    factories.offer(service, shelter)
    body = api.get(f"/api/services/{service.pk}/").json()
    assert (body["description"], body["withheld"]) == (("", ["description"]) if withheld else (text, []))


def test_a_service_text_naming_the_site_is_shown_to_those_who_see_it(client_for, shelter):
    service = factories.service(shelter.organization, description="Come to 12 Hidden Lane.")
    factories.offer(service, shelter)
    body = client_for("hotline").get(f"/api/services/{service.pk}/").json()
    assert (body["description"], body["withheld"]) == ("Come to 12 Hidden Lane.", [])


@pytest.mark.parametrize(
    ("persona", "status"), [(None, 401), ("hotline", 403), ("specialist", 403), ("provider", 403), ("moderator", 200)]
)
def test_only_moderators_review_a_sites_texts(client_for, shelter, persona, status):
    assert client_for(persona).get(f"/api/locations/{shelter.pk}/texts/").status_code == status
    assert client_for(persona).post(f"/api/locations/{shelter.pk}/texts/", {}, format="json").status_code == status


def test_a_moderator_marks_a_text_safe_and_the_public_sees_it_with_history(api, client_for, shelter, personas):
    moderator = client_for("moderator")
    texts = {t["field"]: t for t in moderator.get(f"/api/locations/{shelter.pk}/texts/").json()}
    assert texts["location.transportation"] == {
        "field": "location.transportation", "text": "Bus 5", "sha256": text_digest("Bus 5"), "safe": False,
        "withheld": True,
    }  # fmt: skip
    assert api.get(f"/api/locations/{shelter.pk}/").json()["properties"]["transportation"] == ""
    response = moderator.post(f"/api/locations/{shelter.pk}/texts/", {"safe": [text_digest("Bus 5")]}, format="json")
    assert response.status_code == 200
    assert api.get(f"/api/locations/{shelter.pk}/").json()["properties"]["transportation"] == "Bus 5"
    change = ListingChange.objects.get(record_id=shelter.pk, field="safe_texts")
    assert change.after == [text_digest("Bus 5")] and change.changed_by == personas["moderator"]
    moderator.post(f"/api/locations/{shelter.pk}/texts/", {"unsafe": [text_digest("Bus 5")]}, format="json")
    assert api.get(f"/api/locations/{shelter.pk}/").json()["properties"]["transportation"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [({"safe": ["0" * 64]}, "safe"), ({"safe": "Bus 5"}, "safe"), ({"unsafe": ["nothex"]}, "unsafe"),
     ({"safe": [text_digest("Bus 5")], "unsafe": [text_digest("Bus 5")]}, "unsafe"), ({"other": []}, "other"),
     ({"safe": [text_digest("Bus 5")] * 501}, "safe")],
)  # fmt: skip
def test_bad_marks_are_refused_naming_the_field_and_change_nothing(client_for, shelter, body, field):
    response = client_for("moderator").post(f"/api/locations/{shelter.pk}/texts/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Location.objects.get(pk=shelter.pk).safe_texts


@pytest.mark.parametrize(
    "street, text, names_it",
    [
        ("1234 Elm St NW", "Venga a la calle Elm 1234", True),
        ("1234 Elm St #5", "1234 N Elm, back door", True),
        ("100 N Elm St", "calle Elm 100", True),
        ("4471 Zyzzyva Hollow Rd", "Zyzzyva Hollow 4471", True),
        ("1 A St", "Abierto de 1 a 5", False),  # a one-letter name says nothing beside a number
        ("10 Main St", "Main office open 10 to 5", False),  # not beside each other
        ("100 E 1st St", "Come to the 1st floor", False),
        ("5 N Main St", "Intake in main building", False),
        ("45 S Park Ave", "kids park nearby", False),
    ],
)
def test_a_street_is_found_by_its_number_beside_its_name_in_either_order(street, text, names_it):
    marks = SiteMarks.from_parts([{"address_1": street, "address_2": "", "postal_code": "77002"}], [], ())

    assert marks.found_in(text) is names_it

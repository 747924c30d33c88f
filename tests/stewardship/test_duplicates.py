"""Organizations that may be one listing twice (stewardship.duplicates): planted twins (renamed, re-punctuated, moved
a few metres, a phone or website written otherwise) are found with their evidence; look-alikes that share nothing
else, neighbours and users of one mail service are not; "not a duplicate" is remembered; the queue is moderators'."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.roles import Role
from stewardship.duplicates import organization_duplicates_find
from stewardship.models import DuplicateCandidate
from stewardship.names import name_key, name_similarity, website_host
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "first, second",
    [("St. Mary's Shelter, Inc.", "Saint Marys Shelter"), ("Houston Legal Aid", "Legal Aid, Houston"),
     ("Centro de Ayuda y Refugio", "Centro de Ayuda & Refugio"),
     ("Tahirih Justice Ctr.", "The Tahirih Justice Center")],
)  # fmt: skip
def test_names_written_otherwise_are_one_name(first, second):
    assert name_similarity(first, second) >= 0.92, (name_key(first), name_key(second))


def test_other_names_and_a_chapter_are_not_one_name():
    assert name_similarity("Houston Legal Aid", "Dallas Food Bank") < 0.6
    assert name_similarity("Catholic Charities", "Catholic Charities Legal Clinic") < 0.92
    assert website_host("HTTPS://www.Example.org/about?x=1") == website_host("example.org") == "example.org"


def organization(name, *, phone=None, at=None, **fields):
    org = factories.organization(name=name, **fields)
    if phone:
        factories.phone(organization=org, number=phone)
    if at:
        factories.location(org, latitude=at[0], longitude=at[1], name=f"{name} site")
    return org


@pytest.fixture
def planted(db):
    """Twins, look-alikes and neighbours around Houston."""
    return {
        "mary": organization("St. Mary's Shelter, Inc.", phone="+17135550101", at=(29.76000, -95.37000)),
        "mary twin": organization("Saint Marys Shelter", phone="+1 (713) 555-0101", at=(29.76005, -95.37004)),
        "aid": organization("Houston Legal Aid", website="https://www.hla-example.org/about"),
        "aid twin": organization("Legal Aid Houston", website="hla-example.org"),
        # Alike names, nothing else in common: only a near-identical name is a candidate on its own.
        "clinic": organization("Northside Health Clinic"),
        "clinic two": organization("Southside Health Clinic"),
        # One building, other names.
        "pantry": organization("Food Pantry of the Heights", at=(29.80000, -95.40000)),
        "justice": organization("Tahirih Justice Center", at=(29.80003, -95.40003)),
        # Alike names, each its own mailbox at one mail service: nothing shared.
        "hope": organization("Hope House Houston", email="hopehouston@gmail.com"),
        "hope two": organization("Hope House Dallas", email="HopeDallas@gmail.com"),
        # The name alone, written otherwise: found by its trigrams.
        "refuge": organization("St. Anne's Refuge, Inc."),
        "refuge twin": organization("Saint Annes Refuge"),
        # One mailbox, names alike: found.
        "casa": organization("Casa Esperanza Houston", email="intake@casa-example.org"),
        "casa twin": organization("Casa Esperanza of Houston", email="Intake@Casa-Example.org"),
        # Same point, one phone: found (0 m apart is near).
        "door": organization("Open Door Mission", phone="+17135550199", at=(29.70000, -95.30000)),
        "door twin": organization("Open Door Outreach", phone="+17135550199", at=(29.70000, -95.30000)),
    }


def pairs(planted) -> dict:
    names = {org.pk: key for key, org in planted.items()}
    return {frozenset((names[c.first_id], names[c.second_id])): c for c in DuplicateCandidate.objects.all()}


def test_planted_twins_are_found_with_their_evidence_and_nothing_else(planted):
    found = organization_duplicates_find()

    kept = pairs(planted)
    assert set(kept) == {frozenset(pair) for pair in (("mary", "mary twin"), ("aid", "aid twin"), ("refuge",
                         "refuge twin"), ("casa", "casa twin"), ("door", "door twin"))}  # fmt: skip
    assert found.kept == 5
    assert kept[frozenset(("casa", "casa twin"))].evidence["email"] == ["intake@casa-example.org"]
    assert kept[frozenset(("door", "door twin"))].evidence["sites_apart_m"] == 0
    mary = kept[frozenset(("mary", "mary twin"))]
    assert mary.evidence["phone"] == ["+17135550101"] and mary.evidence["sites_apart_m"] < 10
    assert mary.evidence["name_similarity"] >= 0.92 and mary.score > 0.9
    aid = kept[frozenset(("aid", "aid twin"))]
    assert aid.evidence["website"] == ["hla-example.org"] and aid.evidence["sites_apart_m"] is None


def test_not_a_duplicate_is_remembered_and_a_pair_no_longer_alike_leaves_the_queue(planted):
    organization_duplicates_find()
    mary = pairs(planted)[frozenset(("mary", "mary twin"))]
    DuplicateCandidate.objects.filter(pk=mary.pk).update(status="not_duplicate")
    aid_twin = planted["aid twin"]
    aid_twin.name, aid_twin.website = "Bayou Food Bank", ""
    aid_twin.save()

    found = organization_duplicates_find()

    assert found.reopened_none == 1 and found.dropped == 1
    statuses = {key: c.status for key, c in pairs(planted).items()}
    assert statuses[frozenset(("mary", "mary twin"))] == "not_duplicate"
    assert frozenset(("aid", "aid twin")) not in statuses and len(statuses) == 4


def test_a_run_for_some_organizations_adds_only_their_pairs_and_keeps_the_others(planted):
    organization_duplicates_find([planted["aid"].pk])
    assert set(pairs(planted)) == {frozenset(("aid", "aid twin"))}
    organization_duplicates_find()
    # Run for one side of each pair: every pair scored again and kept, none dropped for being found from the other.
    again = organization_duplicates_find([planted["aid twin"].pk, planted["refuge twin"].pk])
    assert again.dropped == 0 and len(pairs(planted)) == 5


def test_the_command_finds_them_with_a_progress_bar(planted):
    out, err = io.StringIO(), io.StringIO()
    call_command("find_duplicates", stdout=out, stderr=err)
    assert "5 in the queue" in out.getvalue() and "scoring" in err.getvalue()


@pytest.fixture
def queue(planted):
    organization_duplicates_find()
    return planted


def as_role(role):
    client = APIClient()
    organization = factories.organization(name="Staff Org") if role == Role.PROVIDER else None
    client.force_authenticate(factories.user(role, organization=organization))
    return client


def test_moderators_read_the_queue_side_by_side_and_say_not_a_duplicate_once(queue):
    moderator = as_role(Role.MODERATOR)
    body = moderator.get("/api/duplicates/").json()
    first = body["results"][0]
    assert body["count"] == 5 and first["score"] >= body["results"][1]["score"]
    mary = next(r for r in body["results"] if "+17135550101" in r["evidence"].get("phone", []))
    sides = {mary["first"]["name"], mary["second"]["name"]}
    assert sides == {"St. Mary's Shelter, Inc.", "Saint Marys Shelter"}
    assert mary["first"]["phones"] == ["+17135550101"] and len(mary["first"]["sites"]) == 1

    said = moderator.post(f"/api/duplicates/{mary['id']}/not-a-duplicate/")
    again = moderator.post(f"/api/duplicates/{mary['id']}/not-a-duplicate/")
    assert said.status_code == 200 and said.json()["status"] == "not_duplicate" and again.status_code == 409
    assert moderator.get("/api/duplicates/").json()["count"] == 4
    assert moderator.get("/api/duplicates/", {"status": "not_duplicate"}).json()["count"] == 1
    assert moderator.get("/api/duplicates/", {"status": "maybe"}).status_code == 400
    assert moderator.post("/api/duplicates/00000000-0000-0000-0000-000000000000/not-a-duplicate/").status_code == 404
    assert moderator.get("/api/duplicates/not-a-uuid/").status_code == 404
    assert moderator.get("/api/").json().get("organizations")  # the registry's API root, not the queue's


@pytest.mark.parametrize("role", [Role.HOTLINE, Role.SPECIALIST, Role.PROVIDER])
def test_only_moderators_see_the_queue(queue, role, api):
    assert as_role(role).get("/api/duplicates/").status_code == 403
    assert api.get("/api/duplicates/").status_code in (401, 403)


def test_one_name_in_two_states_is_two_listings_and_in_one_state_a_candidate(db):
    houston = organization("Bridge Of Hope", at=(29.76, -95.37))
    factories.address(houston.locations.get(), city="Houston", state_province="TX", postal_code="77002")
    boston = organization("Bridge of Hope", at=(42.36, -71.06))
    factories.address(boston.locations.get(), city="Boston", state_province="MA", postal_code="02108")
    assert organization_duplicates_find().kept == 0
    dallas = organization("Bridge of Hope, Inc.", at=(32.78, -96.80))
    factories.address(dallas.locations.get(), city="Dallas", state_province="TX", postal_code="75201")
    organization_duplicates_find()
    ((first, second),) = DuplicateCandidate.objects.values_list("first_id", "second_id")
    assert {first, second} == {houston.pk, dallas.pk}


def application(name, state, **organization):
    from providers.models import Application

    details = {"organization": {"name": name, "description": "x", **organization},
               "locations": [{"name": "Main", "address": {"address_1": "1 Main St", "city": "Somewhere",
                                                          "state_province": state, "postal_code": "77002"}}],
               "services": []}  # fmt: skip
    return Application.objects.create(organization_name=name, contact_name="A", contact_email="a@example.org",
                                      details=details)  # fmt: skip


def test_an_application_that_looks_like_a_listing_is_shown_before_approval(db):
    here = organization("Saint Marys Shelter", at=(29.76, -95.37), website="https://stmarys-example.org")
    factories.address(here.locations.get(), state_province="TX")
    elsewhere = organization("Saint Marys Shelter", at=(42.36, -71.06))
    factories.address(elsewhere.locations.get(), state_province="MA")
    twin = application("St. Mary's Shelter, Inc.", "TX")
    alike = application("St Marys Shelter Houston", "TX", website="http://www.stmarys-example.org/apply")
    application("Brand New Refuge", "TX")

    body = as_role(Role.MODERATOR).get("/api/duplicates/applications/").json()

    assert [a["application_id"] for a in body] == [twin.pk, alike.pk]
    assert [m["organization_id"] for m in body[0]["looks_like"]] == [str(here.pk)]  # not the one in another state
    assert body[1]["looks_like"][0]["website"] == "stmarys-example.org"
    assert as_role(Role.HOTLINE).get("/api/duplicates/applications/").status_code == 403


def test_a_located_and_an_unlocated_twin_are_found_from_either_side_and_in_small_chunks(db, monkeypatch):
    from stewardship import duplicates, names

    monkeypatch.setattr(duplicates, "NAMES_AT_ONCE", 1)  # every row of the matrix its own chunk
    monkeypatch.setattr(names, "SMALL", 0)  # a matrix however few the names
    located = organization("Bridge Of Hope", at=(29.76, -95.37))
    factories.address(located.locations.get(), state_province="tx")  # as an admin might type it
    unlocated = organization("Bridge of Hope, Inc.")
    other = organization("Bridge of Hope", at=(32.78, -96.80))
    factories.address(other.locations.get(), state_province="TX")
    for scope in ([located.pk], [str(unlocated.pk).upper()]):
        DuplicateCandidate.objects.all().delete()
        organization_duplicates_find(scope)
        pairs_found = {frozenset((c.first_id, c.second_id)) for c in DuplicateCandidate.objects.all()}
        assert frozenset((located.pk, unlocated.pk)) in pairs_found, scope


def test_an_application_in_another_script_or_of_any_shape_looks_like_nothing(db):
    from providers.models import Application

    organization("Hope House", at=(29.76, -95.37))  # no alternate name: no empty name to be alike
    application("Центр помощи", "TX")
    Application.objects.create(organization_name="Broken", contact_name="A", contact_email="a@example.org",
                               details={"organization": "x", "locations": ["TX", {"address": None}]})  # fmt: skip
    response = as_role(Role.MODERATOR).get("/api/duplicates/applications/")
    assert response.status_code == 200 and response.json() == []


def test_the_moderation_page_shows_pairs_and_lookalike_applications_and_says_not_a_duplicate(queue, client):
    moderator = factories.user(Role.MODERATOR)
    client.force_login(moderator)
    application("Saint Marys Shelter", "TX")

    page = client.get("/moderation/").content.decode()

    assert "Possible duplicates" in page and "Saint Marys Shelter" in page and "same phone +17135550101" in page
    assert "Looks like a listing already here:" in page
    pair = DuplicateCandidate.objects.get(evidence__phone=["+17135550101"])
    response = client.post(f"/moderation/duplicates/{pair.pk}/not-a-duplicate/")
    again = client.post(f"/moderation/duplicates/{pair.pk}/not-a-duplicate/")
    assert response.status_code == again.status_code == 302
    pair.refresh_from_db()
    assert pair.status == "not_duplicate" and pair.decided_by == moderator
    client.force_login(factories.user(Role.HOTLINE))
    assert client.post(f"/moderation/duplicates/{pair.pk}/not-a-duplicate/").status_code == 403

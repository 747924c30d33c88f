"""Services and sites that may be one listing twice (stewardship.offer_duplicates): planted twins (renamed,
re-punctuated, moved a few metres, a phone written otherwise, a street written otherwise) are found with their
evidence; pairs with only one thing alike (the place, or the name), a hub's sites, services for other people or of
other needs, and one organization's same service at two places are not; runs for some organizations; "not a
duplicate" is remembered; the queue (API and page) shows every kind side by side and merges organizations only."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.roles import Role
from stewardship import names
from stewardship.duplicates import organization_duplicates_find
from stewardship.finders import duplicates_find
from stewardship.models import DuplicateCandidate
from stewardship.names import address_key
from stewardship.offer_duplicates import location_duplicates_find, service_duplicates_find
from tests import factories
from tests.stewardship.test_duplicates import as_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "first, second",
    [("7231 Hill Blvd", "7231 N. Hill Boulevard, Suite 2"), ("12 Elm St.", "12 elm street"),
     ("500 Harbor St", "500 HARBOR ST APT 4")],
)  # fmt: skip
def test_street_addresses_written_otherwise_are_one_building(first, second):
    assert address_key(first, "77002-1234") == address_key(second, "77002") != ""
    assert address_key(first, "77003") != address_key(first, "77002")
    assert address_key("PO Box 12", "77002") == address_key("Downtown", "77002") == ""


@pytest.mark.parametrize("small", [names.SMALL, 0])
def test_alike_names_are_found_one_by_one_or_by_matrix(monkeypatch, small):
    monkeypatch.setattr(names, "SMALL", small)
    entries = [names.entry(n, names.name_key(name)) for n, name in
               enumerate(["Emergency Shelter", "Emergency Shelter Program", "Legal Aid Houston", "Houston Legal Aid",
                          "Transitional Housing"])]  # fmt: skip
    assert names.alike_pairs(entries, entries, 0.92) == {(2, 3)}
    assert names.alike_pairs(entries, entries, 0.6) == {(0, 1), (2, 3)}
    assert names.alike_pairs(entries[:1], entries[1:], 0.6) == {(0, 1)}


HUB_WORDS = (
    "Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliett Kilo Lima Mike November Oscar Papa Quebec "
    "Romeo Sierra Tango Uniform Victor"
).split()  # 22 names alike no other
# About 5 m apart (0.00004 degrees of latitude), and well apart.
MAIN = (29.76000, -95.37000)
BESIDE_MAIN = (29.76004, -95.37000)


def site(org, name, at=None, *, street=None, phone=None, **fields):
    if at is None:
        found = factories.location(org, latitude=None, longitude=None, name=name, location_type="virtual", **fields)
    else:
        found = factories.location(org, latitude=at[0], longitude=at[1], name=name, **fields)
    if street:
        factories.address(found, address_1=street, postal_code="77002")
    if phone:
        factories.phone(location=found, number=phone)
    return found


def service(org, name, *, at=(), needs=(), phone=None, **fields):
    found = factories.service(org, name=name, needs=needs, **fields)
    for where in at:
        factories.offer(found, where)
    if phone:
        factories.phone(service=found, number=phone)
    return found


@pytest.fixture
def planted(db):
    """Services and sites listed twice, and look-alikes that are not, around Houston."""
    p = {}
    bayou = factories.organization(name="Bayou Refuge")
    # One organization's site listed twice: 5 m off, its street and phone written otherwise.
    p["main"] = site(bayou, "Bayou Refuge Main Site", MAIN, street="7231 Hill Blvd", phone="+17135550111")
    p["main twin"] = site(bayou, "Bayou Refuge - Main Site.", BESIDE_MAIN, street="7231 N. Hill Boulevard, Suite 2",
                          phone="+1 (713) 555-0111")  # fmt: skip
    # Its service listed twice (renamed, the phone written otherwise), one at each of the two sites.
    p["shelter"] = service(bayou, "Emergency Shelter", at=[p["main"]], needs=["emergency-shelter"],
                           phone="+17135550122")  # fmt: skip
    p["shelter twin"] = service(bayou, "Emergency Shelter Program", at=[p["main twin"]],
                                needs=["emergency-shelter", "case-management"], phone="+1 (713) 555-0122")  # fmt: skip
    # One name, other needs; or one site, names and needs apart; or other people: not one service.
    service(bayou, "Legal Services", at=[p["main"]], needs=["legal-civil"])
    service(bayou, "Legal Services", at=[p["main"]], needs=["immigration-legal"])
    service(bayou, "Transitional Housing", at=[p["main"]], needs=["emergency-shelter"])
    service(bayou, "Safe Home for Women", at=[p["main"]], needs=["long-term-housing"], populations=["women"])
    service(bayou, "Safe Home for Men", at=[p["main"]], needs=["long-term-housing"], populations=["men"])
    # One building listed by two sources: the organizations' names alike, one site's name left blank.
    light = factories.organization(name="Lighthouse Center")
    other_light = factories.organization(name="Light House Center, Inc.")
    p["light"] = site(light, "Lighthouse Center Office", (29.80000, -95.40000), street="500 Harbor St")
    p["light twin"] = site(other_light, "", (29.80003, -95.40003), street="500 Harbor Street")
    p["case"] = service(light, "Case Management", at=[p["light"]], needs=["case-management"])
    p["case twin"] = service(other_light, "Case management.", at=[p["light twin"]], needs=["case-management"])
    # One organization's two sites at one address, unnamed, placed 200 m apart (geocoded otherwise).
    casa = factories.organization(name="Casa Segura")
    p["casa"] = site(casa, "", (29.50000, -95.10000), street="12 Elm St.")
    p["casa twin"] = site(casa, "", (29.50180, -95.10000), street="12 Elm Street")
    # Neighbours with other names (the place alone; their services' names only alike), and the same names far apart
    # (the name alone).
    pantry = factories.organization(name="Food Pantry of the Heights")
    service(pantry, "Legal Aid Intake", at=[site(pantry, "Food Pantry", (29.70000, -95.30000))], needs=["legal-civil"])
    clinic = factories.organization(name="Heights Legal Clinic")
    service(clinic, "Legal Aid", at=[site(clinic, "Legal Clinic", (29.70002, -95.30002))], needs=["legal-civil"])
    # Neighbours whose sites have a name many sites have ("Front Office"): it says nothing of two organizations, and
    # their organizations' names are only alike (the organizations' own pair to judge).
    for n, name in enumerate(("Northside Legal Aid", "Eastside Legal Aid")):
        site(factories.organization(name=name), "Front Office", (29.55000 + n * 0.00003, -95.15000))
    far = factories.organization(name="Hope Center")
    far_site = site(far, "Lighthouse Center Office", (30.20000, -95.50000))
    service(far, "Case Management", at=[far_site], needs=["case-management"])
    # One organization's service at each of its places: each place's own listing.
    corps = factories.organization(name="Harbor Corps")
    for n, at in enumerate([(29.60000, -95.20000), (29.69000, -95.20000)]):
        service(corps, "Emergency Shelter", at=[site(corps, f"Harbor Shelter {n}", at)], needs=["emergency-shelter"])
    # A hub: 22 organizations' sites in one building at one address, their names alike: no pairs.
    for n, word in enumerate(HUB_WORDS):
        hub_org = factories.organization(name=word)
        hub_site = site(hub_org, f"Justice Center Suite {n}", (29.65000, -95.25000), street="1 Justice Plaza")
        service(hub_org, "Legal Advocacy", at=[hub_site], needs=["legal-civil"])
        site(hub_org, "Front Office")  # virtual: the name is common, not the place
    # Virtual sites and unplaced services of one organization, named alike.
    hotline = factories.organization(name="Statewide Hotline")
    p["online"] = site(hotline, "Phone and Online")
    p["online twin"] = site(hotline, "Phone & online")
    p["hotline"] = service(hotline, "24/7 Hotline", needs=["crisis-hotline"])
    p["hotline twin"] = service(hotline, "24-7 hotline", needs=["crisis-hotline"])
    p["orgs"] = {"bayou": bayou, "light": light, "other light": other_light, "hotline": hotline}
    return p


def pairs(planted, kind) -> dict:
    names = {record.pk: key for key, record in planted.items() if key != "orgs"}
    return {frozenset((names.get(c.first_id, c.first_id), names.get(c.second_id, c.second_id))): c
            for c in DuplicateCandidate.objects.filter(kind=kind)}  # fmt: skip


SITE_PAIRS = {frozenset(pair) for pair in (("main", "main twin"), ("light", "light twin"), ("casa", "casa twin"),
                                           ("online", "online twin"))}  # fmt: skip
SERVICE_PAIRS = {frozenset(pair) for pair in (("shelter", "shelter twin"), ("case", "case twin"),
                                              ("hotline", "hotline twin"))}  # fmt: skip


def test_sites_listed_twice_are_found_with_their_evidence_and_nothing_else(planted):
    found = location_duplicates_find()

    kept = pairs(planted, "location")
    assert set(kept) == SITE_PAIRS and found.kept == 4
    main = kept[frozenset(("main", "main twin"))]
    assert main.evidence["same_address"] and main.evidence["sites_apart_m"] < 10
    assert main.evidence["phone"] == ["+17135550111"] and main.evidence["same_organization"]
    assert main.evidence["name_similarity"] >= 0.92 and main.score >= 0.9
    light = kept[frozenset(("light", "light twin"))]
    assert not light.evidence["same_organization"] and light.evidence["organization_similarity"] >= 0.92
    assert set(light.evidence["organization_names"]) == {"Lighthouse Center", "Light House Center, Inc."}
    casa = kept[frozenset(("casa", "casa twin"))]
    assert (
        casa.evidence["same_address"] and casa.evidence["sites_apart_m"] is None and casa.evidence["names"] == ["", ""]
    )
    online = kept[frozenset(("online", "online twin"))]
    assert online.evidence["sites_apart_m"] is None and not online.evidence["same_address"]


def test_services_listed_twice_are_found_with_their_evidence_and_nothing_else(planted):
    organization_duplicates_find()  # the organizations' pair first: a pair across them names it
    found = service_duplicates_find()

    kept = pairs(planted, "service")
    assert set(kept) == SERVICE_PAIRS and found.kept == 3
    shelter = kept[frozenset(("shelter", "shelter twin"))]
    assert shelter.evidence["phone"] == ["+17135550122"] and shelter.evidence["sites_apart_m"] < 10
    assert shelter.evidence["needs_in_common"] == ["emergency-shelter"] and shelter.evidence["same_organization"]
    case = kept[frozenset(("case", "case twin"))]
    light = sorted((planted["orgs"]["light"].pk, planted["orgs"]["other light"].pk))
    organizations = DuplicateCandidate.objects.get(kind="organization", first_id=light[0], second_id=light[1])
    assert case.evidence["organization_pair"] == str(organizations.pk) and not case.evidence["same_organization"]
    assert case.evidence["name_similarity"] == 1.0 and case.evidence["sites_apart_m"] < 10
    hotline = kept[frozenset(("hotline", "hotline twin"))]
    assert hotline.evidence["sites_apart_m"] is None and not hotline.evidence["same_site"]


def test_a_run_for_some_organizations_finds_their_pairs_and_keeps_the_others(planted):
    orgs = planted["orgs"]
    duplicates_find([orgs["bayou"].pk], kinds=["service", "location"])
    assert set(pairs(planted, "location")) == {frozenset(("main", "main twin"))}
    assert set(pairs(planted, "service")) == {frozenset(("shelter", "shelter twin"))}

    # The other side of a pair across two organizations finds it too; nothing of another scope is dropped.
    again = duplicates_find([str(orgs["other light"].pk).upper()], kinds=["service", "location"])
    assert again["service"].dropped == again["location"].dropped == 0
    assert set(pairs(planted, "location")) == {frozenset(("main", "main twin")), frozenset(("light", "light twin"))}
    assert set(pairs(planted, "service")) == {frozenset(("shelter", "shelter twin")), frozenset(("case", "case twin"))}


def test_not_a_duplicate_is_remembered_and_a_pair_no_longer_alike_leaves_the_queue(planted):
    duplicates_find(kinds=["service", "location"])
    DuplicateCandidate.objects.filter(pk=pairs(planted, "service")[frozenset(("shelter", "shelter twin"))].pk
                                      ).update(status="not_duplicate")  # fmt: skip
    planted["online twin"].name = "Walk-in Office"
    planted["online twin"].save()

    found = duplicates_find(kinds=["service", "location"])

    assert found["service"].reopened_none == 1 and found["location"].dropped == 1
    assert pairs(planted, "service")[frozenset(("shelter", "shelter twin"))].status == "not_duplicate"
    assert frozenset(("online", "online twin")) not in pairs(planted, "location")


def test_two_organizations_said_to_be_two_listings_have_no_pairs_of_services_or_sites(planted):
    organization_duplicates_find()
    DuplicateCandidate.objects.filter(kind="organization").update(status="not_duplicate")
    duplicates_find(kinds=["service", "location"])
    assert frozenset(("case", "case twin")) not in pairs(planted, "service")
    assert frozenset(("light", "light twin")) not in pairs(planted, "location")


def test_the_command_finds_every_kind_or_one_with_a_progress_bar(planted):
    out, err = io.StringIO(), io.StringIO()
    call_command("find_duplicates", stdout=out, stderr=err)
    text = out.getvalue()
    assert [line.split(":")[0] for line in text.splitlines()] == ["organizations", "services", "locations"]
    assert "scoring services" in err.getvalue() and "scoring locations" in err.getvalue()
    assert {c.kind for c in DuplicateCandidate.objects.all()} == {"organization", "service", "location"}
    out = io.StringIO()
    call_command("find_duplicates", "--kind", "location", "--no-progress", stdout=out)
    assert out.getvalue().startswith("locations: ") and "4 in the queue" in out.getvalue()


@pytest.fixture
def queue(planted):
    duplicates_find()
    return planted


def test_the_queue_shows_every_kind_side_by_side_and_filters_by_kind(queue, django_assert_max_num_queries):
    moderator = as_role(Role.MODERATOR)
    every = moderator.get("/api/duplicates/", {"page_size": 100}).json()
    assert {pair["kind"] for pair in every["results"]} == {"organization", "service", "location"}
    with django_assert_max_num_queries(16):  # the page, and each kind's sides in a few reads, not per pair
        moderator.get("/api/duplicates/", {"page_size": 100})

    sites = moderator.get("/api/duplicates/", {"kind": "location"}).json()
    assert sites["count"] == 4 and {pair["kind"] for pair in sites["results"]} == {"location"}
    main = next(p for p in sites["results"] if p["evidence"].get("phone"))
    sides = {main["first"]["name"]: main["first"], main["second"]["name"]: main["second"]}
    assert set(sides) == {"Bayou Refuge Main Site", "Bayou Refuge - Main Site."}
    first = sides["Bayou Refuge Main Site"]
    assert first["organization"]["name"] == "Bayou Refuge" and first["address"].startswith("7231 Hill Blvd")
    assert first["phones"] == ["+17135550111"] and set(first["services"]) >= {"Emergency Shelter", "Legal Services"}

    services = moderator.get("/api/duplicates/", {"kind": "service"}).json()
    assert services["count"] == 3
    shelter = next(p for p in services["results"] if p["evidence"].get("phone"))
    side = next(s for s in (shelter["first"], shelter["second"]) if s["name"] == "Emergency Shelter Program")
    assert side["needs"] == ["case-management", "emergency-shelter"] and side["organization"]["name"] == "Bayou Refuge"
    assert [site["name"] for site in side["sites"]] == ["Bayou Refuge - Main Site."]
    assert side["sites"][0]["address"].startswith("7231 N. Hill Boulevard")

    bad = moderator.get("/api/duplicates/", {"kind": "building"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_not_a_duplicate_and_merge_for_pairs_of_services_and_sites(queue):
    moderator = as_role(Role.MODERATOR)
    for kind in ("service", "location"):
        pair = DuplicateCandidate.objects.filter(kind=kind).first()
        refused = moderator.post(f"/api/duplicates/{pair.pk}/merge/", {"keep": str(pair.first_id)}, format="json")
        assert refused.status_code == 400 and "Only pairs of organizations" in refused.json()["kind"][0]
        said = moderator.post(f"/api/duplicates/{pair.pk}/not-a-duplicate/")
        assert said.status_code == 200 and said.json()["status"] == "not_duplicate" and said.json()["first"]
        assert moderator.get("/api/duplicates/", {"kind": kind}).json()["count"] == {"service": 2, "location": 3}[kind]
    duplicates_find()
    assert DuplicateCandidate.objects.filter(status="not_duplicate").count() == 2


@pytest.mark.parametrize("role", [Role.HOTLINE, Role.SPECIALIST, Role.PROVIDER])
def test_only_moderators_see_pairs_of_services_and_sites(queue, role, api):
    pair = DuplicateCandidate.objects.filter(kind="service").first()
    assert as_role(role).get("/api/duplicates/", {"kind": "service"}).status_code == 403
    assert as_role(role).post(f"/api/duplicates/{pair.pk}/not-a-duplicate/").status_code == 403
    assert api.get("/api/duplicates/", {"kind": "location"}).status_code in (401, 403)


def test_the_moderation_page_shows_every_kind_and_merges_organizations_only(queue, client):
    moderator = factories.user(Role.MODERATOR)
    client.force_login(moderator)

    page = client.get("/moderation/").content.decode()

    assert "Bayou Refuge - Main Site." in page and "same street address" in page and "7231 Hill Blvd" in page
    assert "Emergency Shelter Program" in page and "needs in common: emergency-shelter" in page
    assert "their pair is in this queue" in page
    merge_buttons = page.count('name="keep"')
    assert merge_buttons == 2 * DuplicateCandidate.objects.filter(kind="organization").count()
    site_pair = DuplicateCandidate.objects.filter(kind="location").first()
    response = client.post(f"/moderation/duplicates/{site_pair.pk}/merge/", {"keep": str(site_pair.first_id)},
                           follow=True)  # fmt: skip
    assert "Only pairs of organizations can be merged." in response.content.decode()
    assert DuplicateCandidate.objects.get(pk=site_pair.pk).status == "open"
    client.post(f"/moderation/duplicates/{site_pair.pk}/not-a-duplicate/")
    site_pair.refresh_from_db()
    assert site_pair.status == "not_duplicate" and site_pair.decided_by == moderator


def test_an_approved_application_is_looked_at_by_a_job_after_the_approval(planted):
    from providers import services as provider_services
    from providers.models import Application
    from stewardship import tasks

    details = {"contact_name": "Dana", "contact_email": "dana@example.org",
               "organization": {"name": "Bayou Refuge, Inc.", "description": "Shelter."},
               "locations": [{"name": "Bayou Refuge Main Site", "latitude": MAIN[0], "longitude": MAIN[1] + 0.00003,
                              "address": {"address_1": "7231 Hill Blvd.", "city": "Houston", "state_province": "TX",
                                          "postal_code": "77002"}}],
               "services": [{"name": "Emergency Shelter", "needs": ["emergency-shelter"]}]}  # fmt: skip
    application = provider_services.application_submit(details=details)
    deferred = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks, "defer_in_transaction", lambda task, **kwargs: deferred.append((task, kwargs)))
        provider_services.application_approve(application=application, moderator=factories.user(Role.MODERATOR))
        provider_services.application_reject(application=provider_services.application_submit(details=details),
                                             moderator=factories.user(Role.MODERATOR), reason="Twice.")  # fmt: skip
        application.refresh_from_db()
        application.save()  # saved again once approved: no second job
        Application.objects.get(pk=application.pk).save()
    assert deferred == [(tasks.find_duplicates, {"organization_ids": [str(application.organization_id)]})]

    tasks.find_duplicates(**deferred[0][1])  # as the worker runs it

    new_site, new_service = application.organization.locations.get(), application.organization.services.get()
    pairs_found = {(c.kind, frozenset((c.first_id, c.second_id))) for c in DuplicateCandidate.objects.all()}
    assert ("location", frozenset((new_site.pk, planted["main"].pk))) in pairs_found
    assert ("service", frozenset((new_service.pk, planted["shelter"].pk))) in pairs_found
    assert ("organization", frozenset((application.organization_id, planted["orgs"]["bayou"].pk))) in pairs_found

    # Through the job queue itself: the job is a row of the approval's transaction.
    again = provider_services.application_submit(details=details)
    provider_services.application_approve(application=again, moderator=factories.user(Role.MODERATOR))
    with connection.cursor() as cursor:
        cursor.execute("SELECT args->'organization_ids'->>0 FROM procrastinate_jobs "
                       "WHERE task_name = 'stewardship.find_duplicates'")  # fmt: skip
        assert cursor.fetchall() == [(str(Application.objects.get(pk=again.pk).organization_id),)]


def test_services_of_one_building_with_names_only_alike_or_common_are_not_pairs():
    """From a review: counselling programmes of one organization, and two organizations' case management in one
    building, are not one service listed twice."""
    building = factories.organization(name="Family Justice Center")
    hall = site(building, "Center", (29.7601, -95.3701), street="1 Court Sq")
    for n in range(21):  # a name many services hold says nothing
        service(factories.organization(name=f"Agency {n}"), "Case Management", needs=["case-management"])
    for name in ("Individual Counseling", "Group Counseling", "Adult Case Management", "Youth Case Management"):
        service(building, name, at=[hall], needs=["mental-health", "case-management"])
    tenant = factories.organization(name="Refugee Services of Texas")
    tenant_hall = site(tenant, "Suite 200", (29.7601, -95.3701), street="1 Court Sq")
    service(building, "Case Management", at=[hall], needs=["case-management"])
    service(tenant, "Case Management", at=[tenant_hall], needs=["case-management"])

    service_duplicates_find()

    assert list(DuplicateCandidate.objects.filter(kind="service").values_list("evidence__names", flat=True)) == []

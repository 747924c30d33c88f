"""A confidential site planted with unique markers, looked at through every output of the directory by every role:
no marker may reach a viewer who may not see the site exactly (docs/privacy.md).

Forgetting an output is hard: the test walks every URL pattern of the project and fails on one it does not know.
Each pattern is either probed (PROBES: how to request it with the planted records) or listed in NO_SITE_DATA with
why it cannot show the site. Outputs that are not URLs (the HSDS export files, emails) are probed too.
"""

import csv
import json
import re
from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from accounts.models import User
from hsds.exporter import derived_id
from notifications.models import OutboxMessage
from providers.models import ChangeRequest, HoursException, Suggestion
from tests import factories

pytestmark = pytest.mark.django_db

EXACT = (29.761234, -95.371287)  # the site; its public point is 1-3 km away
STREET = "4471 Zyzzyva Hollow Rd"
MARKERS = {
    "street": "Zyzzyva Hollow",
    "zip+4": "77002-6008",
    "zip+4 digits": "770026008",
    "direct line": "5550177",
    "transportation": "Qwertyuiop ferry",
    "description": "Plughxyzzy laundromat",
    "hours note": "Xylophonegate knock",
    "offer description": "Wxyzq annex",
    "front door note": "Frobozz desk",
    "dates note": "Quuxbridge annex",
    "accessibility details": "Zorkmid ramp",
    # The Spanish forms of the site's texts (providers.translations), shown to Spanish readers.
    "description in Spanish": "Lavanderia Xyzzyplugh",
    "hours note in Spanish": "Tocar Xilofonegato",
    "dates note in Spanish": "Anexo Quuxpuente",
}
ROLES = ["anonymous", "other_provider", "hotline", "specialist", "moderator", "provider", "superuser"]
MAY_SEE_EXACTLY = {"hotline", "specialist", "moderator", "provider", "superuser"}

# Patterns that cannot show a site's data, and why. A new pattern must be added here or to PROBES.
NO_SITE_DATA = {
    "admin": "Django's admin: superusers only (staff accounts are not roles here), who see every site exactly",
    "admin/login/": "the admin's sign-in form",
    "basemap-states": "state outlines from the Census boundaries",
    "basemap-places": "place names from the ZIP gazetteer",
    "basemap-cell": "county outlines and place names: the Census boundaries and the ZIP gazetteer",
    "set_language": "switches the language and redirects",
    "healthz": "answers whether the database is up",
    "login": "the sign-in form",
    "two-factor": "the two-factor form",
    "logout": "signs out",
    "invitation-page": "a single-use token's form; shows the organization's name only",
    "api-token": "exchanges a password for a token",
    "api-schema": "the OpenAPI schema (no records)",
    "api-docs": "Swagger UI (no records)",
    "api-root": "links to the endpoints",
    "geocode": "places what the caller typed with the gazetteer; reads no listing",
    "portal-verify": "POST: confirms the caller's own organization's listings and redirects",
    "portal-capacity": "POST: sets beds of the caller's own site and redirects",
    "portal-edit": "POST: edits the caller's own record and redirects",
    "moderation-review": "POST: a moderator's decision, redirects",
    "referral-act": "POST: an action on a referral, redirects to the referral page (probed)",
    "send-status": "a sent list's status and audit: ids, times and outcomes, no site",
    "send-list": "sent lists' status and audit: ids, times and outcomes, no site",
    "send-detail": "one sent list's status and audit (as send-list)",
    "send-sms-status": "POST: the SMS provider's signed delivery report; answers with a status code only",
    **{
        f"referral-{name}": "POST: returns the referral's detail (probed as referral-detail)"
        for name in ("accept", "decline", "start", "complete", "close", "withdraw")
    },
    "taxonomy-mapping-list": "moderators' mapping of imported taxonomy terms",
    "taxonomy-mapping-unmapped": "imported taxonomy terms without a need",
    "taxonomy-mapping-detail": "one taxonomy mapping",
    "organization-verify": "POST: confirms the listings of an organization, returns a count",
    "location-capacity": "PATCH: the site's own staff set its beds; returns beds and intake",
    "location-schedules": "PUT: the site's own staff replace its hours; returns them to them",
    "location-hours-exceptions": "PUT: the site's own staff replace its dated hours; returns them to them",
    "portal-dates": "POST: the site's own staff add or remove its dated hours; redirects to their portal",
    "portal-accessibility": "POST: the site's own staff set its accessibility; redirects to their portal",
    "phone-detail": "PATCH: the owner's staff edit a phone; returns it to them",
    "change-request-approve": "POST: a moderator's decision; returns the request (probed as change-request-detail)",
    "change-request-reject": "POST: as approve",
    "application-list": "applications of organizations not yet listed",
    "application-detail": "one application",
    "application-approve": "POST: creates a new organization's listings",
    "application-reject": "POST: a moderator's decision",
    "invitation-list": "invitations to manage an organization",
    "invitation-accept": "POST: accepts an invitation",
    "specialist-list": "DHS victim assistance specialists",
    "specialist-detail": "one specialist",
    "needterm-list": "the needs taxonomy",
    "needterm-detail": "one need",
    "population-list": "eligibility populations",
    "population-detail": "one population",
    "language-list": "languages",
    "accessibility-list": "the accessibility features a site may list",
    "duplicate-list": "moderators only (they see every site exactly); checked in tests/stewardship",
    "duplicate-detail": "as duplicate-list",
    "duplicate-not-a-duplicate": "POST: a moderator's decision; returns the pair as duplicate-detail",
    "duplicate-applications": "moderators only: applications and the organizations' names they look like",
    "moderation-not-duplicate": "POST: a moderator's decision; redirects to the moderation page (probed as moderation)",
    "moderation-merge": "POST: a moderator merges a pair; redirects to the moderation page (probed as moderation)",
    "duplicate-merge": "POST: moderators only; returns the merge (ids, the merged organization's name, what moved)",
    "coverage": "staff only: counties' miles to the nearest provider, measured to public points (a confidential site "
    "counts at its public point: tests/coveragemap); no listing's name, text or place",
    "coverage-unmet": "staff only: counts by need, county and week (10 or more)",
    "coverage-page": "as coverage, as a page (and the basemap's outlines)",
    "merge-list": "moderators only: merges (ids, the merged organization's name, the ids of what moved)",
    "merge-detail": "as merge-list",
    "merge-undo": "POST: moderators only; returns the merge as merge-detail",
    "language-detail": "one language",
    "referral-report": "aggregate counts only (probed anyway)",
}


def url_names() -> set[str]:
    """Every URL pattern's name (the admin as one)."""
    names = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("admin/"):
                    names.add("admin")
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                names.add(pattern.name or f"{prefix}{pattern.pattern}")

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def planted(provider_org, personas):
    """The confidential site, a service there, a referral to it, a change request and a suggestion about it."""
    site = factories.location(
        provider_org, name="Shelter One", is_confidential=True, latitude=EXACT[0], longitude=EXACT[1],
        description=f"Blue door by the {MARKERS['description']}",
        transportation=f"Take the {MARKERS['transportation']}", accessibility=["wheelchair"],
        accessibility_details=f"Use the {MARKERS['accessibility details']} at the back",
        i18n={"description_es": f"Puerta azul junto a la {MARKERS['description in Spanish']}"},
    )  # fmt: skip
    factories.address(site, address_1=STREET, city="Houston", state_province="TX", postal_code=MARKERS["zip+4"])
    factories.phone(location=site, number="+17135550177", description="direct")
    factories.phone(location=site, number="+17135550100", is_front_door=True, description=MARKERS["front door note"])
    schedule = factories.schedule(site, 1, time(9), time(17), description=MARKERS["hours note"])
    schedule.i18n = {"description_es": MARKERS["hours note in Spanish"]}
    schedule.save()
    ahead = timezone.localdate() + timedelta(days=5)
    HoursException.objects.create(location=site, starts_on=ahead, ends_on=ahead, note=f"At the {MARKERS['dates note']}",
                                  i18n={"note_es": f"En el {MARKERS['dates note in Spanish']}"})  # fmt: skip
    service = factories.service(
        provider_org, name="Emergency Shelter", needs=("emergency-shelter",), last_verified_on="2026-11-01",
        description=f"Come to {STREET} after dark.",
    )  # fmt: skip
    service.i18n = {"description_es": f"Venga a {STREET} de noche.", "name_es": "Refugio de emergencia"}
    service.save()
    offer = factories.offer(service, site)
    offer.description = f"Intake at the {MARKERS['offer description']}"
    offer.save()
    provider_org.email = "intake@shelter.example.org"
    provider_org.save()
    hotline = Client()
    hotline.force_login(personas["hotline"])
    created = hotline.post("/referrals/new/", {"service_at_location": str(offer.pk), "needs": "emergency-shelter",
                                               "urgency": "urgent"})  # fmt: skip
    assert created.status_code == 302, created.content
    code = created["Location"].rstrip("/").rsplit("/", 1)[1]
    change = ChangeRequest.objects.create(
        organization=provider_org, record_type="location", record_id=site.pk,
        changes={"address.address_2": {"old": "", "new": "Unit 9"}}, submitted_by=personas["provider"],
    )  # fmt: skip
    suggestion = Suggestion.objects.create(organization=provider_org, record_type="location", record_id=site.pk,
                                           message="The hours are wrong")  # fmt: skip
    return {"site": site, "service": service, "offer": offer, "code": code, "change": change,
            "suggestion": suggestion, "organization": provider_org}  # fmt: skip


def probes(p) -> dict[str, list[tuple[str, str, dict]]]:
    """Pattern name -> the requests (method, path, data) that show it."""
    site, service, offer, code, org = p["site"], p["service"], p["offer"], p["code"], p["organization"]
    match = {"near": "29.76,-95.37", "needs": "emergency-shelter", "radius_mi": "30"}
    return {
        "home": [("get", "/", {})],
        "listing": [("get", f"/listings/{site.pk}/", {})],
        "print-sheet": [("get", "/print/", {"offers": str(offer.pk)})],
        "send-new": [("get", "/send/", {"offers": str(offer.pk)})],
        "referral-inbox": [("get", "/referrals/", {})],
        "portal": [("get", "/portal/", {})],
        "moderation": [("get", "/moderation/", {})],
        "referral-new": [("get", "/referrals/new/", {"offer": str(offer.pk), "needs": "emergency-shelter"})],
        "referral-page": [("get", f"/referrals/{code}/", {})],
        "match": [("get", "/api/match/", match), ("post", "/api/match/", match),
                  ("get", "/api/match/", {**match, "q": "shelter"})],
        "hsds-root": [("get", "/hsds/", {})],
        "hsds-services": [("get", "/hsds/services", {"full": "true"}), ("get", "/hsds/services", {})],
        "hsds-service": [("get", f"/hsds/services/{service.pk}", {})],
        "hsds-organizations": [("get", "/hsds/organizations", {"full": "true"})],
        "hsds-organization": [("get", f"/hsds/organizations/{org.pk}", {})],
        "hsds-taxonomies": [("get", "/hsds/taxonomies", {})],
        "hsds-taxonomy-terms": [("get", "/hsds/taxonomy_terms", {})],
        "hsds-taxonomy": [("get", f"/hsds/taxonomies/{derived_id('taxonomy', 'victim-services-directory')}", {})],
        "hsds-taxonomy-term": [("get", "/hsds/taxonomy_terms/" + derived_id("term", "victim-services-directory",
                                                                             "emergency-shelter"), {})],
        "hsds-service-at-location": [("get", f"/hsds/service_at_locations/{offer.pk}", {})],
        "hsds-service-at-locations": [("get", "/hsds/service_at_locations", {"full": "true"}),
                                      ("get", "/hsds/service_at_locations", {"postcode": "77002",
                                                                             "proximity": "20000"})],
        "referral-list": [("get", "/api/referrals/", {})],
        "referral-detail": [("get", f"/api/referrals/{code}/", {})],
        "referral-events": [("get", f"/api/referrals/{code}/events/", {})],
        "referral-report": [("get", "/api/reports/referrals/", {})],
        "organization-list": [("get", "/api/organizations/", {})],
        "organization-detail": [("get", f"/api/organizations/{org.pk}/", {})],
        "organization-history": [("get", f"/api/organizations/{org.pk}/history/", {})],
        "service-list": [("get", "/api/services/", {}), ("get", "/api/services/", {"near": "77002"}),
                         ("get", "/api/services/", {"q": "emergency shelter"})],
        "suggest": [("get", "/api/suggest/", {"q": "eme"}), ("get", "/api/suggest/", {"q": "zyzz", "near": "77002"})],
        "service-detail": [("get", f"/api/services/{service.pk}/", {}),
                           ("get", f"/api/services/{service.pk}.json", {})],
        "location-list": [("get", "/api/locations/", {}), ("get", "/api/locations/", {"near": "77002"}),
                          ("get", "/api/locations/", {"q": "shelter", "near": "77002"}),
                          ("get", "/api/locations/", {"bbox": "-96,29,-95,30"}),
                          ("get", "/api/locations.json", {})],
        "location-map": [("get", "/api/locations/map/", {}), ("get", "/api/locations/map/", {"near": "77002"}),
                         ("get", "/api/locations/map/", {"q": "shelter", "near": "77002"}),
                         ("get", "/api/locations/map/", {"bbox": "-96,29,-95,30", "need": "emergency-shelter"})],
        "location-detail": [("get", f"/api/locations/{site.pk}/", {})],
        "location-texts": [("get", f"/api/locations/{site.pk}/texts/", {})],
        "change-request-list": [("get", "/api/change-requests/", {})],
        "change-request-detail": [("get", f"/api/change-requests/{p['change'].pk}/", {})],
        "suggestion-list": [("get", "/api/suggestions/", {})],
        "suggestion-detail": [("get", f"/api/suggestions/{p['suggestion'].pk}/", {})],
    "suggestion-resolve": [("post", f"/api/suggestions/{p['suggestion'].pk}/resolve/", {"status": "dismissed"})],
    }  # fmt: skip


# The direct line however it is written: "+17135550177", "(713) 555-0177", "713.555.0177", "tel:...".
DIRECT_LINE = re.compile(r"713\D{0,3}555\D{0,3}0177")


def leaks(text: str) -> list[str]:
    found = [name for name, marker in MARKERS.items() if marker in text]
    if DIRECT_LINE.search(text):
        found.append("direct line, in any format")
    if f"{EXACT[0]:.4f}" in text and f"{EXACT[1]:.4f}" in text:
        found.append("exact point")
    return found


def client_as(role: str, personas) -> Client:
    client = Client()
    if role == "superuser":
        client.force_login(User.objects.create_superuser("root", "root@example.org", factories.TEST_PASSWORD))
    elif role != "anonymous":
        client.force_login(personas[role])
    return client


def test_every_url_pattern_is_probed_or_said_to_show_no_site_data(planted):
    known = set(probes(planted)) | set(NO_SITE_DATA)
    assert url_names() - known == set(), "a new output: probe it in PROBES or say why it shows no site in NO_SITE_DATA"
    assert known - url_names() == set(), "a probe or reason for a pattern that no longer exists"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("role", ROLES)
def test_no_marker_reaches_a_viewer_who_may_not_see_the_site(planted, personas, role, language):
    client = client_as(role, personas)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language  # a Spanish reader is shown the Spanish texts
    seen = []
    for name, requests in probes(planted).items():
        for method, path, data in requests:
            response = getattr(client, method)(path, data)
            assert response.status_code < 500, (name, path, response.status_code)
            text = response.content.decode()
            if role not in MAY_SEE_EXACTLY:
                assert leaks(text) == [], (role, name, path, leaks(text))
            elif response.status_code == 200:
                seen.append(text)
    if role in MAY_SEE_EXACTLY:  # not vacuous: those who may see the site see its street and direct line somewhere
        assert any(MARKERS["street"] in text for text in seen), role
        assert any(DIRECT_LINE.search(text) and "555-0177" in text for text in seen), role
        if language == "es":  # and a Spanish reader who may see it is shown its Spanish texts
            assert any(MARKERS["description in Spanish"] in text for text in seen), role
            assert any(MARKERS["dates note in Spanish"] in text for text in seen), role
            assert any(MARKERS["hours note in Spanish"] in text for text in seen), role


@pytest.mark.parametrize("role", ["hotline", "provider", "moderator"])
def test_the_printed_sheet_is_the_publics_view_whoever_prints_it(planted, personas, role):
    html = client_as(role, personas).get("/print/", {"offers": str(planted["offer"].pk)}).content.decode()
    assert "Emergency Shelter" in html and "77002" in html
    assert leaks(html) == []


@pytest.mark.parametrize("role", ["hotline", "specialist"])
def test_the_list_a_survivor_is_sent_is_the_publics_view_whoever_sends_it(planted, personas, role):
    html = client_as(role, personas).get("/send/", {"offers": str(planted["offer"].pk)}).content.decode()
    assert "Emergency Shelter" in html and "77002" in html
    assert leaks(html) == []


@pytest.mark.parametrize("paper", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_handout_a_survivor_takes_or_is_sent_carries_no_marker(planted, language, paper):
    from providers.handout import handout_items, handout_text

    text = handout_text(handout_items([planted["offer"].pk], limit=12), language=language, paper=paper)
    assert "77002" in text and leaks(text) == []


def test_the_hsds_export_files_carry_no_marker(planted, tmp_path):
    call_command("export_hsds", str(tmp_path / "public.json"))
    call_command("export_hsds", str(tmp_path / "csv"), "--format", "csv")
    texts = [(tmp_path / "public.json").read_text()]
    texts += [path.read_text() for path in (tmp_path / "csv").glob("*")]
    for text in texts:
        assert leaks(text) == []
    rows = list(csv.DictReader((tmp_path / "csv" / "addresses.csv").open()))
    assert [(row["city"], row["postal_code"]) for row in rows] == [("Houston", "77002")]
    # An export for a trusted partner (--include-confidential) carries the site exactly: the markers are real.
    call_command("export_hsds", str(tmp_path / "exact.json"), "--include-confidential")
    assert MARKERS["street"] in (tmp_path / "exact.json").read_text()


def test_emails_carry_no_site_data(planted, personas):
    receiver = Client()
    receiver.force_login(personas["provider"])
    receiver.post(f"/referrals/{planted['code']}/act/accept/")
    call_command("send_notifications")
    bodies = [f"{m.subject}\n{m.body}" for m in OutboxMessage.objects.all()]
    bodies += [f"{m.subject}\n{m.body}\n{json.dumps(getattr(m, 'alternatives', []))}" for m in mail.outbox]
    assert bodies, "the referral and its acceptance were notified"
    for body in bodies:
        assert leaks(body) == [] and "Houston" not in body and not re.search(r"\b77002\b", body)

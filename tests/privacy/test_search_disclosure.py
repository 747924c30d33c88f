"""A confidential site must not be findable by what the viewer may not see (docs/privacy.md, docs/search.md).

The planted site of test_planted_markers, with one more service there whose text names the site's ZIP+4 and direct
line. Searching any of its markers as the public or as another provider finds nothing, through every output that
takes words; those who may see the site exactly find its services by them (the test is not vacuous).
"""

import pytest

from tests.privacy.test_planted_markers import MARKERS, client_as, planted  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

SEARCHED = {
    "street": MARKERS["street"],
    "zip+4": MARKERS["zip+4"],
    "direct line": "713-555-0177",
    "site description": MARKERS["description"],
    "transportation": MARKERS["transportation"],
    "hours note": MARKERS["hours note"],
    "offer description": MARKERS["offer description"],
}
# What the services' own text names: the street (the planted service), ZIP+4 and direct line (the one added here).
IN_SERVICE_TEXT = {"street", "zip+4", "direct line"}


@pytest.fixture
def with_intake(planted):  # noqa: F811 (the imported fixture)
    from tests import factories

    intake = factories.service(
        planted["organization"], name="Night Intake", needs=("emergency-shelter",),
        eligibility_description=f"Call 713-555-0177 first; mail goes to {MARKERS['zip+4']}.",
    )  # fmt: skip
    factories.offer(intake, planted["site"])
    return {**planted, "intake": intake}


def outputs(words: str) -> list[tuple[str, dict]]:
    near = {"near": "29.76,-95.37", "radius_mi": "30"}
    return [
        ("/api/services/", {"q": words}),
        ("/api/services/", {"q": words, **near}),
        ("/api/organizations/", {"q": words}),
        ("/api/locations/", {"q": words, **near}),
        ("/api/match/", {"q": words, "needs": "emergency-shelter", **near}),
        ("/hsds/services", {"search": words}),
    ]


def found_count(response) -> int:
    assert response.status_code == 200, response.content
    body = response.json()
    for key in ("results", "features", "contents"):
        if key in body:
            return len(body[key])
    raise AssertionError(body)


@pytest.mark.parametrize("role", ["anonymous", "other_provider"])
@pytest.mark.parametrize("marker", sorted(SEARCHED))
def test_the_public_and_other_providers_cannot_find_the_site_by_its_markers(with_intake, personas, role, marker):
    client = client_as(role, personas)
    for path, params in outputs(SEARCHED[marker]):
        assert found_count(client.get(path, params)) == 0, (role, marker, path)
    suggestions = client.get("/api/suggest/", {"q": SEARCHED[marker][:6]}).json()["suggestions"]
    assert suggestions == [], (role, marker)


@pytest.mark.parametrize("role", ["hotline", "specialist", "moderator"])
@pytest.mark.parametrize("marker", sorted(IN_SERVICE_TEXT))
def test_those_who_see_the_site_exactly_find_its_services_by_their_text(with_intake, personas, role, marker):
    client = client_as(role, personas)
    found = client.get("/api/services/", {"q": SEARCHED[marker]}).json()["results"]
    assert found, (role, marker)
    assert {row["organization"]["id"] for row in found} == {str(with_intake["organization"].pk)}


def test_the_public_finds_the_site_by_what_it_is_shown(with_intake, personas):
    client = client_as("anonymous", personas)
    assert found_count(client.get("/api/services/", {"q": "Night Intake"})) == 1
    assert found_count(client.get("/api/locations/", {"q": "emergency shelter", "near": "77002"})) == 1


def test_a_text_a_moderator_marked_safe_on_the_site_becomes_searchable_by_the_public(with_intake, personas):
    from providers.disclosure import text_digest

    site, intake = with_intake["site"], with_intake["intake"]
    client = client_as("anonymous", personas)
    assert found_count(client.get("/api/services/", {"q": "mail goes"})) == 0
    site.safe_texts = [text_digest(intake.eligibility_description)]
    site.save()
    assert found_count(client.get("/api/services/", {"q": "mail goes"})) == 1


def test_making_a_site_confidential_withholds_its_services_text_from_the_public_at_once(personas):
    from providers import registry
    from providers.disclosure import text_digest
    from tests import factories

    org = factories.organization(name="Quiet Harbor")
    service = factories.service(org, name="Night Intake", needs=("emergency-shelter",),
                                description="Ring at 12 Quokka Lane.")  # fmt: skip
    site = factories.location(org)
    factories.offer(service, site)
    public, hotline = client_as("anonymous", personas), client_as("hotline", personas)
    assert found_count(public.get("/api/services/", {"q": "Quokka Lane"})) == 1  # not confidential yet
    site.is_confidential = True
    registry.record_save(site)  # the registry's write path: it gets its public point
    assert found_count(public.get("/api/services/", {"q": "Quokka Lane"})) == 0
    assert found_count(hotline.get("/api/services/", {"q": "Quokka Lane"})) == 1
    site.safe_texts = [text_digest(service.description)]
    site.save()
    assert found_count(public.get("/api/services/", {"q": "Quokka Lane"})) == 1
    service.description = "Ring at 12 Quokka Lane, side door."  # an edited text is withheld again by itself
    service.save()
    assert found_count(public.get("/api/services/", {"q": "Quokka Lane"})) == 0

"""Forms take the API's validation: a NUL character anywhere in a page's form or query is a 400 naming the field,
whichever page, and every listing write refuses one whoever calls it (core/input.py, providers/registry.py)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver

from providers import services
from tests import factories

pytestmark = pytest.mark.django_db


def _page_routes(resolver=None, prefix=""):
    """Every URL pattern of the pages (not the API, whose parsers the fuzz tests cover), as a path to request."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _page_routes(entry, route)
        elif isinstance(entry, URLPattern) and not route.startswith(("api/", "hsds/", "^")):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", "00000000-0000-0000-0000-000000000000", route)


PAGES = sorted(set(_page_routes()))


def test_the_portal_refuses_a_nul_in_a_text_field_by_name(client, personas, provider_org):
    service = factories.service(provider_org, name="Legal clinic")
    client.force_login(personas["provider"])
    for field, value in (("name", "\x00"), ("alert", "a\x00b")):
        response = client.post(f"/portal/edit/service/{service.pk}/", {field: value})
        assert response.status_code == 400
        assert f"{field}: Null characters are not allowed." in response.content.decode()
    service.refresh_from_db()
    assert service.name == "Legal clinic"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_refuses_a_nul_in_its_form_and_query(client, personas, path):
    client.force_login(personas["moderator"])
    assert client.post(path, {"reason": "a\x00b"}).status_code == 400
    assert client.get(path, {"q": "\x00"}).status_code == 400


def test_every_listing_write_refuses_a_nul_whoever_calls(personas, provider_org):
    """The registry's write path names the field for callers that are not forms (the importer, a script)."""
    location = factories.location(provider_org, name="Main office")
    with pytest.raises(ValidationError) as refused:
        services.listing_edit(user=personas["provider"], instance=location, values={"transportation": "bus\x00"})
    assert refused.value.message_dict == {"transportation": ["Null characters are not allowed."]}


HOSTILE = ["9" * 40, "1e309", "9999-12-31", "x" * 20_000, ",".join(["a"] * 500), "-1", "%", "../../etc/passwd"]


@pytest.mark.parametrize("path", [p for p in PAGES if not p.startswith("/admin/")])
def test_every_page_holds_against_hostile_query_values(client, personas, path):
    """The parameters pages read (offers, offer, needs, next, lang) and any other: a 4xx at worst."""
    client.force_login(personas["hotline"])
    for value in HOSTILE:
        for name in ("offers", "offer", "needs", "next", "lang", "q"):
            response = client.get(path, {name: value})
            assert response.status_code < 500, (path, name, value[:40], response.status_code)

"""The coverage page: staff choose a need (and a language) and get the map, a legend in miles, the table of
counties farthest first, and the downloads."""

import pytest

from accounts.roles import Role
from tests import factories
from tests.coveragemap.fixtures import listed

pytestmark = pytest.mark.django_db


def signed_in(client, role: Role):
    client.force_login(factories.user(role, organization=factories.organization() if role == Role.PROVIDER else None))
    return client


def test_the_page_has_the_table_farthest_first_and_the_downloads(client, counties):
    listed("t-visa", 29.7, -95.4)  # in Harris
    response = signed_in(client, Role.HOTLINE).get("/coverage/", {"need": "t-visa"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/coverage/?need=t-visa&amp;format=csv" in page and "format=geojson" in page
    rows = [row.split("</td>")[0] for row in page.split("<tr><td>")[1:]]
    assert rows == ["Los Angeles", "Dallas", "Harris"]  # farthest first
    assert "Coverage</a>" in page  # the navigation's link


def test_a_language_is_asked_by_its_name_and_a_bad_choice_is_said(client, counties):
    client = signed_in(client, Role.MODERATOR)
    page = client.get("/coverage/", {"need": "interpretation", "language": "ti", "age": 15}).content.decode()
    assert "Only providers working in Tigrinya." in page and "Only services a person aged 15 may use." in page
    assert "language=ti&amp;age=15&amp;format=csv" in page
    bad = client.get("/coverage/", {"need": "no-such-need"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()


@pytest.mark.parametrize("role", [Role.PROVIDER, None])
def test_providers_and_the_public_do_not_get_the_page(client, counties, role):
    if role is None:
        assert client.get("/coverage/").status_code == 302  # to sign in
    else:
        assert signed_in(client, role).get("/coverage/").status_code == 403
        assert "Coverage</a>" not in client.get("/").content.decode()

"""The vocabularies every request validates against are read once per process (providers/vocabulary.py): a change
made in this process is seen at once, one made elsewhere (another app server, a migration's SQL) within
VOCABULARY_MAX_AGE_S."""

import pytest
from django.db import connection

from providers import vocabulary
from providers.models import Language

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_copy():
    """The rows these tests add are rolled back: no copy of them may outlive the test."""
    vocabulary.forget()
    yield
    vocabulary.forget()


def test_a_language_added_here_is_accepted_at_once(api):
    assert api.get("/api/locations/", {"language": "qq"}).status_code == 400
    Language.objects.create(code="qq", name="A new language")
    assert api.get("/api/locations/", {"language": "qq"}).status_code == 200


def test_a_code_added_elsewhere_is_seen_once_the_copy_is_old(api, monkeypatch):
    assert api.get("/api/locations/", {"need": "elsewhere"}).status_code == 400  # the copy is read now
    with connection.cursor() as cursor:  # as another process would: no signal here
        cursor.execute(
            "INSERT INTO providers_needterm (code, name, description, sort_order, search_words) "
            "VALUES ('elsewhere', 'Elsewhere', '', 0, '')"
        )
    assert api.get("/api/locations/", {"need": "elsewhere"}).status_code == 400  # still this process's copy
    read_at = vocabulary.vocabulary().read_at
    monkeypatch.setattr(vocabulary.time, "monotonic", lambda: read_at + vocabulary.VOCABULARY_MAX_AGE_S + 1)
    assert api.get("/api/locations/", {"need": "elsewhere"}).status_code == 200

"""The vocabularies every request validates against are read once per process (providers/vocabulary.py): a change
made in this process is seen at once, one made elsewhere (another app server, a migration's SQL) within
VOCABULARY_MAX_AGE_S."""

import pytest
from django.db import OperationalError, connection

from providers import vocabulary
from providers.models import Language, Population

pytestmark = pytest.mark.django_db


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
    monkeypatch.setattr(vocabulary, "_now", lambda: read_at + vocabulary.VOCABULARY_MAX_AGE_S + 1)
    assert api.get("/api/locations/", {"need": "elsewhere"}).status_code == 200


def test_a_population_added_here_is_accepted_at_once(api):
    assert api.get("/api/services/", {"population": "new-group"}).status_code == 400
    Population.objects.create(code="new-group", name="A new group", dimension="identity")
    assert api.get("/api/services/", {"population": "new-group"}).status_code == 200


def test_the_copy_in_hand_is_kept_while_the_primary_does_not_answer(api, monkeypatch):
    copy = vocabulary.vocabulary()
    later = copy.read_at + vocabulary.VOCABULARY_MAX_AGE_S + 1
    monkeypatch.setattr(vocabulary, "_now", lambda: later)

    def unanswered(self):
        raise OperationalError("the primary does not answer")

    monkeypatch.setattr(vocabulary.Vocabulary, "__init__", unanswered)
    assert vocabulary.vocabulary() is copy  # kept, and asked again only after VOCABULARY_RETRY_S
    assert later - copy.read_at == pytest.approx(vocabulary.VOCABULARY_MAX_AGE_S - vocabulary.VOCABULARY_RETRY_S)
    assert api.get("/api/locations/", {"need": "medical"}).status_code == 200
    vocabulary.forget()
    with pytest.raises(OperationalError):  # nothing in hand: the error, as any read of the primary's
        vocabulary.vocabulary()


def test_a_read_that_spans_a_change_is_not_kept(monkeypatch):
    """A change commits (forget) while another thread is reading: that read may miss it, so it is used once and
    not kept for the next minute."""
    read = vocabulary.Vocabulary.__init__

    def read_across_a_commit(self):
        read(self)
        vocabulary.forget()  # the other thread's change commits before this read is stored

    monkeypatch.setattr(vocabulary.Vocabulary, "__init__", read_across_a_commit)
    assert vocabulary.vocabulary().terms
    monkeypatch.setattr(vocabulary.Vocabulary, "__init__", read)
    assert vocabulary._copy is None
    assert vocabulary.vocabulary() is vocabulary._copy is not None

"""The handout (providers.handout): the chosen services as the public sees them, in one template translated per
language, for a message (neutral opening lines, the hotline by its number, how to delete it, a neutral signature)
and for the printed sheet."""

import uuid

import pytest
from django.utils.html import escape

from providers.handout import handout_items, handout_text
from tests import factories

pytestmark = pytest.mark.django_db
SENSITIVE = ("trafficking", "victim", "shelter", "refugio", "trata", "víctima", "abuse", "abuso")


def test_a_message_shows_the_publics_view_of_each_site_in_the_order_chosen(chosen):
    items = handout_items(chosen, limit=10)
    text = handout_text(items, language="en")

    assert items[1].place == ("Pasadena, TX 77506",) and items[1].phones == ("(713) 555-0122",)
    assert "500 Main St" in text and "(713) 555-0133 ext. 12" in text and "Mon 09:00–17:00" in text
    assert "Hidden" not in text and "Unit 3" not in text and "6008" not in text and "555-0111" not in text
    assert text.index("500 Main St") < text.index("Pasadena")
    again = handout_text(handout_items(chosen[::-1], limit=10), language="en")
    assert again.index("Pasadena") < again.index("500 Main St")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_message_opens_neutrally_and_says_how_to_delete_it(chosen, settings, language):
    settings.HANDOUT_SENDER_NAME = "Community list"
    text = handout_text(handout_items(chosen, limit=10), language=language)
    lines = text.splitlines()

    opening = text[: text.index("1. ")]  # what a lock screen shows before the first service
    assert opening.strip() and not any(word in opening.lower() for word in SENSITIVE)
    assert (
        lines[0]
        == {"en": "Here is the information you asked for.", "es": "Aquí está la información que pidió."}[language]
    )
    hotline = next(line for line in lines if "1-888-373-7888" in line)
    assert not any(word in hotline.lower() for word in SENSITIVE)  # the hotline by its number, not its name
    assert ("delete this message" if language == "en" else "borre este mensaje") in lines[-2]
    assert lines[-1] == "Community list"


def test_a_language_not_offered_gets_the_sites(chosen):
    assert handout_text(handout_items(chosen, limit=10), language="fr").startswith("Here is the information")


def test_the_printed_sheet_carries_the_same_words_without_the_messages_lines(chosen, client):
    paper = handout_text(handout_items(chosen, limit=10), language="en", paper=True)
    html = client.get("/print/", {"offers": ",".join(str(pk) for pk in chosen)}).content.decode()

    assert "Here is the information" not in paper and "delete" not in paper
    assert paper.startswith("National Human Trafficking Hotline")  # first on paper
    for line in paper.splitlines():
        assert escape(line) in html
    assert "Hidden" not in html and "555-0111" not in html


def test_the_printed_sheet_is_in_the_readers_language_escapes_names_and_keeps_twelve(chosen, client, provider_org):
    spanish = client.get("/print/", {"offers": str(chosen[0])}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Línea Nacional" in spanish and "Horario: lun 09:00–17:00" in spanish

    provider_org.name = 'A & B <b>Help</b> "O\'Neil"'
    provider_org.save()
    html = client.get("/print/", {"offers": str(chosen[0])}).content.decode()
    assert "<b>Help</b>" not in html and escape('A & B <b>Help</b> "O\'Neil"') in html

    site = factories.location(provider_org)
    service = factories.service(provider_org, name="Advice", needs=("legal-civil",))
    offers = [factories.offer(service, site).pk for _ in range(1)] + [uuid.uuid4() for _ in range(11)] + chosen
    html = client.get("/print/", {"offers": ",".join(str(pk) for pk in offers)}).content.decode()
    assert "1. " in html and "2. " not in html  # the thirteenth id is past the sheet's twelve


def test_unknown_repeated_and_malformed_ids_are_skipped_and_the_limit_kept(chosen):
    given = [uuid.uuid4(), "not-an-id", str(chosen[0]), chosen[0], chosen[1]]
    assert [item.place[0] for item in handout_items(given, limit=10)] == ["500 Main St", "Pasadena, TX 77506"]
    assert [item.place[0] for item in handout_items(chosen, limit=1)] == ["500 Main St"]


@pytest.mark.parametrize(("name", "errors"), [("Service directory", 0), ("Anti-Trafficking Project", 1),
                                              ("Refugio de Mujeres", 1)])  # fmt: skip
def test_a_sender_name_that_says_what_the_message_is_about_is_refused_at_start(settings, name, errors):
    from providers.handout import check_sender_name

    settings.HANDOUT_SENDER_NAME = name
    assert [error.id for error in check_sender_name()] == ["providers.E001"] * errors


@pytest.mark.parametrize("language, closed", [("en", "Closed: "), ("es", "Cerrado: ")])
def test_the_closures_of_the_next_two_weeks_are_named_without_their_notes(chosen, language, closed):
    from datetime import timedelta

    from django.utils import timezone, translation
    from django.utils.dateformat import format as date_format

    from providers.models import HoursException, ServiceAtLocation

    offer = ServiceAtLocation.objects.get(pk=chosen[0])
    soon, later = timezone.localdate() + timedelta(days=3), timezone.localdate() + timedelta(days=30)
    HoursException.objects.create(location=offer.location, starts_on=soon, ends_on=soon + timedelta(days=1),
                                  note="Moving to 12 Quokka Lane")  # fmt: skip
    HoursException.objects.create(location=offer.location, starts_on=later, ends_on=later)  # beyond two weeks
    other = factories.service(offer.service.organization, name="Legal help")
    factories.offer(other, offer.location)
    HoursException.objects.create(location=offer.location, service=other, starts_on=soon + timedelta(days=5),
                                  ends_on=soon + timedelta(days=5))  # another service's: not this one's  # fmt: skip

    text = handout_text(handout_items(chosen, limit=10), language=language)

    with translation.override(language):
        expected = f"{closed}{date_format(soon, 'D j M')}–{date_format(soon + timedelta(days=1), 'D j M')}"
    assert [line for line in text.splitlines() if line.startswith(closed)] == [expected]
    assert "Quokka" not in text

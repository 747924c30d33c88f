"""After a send, no table holds the survivor's number or email address in any form, whatever reached it (the
queue's jobs included), and the SMS provider's callbacks reach the app over HTTP; two real workers send each list
at most once."""

import re
import threading
import time

import pytest
from django.db import connection

from sends import services, tasks
from sends.models import Send
from tests.sends.fixtures import EMAIL, NUMBER
from tests.standins import run_workers

# The number as people and systems write it; the address and its parts.
NEEDLES = ("7135550199", "713-555-0199", "713) 555-0199", "713.555.0199", "555-0199", EMAIL, "someone.private")


def create(sender, offers, *, channel: str, address: str, key: str) -> Send:
    return services.send_create(sender=sender, offers=offers, channel=channel, address=address, language="en",
                                safety_confirmed=True, idempotency_key=key)[0]  # fmt: skip


def tables_holding(needles) -> dict[str, list[str]]:
    """Every table of the database (the job queue's too) whose rows, as text, hold one of the needles."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 - names from the catalogue
            rows = [row[0] for row in cursor.fetchall()]
            hits = [n for n in needles if any(n in row for row in rows)]
            hits += ["digits"] if any("7135550199" in re.sub(r"\D", "", row) for row in rows) else []
            if hits:
                found[table] = hits
    return found


@pytest.mark.django_db(transaction=True)
def test_no_table_holds_the_number_or_address_before_or_after_delivery(personas, chosen, smtp, twilio, live_server,
                                                                       settings):  # fmt: skip
    settings.SITE_URL = live_server.url
    by_text = create(personas["hotline"], chosen, channel="sms", address=NUMBER, key="a")
    by_email = create(personas["specialist"], chosen, channel="email", address=EMAIL, key="b")
    assert tables_holding(NEEDLES) == {}  # queued: encrypted, and the jobs carry ids only

    tasks.deliver(send_id=str(by_text.pk))
    tasks.deliver(send_id=str(by_email.pk))
    (message,) = twilio.messages
    assert twilio.report(message, "sent") == 204  # on the way: nothing changes
    assert twilio.report(message, "delivered") == 204  # Twilio's callback, over HTTP, to the running app

    assert dict(Send.objects.values_list("channel", "status")) == {"sms": "delivered", "email": "sent"}
    assert len(smtp.messages) == 1 and smtp.messages[0].recipients == [EMAIL]
    assert tables_holding(NEEDLES) == {}


def test_the_scan_finds_a_number_where_one_is_kept(personas, db):
    """The scan itself: a number kept in a column is found."""
    from tests import factories

    factories.phone(location=factories.location(), number=NUMBER)
    assert "public.providers_phone" in tables_holding(NEEDLES)


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_list_at_most_once(personas, chosen, twilio):
    with connection.cursor() as cursor:  # jobs other tests committed are not this test's
        cursor.execute("DELETE FROM procrastinate_jobs")
    sends = [
        create(personas["hotline"], chosen, channel="sms", address=f"+1713555{n:04d}", key=f"k{n}") for n in range(12)
    ]
    for send in sends:  # and a second job for each: two workers race for every send
        tasks.deliver.defer(send_id=str(send.pk))
    run_workers(
        "sends", SMS_BACKEND="sends.twilio_sms.TwilioBackend", TWILIO_ACCOUNT_SID=twilio.account_sid,
        TWILIO_AUTH_TOKEN=twilio.auth_token, TWILIO_FROM_NUMBER="+15005550006", TWILIO_API_BASE_URL=twilio.base_url,
    )  # fmt: skip

    assert sorted(m.to for m in twilio.messages) == sorted(f"+1713555{n:04d}" for n in range(12))
    assert set(Send.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Send.objects.values_list("address", flat=True)) == {""}


@pytest.mark.django_db(transaction=True)
def test_a_twin_request_that_waited_at_the_limit_is_answered_as_a_replay(personas, chosen, settings, monkeypatch):
    """Two identical requests at once, with room for one send: the second waits for the first's locks, then finds
    its send and answers with it; it is not counted against the limit (429)."""
    settings.SENDS_PER_SENDER_HOUR = 1
    holding, outcomes = threading.Event(), {}
    check_limits = services._check_limits

    def slow_check(**kwargs):
        holding.set()  # the first request holds the locks; the twin starts now and must wait for them
        time.sleep(0.5)
        return check_limits(**kwargs)

    monkeypatch.setattr(services, "_check_limits", slow_check)

    def request(name):
        try:
            outcomes[name] = create(personas["hotline"], chosen, channel="sms", address=NUMBER, key="same")
        except services.LimitReached as exc:
            outcomes[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=request, args=("first",))
    first.start()
    assert holding.wait(10)
    twin = threading.Thread(target=request, args=("twin",))
    twin.start()
    first.join(20)
    twin.join(20)

    assert isinstance(outcomes["twin"], Send), outcomes["twin"]
    assert outcomes["twin"].pk == outcomes["first"].pk and Send.objects.count() == 1

"""Two people acting on one referral at the same moment, with real concurrent database sessions.

Each test holds the first request inside its transaction (a signal waits on a gate) until the second one
is seen waiting on a database lock, then lets both finish: the outcome no longer depends on timing luck.
These tests commit for real, so they run with transaction=True (pytest-django orders them last; the
migrations' rows are reloaded by tests/conftest.py).
"""

import threading
import time

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save

from referrals.models import IdempotencyKey, Referral, ReferralEvent

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_S = 10


def wait_for_a_blocked_session() -> bool:
    """Return True once another session of this database waits on a lock (False after WAIT_S seconds)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


class Gate:
    """Holds the first request that reaches a signal until released."""

    def __init__(self, matches):
        self.matches = matches
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, sender, instance, **kwargs):
        if self.matches(instance) and not self.reached.is_set():
            self.reached.set()
            self.release.wait(WAIT_S)


def run_in_thread(results: dict, name: str, call):
    def target():
        try:
            results[name] = call()
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def race(signal, model, gate, first, second) -> tuple[dict, bool]:
    """Run `first` until it reaches the gate, then `second`; release once `second` waits on a lock."""
    results: dict = {}
    signal.connect(gate, sender=model, weak=False)
    try:
        one = run_in_thread(results, "first", first)
        assert gate.reached.wait(WAIT_S), "the first request never reached the gate"
        two = run_in_thread(results, "second", second)
        blocked = wait_for_a_blocked_session()
        gate.release.set()
        one.join(WAIT_S)
        two.join(WAIT_S)
    finally:
        gate.release.set()
        signal.disconnect(gate, sender=model)
    return results, blocked


def test_two_concurrent_accepts_one_wins_and_one_gets_409(people, act, referral_code):
    gate = Gate(lambda event: event.to_status == "accepted")

    results, blocked = race(
        pre_save,
        ReferralEvent,
        gate,
        lambda: act(people["receiver"], referral_code, "accept"),
        lambda: act(people["receiver_colleague"], referral_code, "accept"),
    )

    assert blocked, "the second accept should wait for the first one's row lock"
    assert results["first"].status_code == 200
    assert results["second"].status_code == 409
    assert results["second"].data["status"] == "accepted"
    assert ReferralEvent.objects.filter(referral__code=referral_code, to_status="accepted").count() == 1


def test_a_retried_create_racing_the_first_makes_one_referral(people, send):
    gate = Gate(lambda row: True)

    results, blocked = race(
        post_save,
        IdempotencyKey,
        gate,
        lambda: send(people["sender"], key="call-77", note="Same body"),
        lambda: send(people["sender"], key="call-77", note="Same body"),
    )

    assert blocked, "the twin request should wait on the idempotency key of the first"
    assert results["first"].status_code == results["second"].status_code == 201
    assert results["first"].data["code"] == results["second"].data["code"]
    assert Referral.objects.count() == 1
    assert ReferralEvent.objects.count() == 1


def test_answering_one_referral_does_not_hold_up_others_to_the_same_organization(people, act, send):
    """A transition locks its referral row only. It once also locked the sender's and the receiving
    organization's rows (select_related under FOR UPDATE), so every new referral to that organization waited,
    and under load transitions and creates deadlocked (found by bench/load.py)."""
    first_code = send(people["sender"], note="First").data["code"]
    second_code = send(people["sender"], note="Second").data["code"]
    gate = Gate(lambda event: event.to_status == "accepted")
    results: dict = {}
    pre_save.connect(gate, sender=ReferralEvent, weak=False)
    try:
        holder = run_in_thread(results, "accept", lambda: act(people["receiver"], first_code, "accept"))
        assert gate.reached.wait(WAIT_S), "the accept never reached the gate"
        others = [
            run_in_thread(results, "create", lambda: send(people["sender"], note="Third")),
            run_in_thread(results, "decline", lambda: act(people["receiver_colleague"], second_code, "decline",
                                                          reason="no_capacity")),
        ]  # fmt: skip
        for thread in others:
            thread.join(WAIT_S / 2)
        finished_while_held = [not thread.is_alive() for thread in others]
    finally:
        gate.release.set()
        pre_save.disconnect(gate, sender=ReferralEvent)
    holder.join(WAIT_S)
    for thread in others:
        thread.join(WAIT_S)

    assert finished_while_held == [True, True]
    assert results["create"].status_code == 201
    assert results["decline"].status_code == 200, results["decline"].data
    assert results["accept"].status_code == 200

"""The job queue (procrastinate on PostgreSQL): an email's delivery job is written in the transaction that queues
the email, real workers deliver it over SMTP exactly once however many run, and the periodic jobs that cron ran
are registered with the queue."""

import pytest
from django.core import mail
from django.db import connection, transaction
from procrastinate.contrib.django import app

from notifications import tasks
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue
from tests.standins import SmtpServer, run_workers


def _jobs() -> list[tuple[str, int | None, str]]:
    """(task, message id, status) of every job."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT task_name, (args->>'message_id')::int, status FROM procrastinate_jobs ORDER BY id")
        return cursor.fetchall()


def _queue(n: int) -> list[OutboxMessage]:
    return [
        outbox_enqueue(kind="test", to_email=f"staff{i}@example.org", subject=f"Message {i}", body="Hello.")
        for i in range(n)
    ]


@pytest.mark.django_db
def test_an_email_and_its_delivery_job_are_written_together_or_not_at_all():
    before = len(_jobs())
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue(1)
        raise RuntimeError("the change that announced it failed")
    assert OutboxMessage.objects.count() == 0 and len(_jobs()) == before

    (message,) = _queue(1)

    assert _jobs()[before:] == [("notifications.deliver", message.pk, "todo")]


@pytest.mark.django_db
def test_a_job_queues_its_emails_in_its_own_transaction_too():
    """A worker's app defers through its own connection pool, which commits by itself: an email queued by a job (a
    referral expired, a reminder) must still be written with the job's change or not at all."""
    before = len(_jobs())
    with app.replace_connector(app.connector.get_worker_connector()):
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue(1)
            raise RuntimeError("the job's change failed")
    assert OutboxMessage.objects.count() == 0 and len(_jobs()) == before


@pytest.mark.django_db
def test_the_delivery_job_sends_a_due_message_once():
    (message,) = _queue(1)
    tasks.deliver(message_id=message.pk)
    tasks.deliver(message_id=message.pk)  # a second job for it (a retry, a duplicate) sends nothing

    message.refresh_from_db()
    assert message.status == "sent" and [m.subject for m in mail.outbox] == ["Message 0"]


def test_the_periodic_jobs_are_the_queues():
    periodic = {(p.task.name, p.cron) for p in app.periodic_registry.periodic_tasks.values()}
    assert periodic == {
        ("notifications.deliver_due", "* * * * *"),
        ("referrals.expire", "5 * * * *"),
        ("referrals.remind_overdue", "15 6 * * *"),
        ("referrals.purge", "30 3 * * *"),
        ("providers.remind_stale", "45 6 * * *"),
        ("jobs.retry_stalled", "*/5 * * * *"),
        ("jobs.remove_old", "50 2 * * *"),
        ("sends.deliver_due", "* * * * *"),
        ("sends.purge", "40 * * * *"),
        ("coveragemap.refresh_all", "20 2 * * *"),
        ("coveragemap.refresh_if_changed", "*/15 * * * *"),
    }


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_message_exactly_once_over_smtp():
    with connection.cursor() as cursor:  # jobs other tests committed are not this test's
        cursor.execute("DELETE FROM procrastinate_jobs")
    messages = _queue(30)
    for message in messages:  # and a second job for each: two workers will race for every message
        tasks.deliver.defer(message_id=message.pk)
    with SmtpServer() as smtp:
        run_workers("email", EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                    EMAIL_PORT=str(smtp.port))  # fmt: skip

    assert sorted(smtp.subjects) == sorted(f"Message {i}" for i in range(30))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert {status for task, _, status in _jobs() if task == "notifications.deliver"} == {"succeeded"}


class _RefusingBackend:
    """An SMTP server that refuses the recipient, naming it, as SMTPRecipientsRefused does."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 no such user")})


@pytest.mark.django_db
def test_a_refused_recipients_address_is_not_kept_in_the_error(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_job_queue._RefusingBackend"
    (message,) = _queue(1)

    tasks.deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == "pending" and "550" in message.last_error
    assert "staff0@example.org" not in message.last_error and "(recipient)" in message.last_error

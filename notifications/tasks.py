"""Jobs of the email outbox (procrastinate): each message's delivery, deferred in the transaction that queued it,
and a sweep every minute for what is due again after a failed attempt (the outbox's own backoff)."""

from procrastinate import RetryStrategy, jobs, manager
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.exceptions import ConnectorException

from notifications.services import outbox_deliver, outbox_deliver_one

JOBS_KEPT_HOURS = 7 * 24  # finished jobs, for monitoring; failed, cancelled or aborted ones a month
# A job that raised runs again after 1, then 2 minutes (a database restart, a deadlock), then fails.
RETRY = RetryStrategy(max_attempts=2, wait=60, linear_wait=60)
STALLED_AFTER_S = 300  # a worker without a heartbeat this long (it beats every 10 s) is taken for gone
_THIS_TRANSACTION = manager.JobManager(DjangoConnector())


def defer_in_transaction(task, **task_kwargs) -> int:
    """Defer a job through Django's connection, in the caller's transaction: a rolled-back change leaves no job.
    (A worker's own app defers through its connection pool, which commits by itself.)"""
    return jobs.JobDeferrer(job_manager=_THIS_TRANSACTION, job=task.configure().job).defer(**task_kwargs)


@app.task(name="notifications.deliver", queue="email", retry=RETRY)
def deliver(message_id: int) -> None:
    outbox_deliver_one(message_id)


@app.periodic(cron="* * * * *", periodic_id="outbox")
@app.task(name="notifications.deliver_due", queue="email", queueing_lock="notifications.deliver_due")
def deliver_due(timestamp: int) -> None:
    outbox_deliver()


# The queue's own housekeeping (here, with its first user: the lowest package that has jobs).
@app.periodic(cron="*/5 * * * *", periodic_id="retry_stalled")
@app.task(name="jobs.retry_stalled", queue="housekeeping", pass_context=True)
async def retry_stalled(context, timestamp: int) -> None:
    """Run again the jobs of a worker gone without a word (killed, its machine lost) mid-job. A worker stopping
    gracefully stops its heartbeat while it finishes its jobs (at most PROCRASTINATE_WORKER_DEFAULTS'
    shutdown_graceful_timeout), well within STALLED_AFTER_S. The minute's sweep is left to the next minute's."""
    manager_ = context.app.job_manager
    for job in await manager_.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S):
        if job.task_name == deliver_due.name:
            continue
        try:
            await manager_.retry_job(job)
        except ConnectorException:  # finished meanwhile, or its queueing lock is taken: the others still go
            continue


@app.periodic(cron="50 2 * * *", periodic_id="remove_old_jobs")
@app.task(name="jobs.remove_old", queue="housekeeping", pass_context=True)
async def remove_old_jobs(context, timestamp: int) -> None:
    await context.app.job_manager.delete_old_jobs(nb_hours=JOBS_KEPT_HOURS)
    await context.app.job_manager.delete_old_jobs(
        nb_hours=30 * 24, include_failed=True, include_cancelled=True, include_aborted=True
    )

"""Jobs of sends (procrastinate): each send's first attempt, deferred in the transaction that creates it; a sweep
every minute for retries and interrupted sends; a daily purge of hashes and keys."""

from procrastinate.contrib.django import app

from notifications.tasks import RETRY, defer_in_transaction
from sends import services


def defer_delivery(send_id) -> int:
    """The delivery job of a new send, in the caller's transaction; its argument is the send's id, nothing else."""
    return defer_in_transaction(deliver, send_id=str(send_id))


@app.task(name="sends.deliver", queue="sends", retry=RETRY)
def deliver(send_id: str) -> None:
    services.send_deliver_one(send_id)


@app.periodic(cron="* * * * *", periodic_id="sends")
@app.task(name="sends.deliver_due", queue="sends", queueing_lock="sends.deliver_due")
def deliver_due(timestamp: int) -> None:
    services.sends_deliver_due()


@app.periodic(cron="40 * * * *", periodic_id="sends_purge")
@app.task(name="sends.purge", queue="housekeeping")
def purge(timestamp: int) -> None:
    services.sends_purge()

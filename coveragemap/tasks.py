"""The coverage map kept current by the job queue (procrastinate): every map each night, and every quarter hour
when much of the registry changed since (coveragemap.refresh)."""

from procrastinate.contrib.django import app

from coveragemap.refresh import coverage_refresh_all, coverage_refresh_if_changed
from coveragemap.selectors import unmet_since
from matching.unmet import unmet_purge
from notifications.tasks import RETRY

# Their own queue, so that a refresh does not hold up the housekeeping (the referral purge); one refresh waiting at a
# time (queueing_lock), however many workers run.
QUEUE = "coverage"


@app.periodic(cron="20 2 * * *", periodic_id="coverage_nightly")
@app.task(name="coveragemap.refresh_all", queue=QUEUE, queueing_lock="coverage_refresh_all", retry=RETRY)
def refresh_all(timestamp: int) -> None:
    coverage_refresh_all()
    unmet_purge(before=unmet_since())


@app.periodic(cron="*/15 * * * *", periodic_id="coverage_if_changed")
@app.task(name="coveragemap.refresh_if_changed", queue=QUEUE, queueing_lock="coverage_refresh_if_changed",
          retry=RETRY)  # fmt: skip
def refresh_if_changed(timestamp: int) -> None:
    coverage_refresh_if_changed()

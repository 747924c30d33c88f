"""Listing housekeeping as a periodic job (procrastinate; idempotent, as `manage.py remind_stale` is)."""

from django.conf import settings
from procrastinate.contrib.django import app

from notifications.tasks import RETRY
from providers.services import organizations_remind_stale


@app.periodic(cron="45 6 * * *", periodic_id="remind_stale")
@app.task(name="providers.remind_stale", queue="housekeeping", retry=RETRY)
def remind_stale(timestamp: int) -> None:
    organizations_remind_stale(every_days=settings.STALE_REMINDER_EVERY_DAYS)

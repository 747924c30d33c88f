"""Referral housekeeping as periodic jobs (procrastinate; one job per tick however many workers run). Each is
idempotent, as the management commands of the same names are."""

from django.conf import settings
from procrastinate.contrib.django import app

from notifications.tasks import RETRY
from referrals.services import referrals_expire, referrals_purge, referrals_remind_overdue


@app.periodic(cron="5 * * * *", periodic_id="expire")
@app.task(name="referrals.expire", queue="housekeeping", retry=RETRY)
def expire(timestamp: int) -> None:
    referrals_expire()


@app.periodic(cron="15 6 * * *", periodic_id="remind_overdue")
@app.task(name="referrals.remind_overdue", queue="housekeeping", retry=RETRY)
def remind_overdue(timestamp: int) -> None:
    referrals_remind_overdue()


@app.periodic(cron="30 3 * * *", periodic_id="purge")
@app.task(name="referrals.purge", queue="housekeeping", retry=RETRY)
def purge(timestamp: int) -> None:
    referrals_purge(older_than_days=settings.REFERRAL_RETENTION_DAYS)

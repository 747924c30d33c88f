from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referrals.services import referrals_expire


class Command(BaseCommand):
    help = "Mark referrals nobody answered within REFERRAL_EXPIRE_AFTER_DAYS as expired (and tell the senders)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help=f"Override the setting (now {settings.REFERRAL_EXPIRE_AFTER_DAYS})."
        )

    def handle(self, *args, days: int | None, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more")
        count = referrals_expire(older_than_days=days)
        self.stdout.write(f"expired {count} referral(s)")

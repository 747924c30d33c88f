from django.conf import settings
from django.core.management.base import BaseCommand

from providers.services import organizations_remind_stale


class Command(BaseCommand):
    help = (
        "Email organizations whose services are stale (not verified for LISTING_STALE_AFTER_DAYS), through "
        "the outbox, at most every STALE_REMINDER_EVERY_DAYS days each."
    )

    def handle(self, *args, **options):
        count = organizations_remind_stale(every_days=settings.STALE_REMINDER_EVERY_DAYS)
        self.stdout.write(f"reminded {count} organization(s)")

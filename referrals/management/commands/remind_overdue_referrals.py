from django.core.management.base import BaseCommand

from referrals.services import referrals_remind_overdue


class Command(BaseCommand):
    help = (
        "Remind about referrals accepted REFERRAL_OVERDUE_AFTER_DAYS ago and neither started nor closed: the "
        "receiving organization, then (after as many days again) the sender. Nothing is closed. Run it daily."
    )

    def handle(self, *args, **options):
        counts = referrals_remind_overdue()
        self.stdout.write(f"reminded {counts['receiver']} receiver(s) and {counts['sender']} sender(s)")

from django.core.management.base import BaseCommand, CommandError

from referrals.services import referrals_purge


class Command(BaseCommand):
    help = (
        "Remove client contact, consent, notes and free-text reasons from referrals that ended (closed, completed, "
        "declined, expired, withdrawn) more than DAYS ago, and client contact whose consent expired. "
        "Anonymous counts for reports are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")

    def handle(self, *args, older_than: int, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days")
        counts = referrals_purge(older_than_days=older_than)
        self.stdout.write(
            f"purged {counts['referrals']} referral(s); removed {counts['expired_consent_contacts']} "
            "client contact(s) whose consent expired"
        )

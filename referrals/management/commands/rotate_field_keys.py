from django.core.management.base import BaseCommand

from core.encryption import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt referral notes, client contact, consent purposes and reasons with the first key of "
        "FIELD_ENCRYPTION_KEYS. Put the new key first, run this, then remove the old keys."
    )

    def handle(self, *args, **options):
        for column, count in rotate_all().items():
            self.stdout.write(f"{column}: {count} value(s) re-encrypted")

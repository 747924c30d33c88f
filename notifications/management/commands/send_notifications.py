import time

from django.core.management.base import BaseCommand

from notifications.services import outbox_deliver


class Command(BaseCommand):
    help = "Deliver queued notification emails from the outbox, retrying failures with backoff."

    def add_arguments(self, parser):
        parser.add_argument("--watch", action="store_true", help="Keep running, polling the outbox.")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between polls with --watch.")
        parser.add_argument("--batch-size", type=int, default=100)

    def handle(self, *args, watch: bool, interval: float, batch_size: int, **options):
        while True:
            counts = outbox_deliver(batch_size=batch_size)
            if any(counts.values()) or not watch:
                self.stdout.write(f"sent {counts['sent']}, to retry {counts['retry']}, gave up {counts['failed']}")
            if not watch:
                return
            time.sleep(interval)

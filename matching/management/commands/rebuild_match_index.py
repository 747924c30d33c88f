"""python manage.py rebuild_match_index"""

import time

from django.core.management.base import BaseCommand

from matching.index import match_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the match index and the offer cards from the registry (after bulk loads that bypass model saves)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = match_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Match index: {rows} rows in {time.perf_counter() - started:.1f} s."))

"""Find organizations that may be one listing twice, across the whole registry, for the moderators' queue."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from stewardship.duplicates import organization_duplicates_find


class Command(BaseCommand):
    help = "Find and score pairs of organizations that may be duplicates (the moderators' queue: /api/duplicates/)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, cron).")

    def handle(self, *args, no_progress=False, **options):
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if no_progress:
                return
            if bar is None:
                bar = tqdm(total=total, unit="pair", desc="scoring", file=self.stderr._out)
            bar.update(done - bar.n)

        found = organization_duplicates_find(progress=progress)
        if bar is not None:
            bar.close()
        self.stdout.write(
            f"{found.pairs_read} pairs looked at, {found.kept} in the queue, {found.reopened_none} already said not "
            f"to be duplicates, {found.dropped} open pairs no longer alike removed"
        )

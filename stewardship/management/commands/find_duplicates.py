"""Find organizations, services and sites that may be one listing twice, across the whole registry, for the
moderators' queue."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from stewardship.finders import FINDERS, duplicates_find
from stewardship.models import DuplicateCandidate


class Command(BaseCommand):
    help = ("Find and score pairs of organizations, services and sites that may be duplicates (the moderators' "
            "queue: /api/duplicates/).")  # fmt: skip

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=[str(kind) for kind in FINDERS], action="append",
                            help="Only pairs of this kind (again for more); every kind by default.")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, cron).")

    def handle(self, *args, kind=None, no_progress=False, **options):
        bars = {}

        def progress(kind: str, done: int, total: int) -> None:
            if no_progress:
                return
            if kind not in bars:
                label = DuplicateCandidate.Kind(kind).label.lower()
                bars[kind] = tqdm(total=total, unit="pair", desc=f"scoring {label}s", file=self.stderr._out)
            bars[kind].update(done - bars[kind].n)
            if done == total:
                bars[kind].close()

        for found_kind, found in duplicates_find(kinds=kind, progress=progress).items():
            label = DuplicateCandidate.Kind(found_kind).label.lower()
            self.stdout.write(
                f"{label}s: {found.pairs_read} pairs looked at, {found.kept} in the queue, {found.reopened_none} "
                f"already said not to be duplicates, {found.dropped} open pairs no longer alike removed"
            )

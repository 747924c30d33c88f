from django.core.management.base import BaseCommand
from tqdm import tqdm

from coveragemap.refresh import coverage_refresh_all, coverage_refresh_if_changed


class Command(BaseCommand):
    help = "Compute the coverage map of every need again (the nightly job does this too)."

    def add_arguments(self, parser):
        parser.add_argument("--if-changed", action="store_true",
                            help="Only when COVERAGE_REFRESH_CHANGES listing changes were made since, or a need has "
                                 "no map yet (the quarter-hourly job).")  # fmt: skip
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs, cron).")

    def handle(self, *args, if_changed=False, no_progress=False, **options):
        if if_changed:
            done = coverage_refresh_if_changed()
        else:
            with tqdm(total=0, unit="map", disable=no_progress, file=self.stderr) as bar:

                def progress(finished: int, total: int) -> None:
                    bar.total = total
                    bar.update(finished - bar.n)

                done = coverage_refresh_all(progress)
        self.stdout.write(f"{done} coverage maps computed")

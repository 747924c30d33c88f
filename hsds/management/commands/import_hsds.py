import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hsds.importer import import_hsds
from hsds.readers import ReadError
from stewardship.finders import duplicates_find


class Command(BaseCommand):
    help = (
        "Import HSDS 3.1 (or 3.0) services from a JSON file (a service, a list, or a Page object), newline-delimited "
        "JSON (.ndjson/.jsonl), or a folder or zip of CSV files with datapackage.json. Every record is checked "
        "first; by default nothing is written if any is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--skip-invalid", action="store_true", help="Import the valid records, report the rest.")
        parser.add_argument("--report", type=Path, help="Also write every problem and warning to this JSON file.")
        parser.add_argument("--source", default="hsds", help="Name of the directory the ids belong to.")
        parser.add_argument("--no-duplicates", action="store_true",
                            help="Do not look for organizations, services and sites the import may have listed "
                                 "twice.")  # fmt: skip

    def handle(self, *args, path: Path, skip_invalid: bool, report: Path | None, source: str,
               no_duplicates: bool = False, **options):  # fmt: skip
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        last = [0.0]

        def progress(done: int, total: int, seconds: float) -> None:
            if seconds - last[0] >= 1 or done == total:
                last[0] = seconds
                rate = done / seconds if seconds else 0
                eta = (total - done) / rate if rate else 0
                sys.stderr.write(f"\r{done}/{total} services, {rate:.0f}/s, ETA {eta:.0f} s ")
                if done == total:
                    sys.stderr.write("\n")

        try:
            result = import_hsds(path, skip_invalid=skip_invalid, source=source, progress=progress)
        except ReadError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        for problem in result.problems + result.warnings:
            self.stdout.write(str(problem))
        if report:
            report.write_text(
                json.dumps(
                    {
                        "summary": result.summary(),
                        "problems": [vars(p) for p in result.problems],
                        "warnings": [vars(p) for p in result.warnings],
                    },
                    indent=2,
                )
            )
        self.stdout.write(result.summary())
        if result.applied and (result.created or result.updated) and not no_duplicates:
            # Another source may list what is here already: the pairs with what this import wrote (its organizations,
            # their services and sites), for moderators. Each search writes in its own transaction, after the import's.
            try:
                found = duplicates_find(result.organization_ids)
            except Exception as exc:  # noqa: BLE001 (the import is written: say what to run, do not fail it)
                self.stderr.write(f"The import is written; looking for duplicates failed ({exc!r}): run "
                                  "`manage.py find_duplicates`.")  # fmt: skip
            else:
                self.stdout.write(f"{found['organization'].kept} pair(s) of organizations, {found['service'].kept} of "
                                  f"services and {found['location'].kept} of sites that may be one listing twice, in "
                                  "the moderators' queue (/api/duplicates/)")  # fmt: skip
        if result.invalid and not skip_invalid:
            raise CommandError(f"{result.invalid} invalid service(s): nothing imported (use --skip-invalid)")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hsds.exporter import iter_services, write_csv, write_json
from providers.access import ConfidentialAccess
from providers.disclosure import SiteDisclosure
from providers.models import Location, Service


class Command(BaseCommand):
    help = (
        "Export every service as HSDS 3.1: --format json (a list of fully nested services) or csv (a folder of "
        "CSV files with datapackage.json). Confidential sites are generalized unless --include-confidential."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument(
            "--include-confidential",
            action="store_true",
            help="Exact points, street addresses and direct phones of confidential sites (for a trusted copy only).",
        )

    def handle(self, *args, path: Path, format: str, include_confidential: bool, **options):
        access = ConfidentialAccess(all=include_confidential)
        services = iter_services(Service.objects.all(), access=access)
        if format == "json":
            if path.is_dir():
                raise CommandError(f"{path} is a folder: give a file name for JSON")
            count = write_json(path, services)
        else:
            count = write_csv(path, services)
        confidential = Location.objects.filter(is_confidential=True)
        generalized = [loc for loc in confidential if not SiteDisclosure.of(loc, access).exact]
        self.stdout.write(f"exported {count} service(s) to {path}")
        if generalized:
            self.stdout.write(
                f"{len(generalized)} confidential location(s) generalized (approximate point, no street address, "
                "front-door phones only; marked with the attribute victim-services-directory-flag:generalized-location)"
            )

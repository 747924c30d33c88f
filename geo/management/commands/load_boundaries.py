"""python manage.py load_boundaries [--source PATH] [--if-empty]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from geo.boundaries import boundaries_load
from geo.models import Boundary


class Command(BaseCommand):
    help = "Load US state and county boundaries (us-atlas counties-10m.json, fetched by scripts/setup.sh)."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=settings.US_ATLAS_COUNTIES_PATH, help="TopoJSON file.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when boundaries are loaded.")

    def handle(self, *args, source, if_empty, **options):
        if if_empty and Boundary.objects.exists():
            return
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"--source: {path} does not exist (scripts/setup.sh fetches it with npm).")
        counts = boundaries_load(path=path)
        self.stdout.write(self.style.SUCCESS(f"Loaded {counts['states']} states and {counts['counties']} counties."))

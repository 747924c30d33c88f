"""python manage.py seed_demo [--locations N] [--seed S] [--if-empty]

Loads fictional demo listings (see demo/builder.py) and one demo account per role. Passwords are
random, printed once, and kept in .demo-logins (mode 600, git-ignored) so `make run` can show them again.
"""

import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create_or_update
from coveragemap.refresh import coverage_refresh_all
from demo.builder import demo_registry_load
from demo.unmet import plant_unmet
from providers.models import Organization, VictimAssistanceSpecialist
from stewardship.finders import duplicates_find


class Command(BaseCommand):
    help = "Load fictional demo organizations, services, locations and specialists, and demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--locations", type=int, default=3000, help="Number of locations (default 3000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the registry has data.")
        parser.add_argument("--no-users", action="store_true", help="Do not create the demo accounts.")

    def handle(self, *args, locations, seed, if_empty, no_users, **options):
        if locations < 1:
            raise CommandError("--locations must be at least 1.")
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("The registry already has data; demo data not loaded.")
                logins_file = Path(settings.DEMO_LOGINS_FILE)
                if logins_file.is_file():
                    self.stdout.write("Demo accounts (kept in .demo-logins):\n" + logins_file.read_text())
                return
            raise CommandError("The registry already has data. Use an empty database (or --if-empty).")
        started = time.perf_counter()
        builder = demo_registry_load(locations=locations, seed=seed)
        elapsed = time.perf_counter() - started
        counts = {name: len(rows) for name, rows in builder.rows.items()}
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {counts['organization']} organizations, {counts['service']} services, "
                f"{counts['location']} locations, {counts['service_at_location']} services at locations, "
                f"{len(builder.specialists)} specialists in {elapsed:.1f} s (seed {seed})."
            )
        )
        # The duplicate queue, with the organizations, services and sites planted twice (demo.twins) among what the
        # names make alike.
        found = duplicates_find()
        counts = ", ".join(f"{f.kept} of {kind}s" for kind, f in found.items())
        self.stdout.write(f"Possible duplicates for the moderation queue: {counts} ({len(builder.twins)} "
                          f"organizations, {len(builder.listed_twice)} services or sites planted).")  # fmt: skip
        # The coverage page's maps (the job queue keeps them current from here) and fictional unmet requests.
        maps, cells = coverage_refresh_all(), plant_unmet(seed)
        self.stdout.write(f"Coverage maps: {maps}; fictional unmet-request cells: {cells}.")
        if not no_users:
            self._create_users(builder.showcase_organization_id)

    @transaction.atomic
    def _create_users(self, showcase_organization_id) -> None:
        if User.objects.filter(username__startswith="demo-").exists():
            self.stdout.write("Demo accounts exist already; passwords unchanged.")
            return
        organization = (
            Organization.objects.filter(pk=showcase_organization_id).first()
            or Organization.objects.order_by("name").first()
        )
        accounts = [
            ("demo-hotline", Role.HOTLINE, None),
            ("demo-specialist", Role.SPECIALIST, None),
            ("demo-provider", Role.PROVIDER, organization),
            ("demo-moderator", Role.MODERATOR, None),
        ]
        lines = []
        for username, role, org in accounts:
            password = secrets.token_urlsafe(12)
            user, _ = user_create_or_update(
                username=username,
                role=role,
                password=password,
                organization=org,
                email=f"{username}@example.org",
            )
            detail = f" (organization: {org.name})" if org else ""
            lines.append(f"  {role.value:<11} {username:<16} {password}{detail}")
            if role == Role.SPECIALIST:
                listing = VictimAssistanceSpecialist.objects.filter(coverage_description="Texas").first()
                if listing:
                    listing.user = user
                    listing.save(update_fields=["user"])
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("demo-admin", "demo-admin@example.org", password)
        lines.append(f"  {'admin':<11} {'demo-admin':<16} {password} (Django admin)")
        text = "\n".join(lines) + "\n"
        logins_file = Path(settings.DEMO_LOGINS_FILE)
        logins_file.write_text(text)
        os.chmod(logins_file, 0o600)
        self.stdout.write("Demo accounts (passwords shown once here, kept in .demo-logins):\n" + text)

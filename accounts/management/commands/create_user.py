"""python manage.py create_user --username U --role ROLE [--organization ID] [--email E]

The password comes from the DJANGO_USER_PASSWORD environment variable or a prompt, never from the
command line (where it would land in shell history and the process list).
"""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.services import user_create_or_update
from providers.models import Organization


class Command(BaseCommand):
    help = "Create or update a staff account with one role (password from DJANGO_USER_PASSWORD or a prompt)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--organization", help="Organization id (required for --role provider).")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="Update role/organization of an existing account only.",
        )

    def handle(self, *args, username, role, organization, email, keep_password, **options):
        org = None
        if organization:
            try:
                org = Organization.objects.get(pk=organization)
            except (Organization.DoesNotExist, ValidationError, ValueError):
                raise CommandError(f"--organization: no organization with id '{organization}'.") from None
        password = None if keep_password else self._password()
        try:
            user, created = user_create_or_update(
                username=username, role=Role(role), password=password, organization=org, email=email
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {role} account '{user.username}'."))

    def _password(self) -> str:
        password = os.environ.get("DJANGO_USER_PASSWORD")
        if password:
            return password
        if not os.isatty(0):
            raise CommandError("Set DJANGO_USER_PASSWORD or run interactively to be prompted for the password.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return first

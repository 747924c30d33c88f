"""Two-factor secrets are encrypted at rest with the field keys (accounts.authenticators): the database, a dump or a
replica holds no usable secret, old plain-text devices were moved over, and key rotation covers them."""

import base64
import importlib
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from accounts.authenticators import Authenticator
from accounts.models import User
from core.encryption import rotate_all
from tests import factories
from tests.accounts.test_sign_in import LOGIN, current_code, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline():
    from accounts.roles import Role

    return factories.user(Role.HOTLINE, username="hana")


def stored_secret(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_authenticator WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_no_readable_secret_and_sign_in_still_works(client, hotline, time_machine):
    client.force_login(hotline)
    device = enrol(client, hotline, time_machine)
    secret_hex = device.secret
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")

    raw = stored_secret(device)

    assert secret_hex not in raw and secret_b32 not in raw and secret_hex.upper() not in raw
    client.logout()
    response = client.post(LOGIN, {"username": "hana", "password": factories.TEST_PASSWORD,
                                   "otp_token": current_code(device)})  # fmt: skip
    assert response.status_code == 302


def test_a_plain_text_device_from_before_is_moved_encrypted_and_still_verifies(hotline, time_machine):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    time_machine.move_to(timezone.now(), tick=False)
    old = TOTPDevice.objects.create(user=hotline, name="authenticator", confirmed=True)
    migration = importlib.import_module("accounts.migrations.0006_authenticator_encrypted")

    migration.move_plain_text_devices(None, type("Editor", (), {"connection": connection})())

    assert not TOTPDevice.objects.exists()
    moved = Authenticator.objects.get(user=hotline)
    assert moved.confirmed and moved.secret == old.key and old.key not in stored_secret(moved)
    assert moved.verify_token(current_code(moved))


def test_rotation_re_encrypts_the_secret(hotline, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    device = Authenticator.objects.create(user=hotline, name="authenticator")
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    counts = rotate_all()

    assert counts["accounts_authenticator.secret"] == 1
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Authenticator.objects.get(pk=device.pk).verify_token(current_code(device))


def test_a_code_is_accepted_once(hotline, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    device = Authenticator.objects.create(user=hotline, name="authenticator")
    code = current_code(device)

    assert device.verify_token(code)
    assert not Authenticator.objects.get(pk=device.pk).verify_token(code)
    time_machine.shift(timedelta(seconds=31))  # past the slow-down after that refusal; still within tolerance
    assert not Authenticator.objects.get(pk=device.pk).verify_token(code)
    time_machine.shift(timedelta(seconds=31))  # the refusals were replays, not a broken device: a new code works
    assert Authenticator.objects.get(pk=device.pk).verify_token(current_code(device))


def test_a_code_is_accepted_once_by_requests_that_loaded_the_device_together(hotline, time_machine):
    """Two sign-ins with one code, each holding the device as it was before the other saved."""
    time_machine.move_to(timezone.now(), tick=False)
    Authenticator.objects.create(user=hotline, name="authenticator")
    first, second = Authenticator.objects.get(user=hotline), Authenticator.objects.get(user=hotline)
    code = current_code(first)

    assert first.verify_token(code)
    assert not second.verify_token(code)


def test_the_admin_never_shows_the_secret(client, hotline):
    from django.contrib import admin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = Authenticator.objects.create(user=hotline, name="authenticator", confirmed=True)
    client.force_login(User.objects.create_superuser("root-admin", "root@example.org", factories.TEST_PASSWORD))
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")

    pages = [client.get(f"/admin/accounts/authenticator/{suffix}") for suffix in ("", f"{device.pk}/change/")]

    assert all(page.status_code == 200 for page in pages)
    assert not any(device.secret in page.content.decode() or secret_b32 in page.content.decode() for page in pages)
    assert not admin.site.is_registered(TOTPDevice)  # its add form would show a new plain-text secret

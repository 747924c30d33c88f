"""create_user: one role per account, password never on the command line, Argon2 hashes."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.roles import Role, user_role
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-991"


@pytest.fixture
def password_env(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", PASSWORD)


@pytest.mark.usefixtures("production_password_hashing")
def test_creates_a_hotline_account_from_the_environment_password(password_env):
    call_command("create_user", "--username", "maria", "--role", "hotline")
    user = User.objects.get(username="maria")
    assert user_role(user) == Role.HOTLINE
    assert user.check_password(PASSWORD) and user.password.startswith("argon2")


def test_provider_account_belongs_to_its_organization(password_env):
    org = factories.organization()
    call_command("create_user", "--username", "sam", "--role", "provider", "--organization", str(org.pk))
    assert User.objects.get(username="sam").organization == org


def test_provider_without_organization_is_refused(password_env):
    with pytest.raises(CommandError, match="organization"):
        call_command("create_user", "--username", "sam", "--role", "provider")
    assert not User.objects.filter(username="sam").exists()


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_unknown_organization_is_refused(password_env, bad_id):
    with pytest.raises(CommandError, match="--organization"):
        call_command("create_user", "--username", "sam", "--role", "provider", "--organization", bad_id)


def test_non_provider_with_organization_is_refused(password_env):
    org = factories.organization()
    with pytest.raises(CommandError, match="organization"):
        call_command("create_user", "--username", "x", "--role", "hotline", "--organization", str(org.pk))


def test_running_again_updates_the_role_instead_of_duplicating(password_env):
    call_command("create_user", "--username", "lee", "--role", "hotline")
    call_command("create_user", "--username", "lee", "--role", "moderator", "--keep-password")
    user = User.objects.get(username="lee")
    assert user_role(user) == Role.MODERATOR and user.groups.count() == 1
    assert user.check_password(PASSWORD)


def test_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv("DJANGO_USER_PASSWORD", "12345")
    with pytest.raises(CommandError, match="password"):
        call_command("create_user", "--username", "weak", "--role", "hotline")
    assert not User.objects.filter(username="weak").exists()


def test_without_a_password_source_it_refuses(monkeypatch):
    monkeypatch.delenv("DJANGO_USER_PASSWORD", raising=False)
    monkeypatch.setattr("os.isatty", lambda fd: False)
    with pytest.raises(CommandError, match="DJANGO_USER_PASSWORD"):
        call_command("create_user", "--username", "nopass", "--role", "hotline")


def test_there_is_no_password_option():
    with pytest.raises(CommandError):
        call_command("create_user", "--username", "u", "--role", "hotline", "--password", "secret-on-cli")


def test_unknown_role_is_refused(password_env):
    with pytest.raises(CommandError):
        call_command("create_user", "--username", "u", "--role", "janitor")

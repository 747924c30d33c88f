"""Signing in: the rate limit per address, django-axes' lockout per username and address, and optional TOTP
two-factor authentication (required for the roles TWO_FACTOR_REQUIRED_ROLES names)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from django_otp.oath import TOTP
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.authenticators import Authenticator
from accounts.models import RateCounter
from accounts.roles import Role
from tests import factories
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"
TOKEN = "/api/auth/token/"
TWO_FACTOR = "/accounts/two-factor/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    RateCounter.objects.all().delete()


@pytest.fixture
def hotline(db):
    return factories.user(Role.HOTLINE, username="hana")


def sign_in(client, username, password=TEST_PASSWORD, address="203.0.113.5", **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def current_code(device: Authenticator) -> str:
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(6)


def enrol(client, user, time_machine) -> Authenticator:
    """Turn two-factor on for a signed-in client, as the page does; return the confirmed device."""
    time_machine.move_to(timezone.now(), tick=True)
    client.get(TWO_FACTOR)
    device = Authenticator.objects.get(user=user, confirmed=False)
    response = client.post(TWO_FACTOR, {"password": TEST_PASSWORD, "otp_token": current_code(device)})
    assert response.status_code == 302, response.content.decode()
    time_machine.shift(timedelta(seconds=31))  # a code works once; the next sign-in needs the next one
    device.refresh_from_db()
    return device


class TestPasswordSignIn:
    def test_right_password_signs_in(self, client, hotline):
        response = sign_in(client, "hana")

        assert response.status_code == 302 and client.get("/referrals/").status_code == 200

    def test_wrong_password_says_so_without_naming_which_field(self, client, hotline):
        response = sign_in(client, "hana", "wrong password!")

        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()

    def test_an_absurdly_long_username_is_a_clear_refusal_not_an_error(self, client):
        form = sign_in(client, "x" * 300)
        api = APIClient().post(TOKEN, {"username": "x" * 300, "password": "whatever"})

        assert form.status_code == 200 and "_auth_user_id" not in client.session
        assert api.status_code == 400 and "username" in api.json()

    def test_the_admin_signs_in_through_the_same_form(self, client):
        response = client.get("/admin/login/?next=/admin/providers/")

        assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2Fproviders%2F"


class TestLockout:
    def test_five_wrong_passwords_lock_that_username_from_that_address(self, client, hotline, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "hana", "wrong password!")

        locked = sign_in(client, "hana")  # even the right password, now

        assert locked.status_code == 429
        assert "Too many sign-in attempts" in locked.content.decode()
        assert "_auth_user_id" not in client.session

    def test_someone_elsewhere_cannot_lock_a_hotline_worker_out(self, client, hotline, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            sign_in(client, "hana", "wrong password!", address="198.51.100.66")

        response = sign_in(APIClient(), "hana", address="203.0.113.5")

        assert response.status_code == 302

    def test_a_success_clears_earlier_failures(self, client, hotline, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            sign_in(client, "hana", "wrong password!")
        assert sign_in(client, "hana").status_code == 302
        client.logout()

        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            sign_in(client, "hana", "wrong password!")

        assert sign_in(client, "hana").status_code == 302

    def test_the_lockout_ends_after_the_cool_off(self, client, hotline, settings, time_machine):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "hana", "wrong password!")
        assert sign_in(client, "hana").status_code == 429

        time_machine.move_to(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1))

        assert sign_in(client, "hana").status_code == 302

    def test_the_api_token_endpoint_shares_the_lockout(self, hotline, settings):
        api = APIClient(REMOTE_ADDR="203.0.113.5")
        failures = [
            api.post(TOKEN, {"username": "hana", "password": "wrong password!"}).status_code
            for _ in range(settings.AXES_FAILURE_LIMIT)
        ]
        assert failures == [400] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

        refused = api.post(TOKEN, {"username": "hana", "password": TEST_PASSWORD})

        assert refused.status_code == 429 and "token" not in refused.json()


class TestSignInRateLimit:
    @pytest.fixture
    def three_a_minute(self, monkeypatch):
        monkeypatch.setattr(
            SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "login": "3/minute"}
        )

    @pytest.mark.usefixtures("three_a_minute")
    def test_one_address_trying_many_usernames_is_slowed(self, client, hotline):
        statuses = [sign_in(client, f"guess-{n}", "password123456").status_code for n in range(3)]

        refused = sign_in(client, "hana")

        assert statuses == [200, 200, 200]
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert sign_in(APIClient(), "hana", address="192.0.2.1").status_code == 302

    @pytest.mark.usefixtures("three_a_minute")
    def test_a_shift_signing_in_from_one_office_is_never_held_up(self, hotline):
        staff = [factories.user(Role.HOTLINE, username=f"shift-{n}") for n in range(6)]

        statuses = [sign_in(APIClient(), user.username, address="203.0.113.80").status_code for user in staff]

        assert statuses == [302] * 6

    @pytest.mark.usefixtures("three_a_minute")
    def test_the_token_endpoint_is_rate_limited_too(self, hotline):
        api = APIClient(REMOTE_ADDR="203.0.113.5")
        statuses = [api.post(TOKEN, {"username": f"guess-{n}", "password": "x"}).status_code for n in range(4)]

        assert statuses == [400, 400, 400, 429]


class TestTwoFactor:
    def test_the_set_up_page_shows_a_key_and_a_qr_code_and_is_never_cached(self, client, hotline):
        client.force_login(hotline)

        response = client.get(TWO_FACTOR)

        device = Authenticator.objects.get(user=hotline, confirmed=False)
        assert response.status_code == 200
        assert response.context["secret"].replace(" ", "") in device.config_url
        assert "<svg" in response.content.decode()
        assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]

    def test_a_wrong_code_does_not_turn_it_on(self, client, hotline):
        client.force_login(hotline)
        client.get(TWO_FACTOR)

        response = client.post(TWO_FACTOR, {"password": TEST_PASSWORD, "otp_token": "000000"})

        assert response.status_code == 400 and "not right" in response.content.decode()
        assert not Authenticator.objects.filter(user=hotline, confirmed=True).exists()

    def test_turning_it_on_revokes_api_tokens_issued_without_a_code(self, client, hotline, time_machine):
        old_token = Token.objects.create(user=hotline)
        client.force_login(hotline)

        enrol(client, hotline, time_machine)

        assert not Token.objects.filter(pk=old_token.pk).exists()
        assert client.get("/referrals/").status_code == 200  # this session was verified by the code

    def test_signing_in_then_needs_the_current_code(self, client, hotline, time_machine):
        client.force_login(hotline)
        device = enrol(client, hotline, time_machine)
        client.logout()

        without = sign_in(client, "hana")
        time_machine.shift(timedelta(seconds=2))
        wrong = sign_in(client, "hana", otp_token="123456" if current_code(device) != "123456" else "654321")
        time_machine.shift(timedelta(seconds=5))  # django-otp slows retries after a wrong code
        right = sign_in(client, "hana", otp_token=current_code(device))

        assert without.status_code == 200 and "6-digit code" in without.content.decode()
        assert wrong.status_code == 200 and "not right" in wrong.content.decode()
        assert right.status_code == 302 and client.get("/referrals/").status_code == 200

    def test_a_session_that_skipped_the_code_is_signed_out(self, client, hotline, time_machine):
        client.force_login(hotline)
        enrol(client, hotline, time_machine)
        other = type(client)()
        other.force_login(hotline)  # e.g. a session made without our sign-in form

        page = other.get("/referrals/")
        api = other.get("/api/referrals/")

        assert page.status_code == 302 and page["Location"].startswith(LOGIN)
        assert api.status_code in (401, 403)

    def test_the_token_endpoint_names_the_missing_code(self, client, hotline, time_machine):
        client.force_login(hotline)
        device = enrol(client, hotline, time_machine)
        api = APIClient()

        missing = api.post(TOKEN, {"username": "hana", "password": TEST_PASSWORD})
        given = api.post(TOKEN, {"username": "hana", "password": TEST_PASSWORD, "otp_token": current_code(device)})

        assert missing.status_code == 400 and "otp_token" in missing.json()
        assert given.status_code == 200 and given.json()["token"]

    def test_it_can_be_turned_off_with_a_code(self, client, hotline, time_machine):
        client.force_login(hotline)
        device = enrol(client, hotline, time_machine)

        response = client.post(TWO_FACTOR, {"password": TEST_PASSWORD, "otp_token": current_code(device)})

        assert response.status_code == 302 and not Authenticator.objects.filter(user=hotline).exists()

    def test_changing_it_needs_the_password_too(self, client, hotline, time_machine):
        """A signed-in browser left open is not enough to turn it off, or to enrol someone else's phone."""
        client.force_login(hotline)
        device = enrol(client, hotline, time_machine)

        response = client.post(TWO_FACTOR, {"password": "not my password", "otp_token": current_code(device)})

        assert response.status_code == 400 and "password is not right" in response.content.decode()
        assert Authenticator.objects.filter(user=hotline, confirmed=True).exists()

    def test_wrong_codes_on_the_page_count_and_slow_down(self, client, hotline, time_machine, settings):
        """The refusals are recorded (they were once rolled back with the refused change)."""
        client.force_login(hotline)
        device = enrol(client, hotline, time_machine)
        wrong = "123456" if current_code(device) != "123456" else "654321"

        for _ in range(3):
            assert client.post(TWO_FACTOR, {"password": TEST_PASSWORD, "otp_token": wrong}).status_code == 400

        device.refresh_from_db()
        assert device.throttling_failure_count >= 1  # later tries inside the slow-down are refused unchecked
        assert AccessAttempt.objects.get(username="hana").failures_since_start == 3
        refused = client.post(TWO_FACTOR, {"password": TEST_PASSWORD, "otp_token": current_code(device)})
        assert refused.status_code == 400, "django-otp makes the next try wait after repeated misses"


class TestTwoFactorByDefault:
    """Required by default of every role that sees exact confidential places or client data across organizations."""

    @pytest.fixture(autouse=True)
    def configured_default(self, settings):
        from config import settings as configured

        settings.TWO_FACTOR_REQUIRED_ROLES = configured.TWO_FACTOR_REQUIRED_ROLES

    def test_the_default_covers_hotline_specialist_moderator_and_admin(self, monkeypatch):
        from config import settings as configured

        monkeypatch.delenv("TWO_FACTOR_REQUIRED_ROLES", raising=False)
        assert set(configured.env_list("TWO_FACTOR_REQUIRED_ROLES", configured.TWO_FACTOR_DEFAULT_ROLES)) == {
            "hotline", "specialist", "moderator", "admin"
        }  # fmt: skip
        monkeypatch.setenv("TWO_FACTOR_REQUIRED_ROLES", "")
        assert configured.env_list("TWO_FACTOR_REQUIRED_ROLES", configured.TWO_FACTOR_DEFAULT_ROLES) == []

    @pytest.mark.parametrize(("role", "required"), [
        (Role.HOTLINE, True), (Role.SPECIALIST, True), (Role.MODERATOR, True), (Role.PROVIDER, False)
    ])  # fmt: skip
    def test_those_roles_are_sent_to_set_it_up_and_providers_are_not(self, client, provider_org, role, required):
        user = factories.user(role, organization=provider_org if role == Role.PROVIDER else None)
        client.force_login(user)

        page = client.get("/referrals/")

        assert (page.status_code == 302 and page["Location"] == TWO_FACTOR) is required


class TestRequiredTwoFactor:
    @pytest.fixture(autouse=True)
    def required_for_hotline(self, settings):
        settings.TWO_FACTOR_REQUIRED_ROLES = ["hotline", "admin"]

    def test_a_role_that_must_use_it_is_sent_to_set_it_up(self, client, hotline):
        client.force_login(hotline)

        page = client.get("/referrals/")
        api = client.get("/api/referrals/")

        assert page.status_code == 302 and page["Location"] == TWO_FACTOR
        assert api.status_code == 403 and "two-factor" in api.json()["detail"]
        assert client.get(TWO_FACTOR).status_code == 200

    def test_no_api_token_until_it_is_set_up(self, hotline):
        old_token = Token.objects.create(user=hotline)
        api = APIClient()

        refused = api.post(TOKEN, {"username": "hana", "password": TEST_PASSWORD})
        api.credentials(HTTP_AUTHORIZATION=f"Token {old_token.key}")
        with_old_token = api.get("/api/referrals/")

        assert refused.status_code == 400 and "two-factor" in refused.json()["otp_token"][0]
        assert with_old_token.status_code == 401

    def test_anyone_who_may_use_the_admin_counts_as_admin(self, client, provider_org):
        staff = factories.user(Role.PROVIDER, organization=provider_org)
        staff.is_staff = True
        staff.save()
        client.force_login(staff)

        assert client.get("/admin/").status_code == 302
        assert client.get("/admin/")["Location"] == TWO_FACTOR

    def test_other_roles_are_not_held(self, client, provider_org):
        provider = factories.user(Role.PROVIDER, organization=provider_org)
        client.force_login(provider)

        assert client.get("/referrals/").status_code == 200

    def test_it_cannot_be_turned_off_when_required(self, client, hotline, time_machine):
        client.force_login(hotline)
        device = enrol(client, hotline, time_machine)

        response = client.post(TWO_FACTOR, {"password": TEST_PASSWORD, "otp_token": current_code(device)})

        assert response.status_code == 400 and Authenticator.objects.filter(user=hotline, confirmed=True).exists()
        assert client.get("/referrals/").status_code == 200

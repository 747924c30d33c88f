"""Two-factor authentication (TOTP, django-otp): the one place for who must use it and what it protects.

Any account may turn it on at /accounts/two-factor/; roles in settings.TWO_FACTOR_REQUIRED_ROLES must. Once an
account has a confirmed authenticator, signing in (the form or POST /api/auth/token/) needs its current code,
and a browser session that was not verified with one is signed out (accounts.middleware).
"""

import base64
import io

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from rest_framework.authtoken.models import Token

from accounts.authenticators import Authenticator
from accounts.roles import user_role

DEVICE_NAME = "authenticator"


class CodeRefused(Exception):
    """The code is missing or wrong; the message says which, and never what the right code was."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def role_names(user) -> set[str]:
    """The user's role, plus "admin" for anyone who may use Django's admin (superusers and staff)."""
    names = set()
    role = user_role(user)
    if role is not None:
        names.add(role.value)
    if user.is_superuser or user.is_staff:
        names.add("admin")
    return names


def is_required(user) -> bool:
    return bool(role_names(user) & set(settings.TWO_FACTOR_REQUIRED_ROLES))


def confirmed_device(user) -> Authenticator | None:
    if user is None or not user.is_authenticated:
        return None
    return Authenticator.objects.filter(user=user, confirmed=True).first()


def check_code(user, device: Authenticator, token: str, *, request=None) -> None:
    """Raise CodeRefused unless token is the device's current code (django-otp throttles repeated misses).

    A wrong code counts as a failed sign-in for django-axes' lockout, as a wrong password does.
    """
    token = (token or "").strip().replace(" ", "")
    if not token:
        raise CodeRefused(_("Enter the 6-digit code from your authenticator app."), "otp_required")
    if not device.verify_token(token):
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        raise CodeRefused(_("That code is not right, or has expired. Enter the current code."), "otp_invalid")


def pending_device(user) -> Authenticator:
    """The unconfirmed authenticator being set up (a new secret the first time)."""
    device = Authenticator.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = Authenticator.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_for_display(device: Authenticator) -> str:
    """The shared secret as the base32 text authenticator apps accept for manual entry, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: Authenticator) -> str:
    """The otpauth:// URI as an inline SVG QR code (drawn here: nothing leaves the server)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode()


def check_password(request, password: str) -> None:
    """Changing two-factor needs the password too: a signed-in browser left open is not enough."""
    user = request.user
    if not user.check_password(password or ""):
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        raise CodeRefused(_("Your password is not right."), "password_invalid")


def confirm(request, device: Authenticator, token: str, password: str) -> None:
    """Turn two-factor on: the password proves the person, the code that the app holds the secret. API tokens
    issued before are revoked (they were obtained without a code), and this browser session counts as verified.

    The checks run outside the transaction, so a wrong code's failure count and django-otp's slow-down stay
    recorded when the change is refused."""
    user = request.user
    check_password(request, password)
    check_code(user, device, token, request=request)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        Authenticator.objects.filter(user=user).exclude(pk=device.pk).delete()
        Token.objects.filter(user=user).delete()
    otp_login(request, device)


def turn_off(request, token: str, password: str) -> None:
    user = request.user
    device = confirmed_device(user)
    if device is None:
        return
    check_password(request, password)
    check_code(user, device, token, request=request)
    Authenticator.objects.filter(user=user).delete()

"""The authenticator (TOTP) a person signs in with, its shared secret encrypted at rest.

django-otp's own TOTP device keeps the secret as plain hex in the database, so a dump, a replica or a backup
holds every account's second factor. This device keeps it with the field keys (core.encryption: rotated by
`manage.py rotate_field_keys` with everything else) and verifies codes with django-otp's TOTP arithmetic.
"""

import time
from binascii import unhexlify
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models, transaction
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from core.encryption import EncryptedTextField


def new_secret() -> str:
    return random_hex(20)  # 160 bits, as RFC 4226 recommends for HMAC-SHA1


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP authenticator app. `last_t` is the time step of the last accepted code: a code is never accepted
    twice, nor one older than it (no replay)."""

    secret = EncryptedTextField(default=new_secret, help_text="The shared secret (hex), encrypted at rest.")
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1, help_text="Steps either side of now accepted.")
    drift = models.SmallIntegerField(default=0, help_text="Steps the app's clock is known to be off by.")
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.secret.encode())

    # What a verification reads and writes; the secret is not rewritten on every sign-in.
    VERIFY_STATE = ["last_t", "drift", "throttling_failure_timestamp", "throttling_failure_count", "last_used_at"]

    def verify_token(self, token) -> bool:
        with transaction.atomic():
            # Two requests carrying one code each loaded the device before the other saved: read last_t and the
            # throttle afresh under a row lock, or both would pass (and parallel guesses would not count).
            self.refresh_from_db(fields=self.VERIFY_STATE, from_queryset=Authenticator.objects.select_for_update())
            return self._verify_locked(token)

    def _verify_locked(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(token)
        except (TypeError, ValueError):
            code = None
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        verified = code is not None and totp.verify(code, self.tolerance, self.last_t + 1)
        if verified:
            self.last_t = totp.t()
            self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
        else:
            self.throttle_increment(commit=False)
        self.save(update_fields=self.VERIFY_STATE)
        return verified

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @property
    def config_url(self) -> str:
        """The otpauth:// URI authenticator apps read from the QR code."""
        from base64 import b32encode

        issuer = (settings.OTP_TOTP_ISSUER or "").replace(":", "")
        label = f"{issuer}:{self.user.get_username()}" if issuer else str(self.user.get_username())
        params = {"secret": b32encode(self.bin_key), "algorithm": "SHA1", "digits": self.digits, "period": self.step}
        query = urlencode(params) + (f"&issuer={quote(issuer)}" if issuer else "")
        return f"otpauth://totp/{quote(label)}?{query}"

"""Idempotent creation (an `Idempotency-Key` header): what a key is, and how a repeated request is recognised
without keeping its body."""

import dataclasses
import hashlib
import hmac
import json

from django.conf import settings

HEADER = "Idempotency-Key"
MAX_LENGTH = 255


def idempotency_key(request) -> str | None:
    """The request's key, or None when it is missing or longer than MAX_LENGTH."""
    return valid_key(request.headers.get(HEADER))


def valid_key(text) -> str | None:
    """A key as given (a header, a form's hidden field), or None when it is missing, not text or too long."""
    key = text.strip() if isinstance(text, str) else ""
    return key if key and len(key) <= MAX_LENGTH else None


def request_fingerprint(data: dict) -> str:
    """Return a keyed hash (HMAC) of a validated request, so a replay can be recognised without keeping it.

    Hashing the validated values (not the raw body) makes a JSON body and a form body with repeated fields
    compare by what they ask for; the order of lists does not matter.
    """
    canonical = json.dumps(_canonical(data), sort_keys=True, separators=(",", ":"))
    return hmac.new(settings.SECRET_KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def _canonical(value):
    if dataclasses.is_dataclass(value):
        return _canonical(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return sorted((_canonical(item) for item in value), key=str)
    if hasattr(value, "pk"):
        return str(value.pk)
    return value if isinstance(value, str | int | float | bool | None) else str(value)

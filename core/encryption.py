"""Encryption at rest for fields that may identify a person or unlock an account (Fernet: AES-128-CBC + HMAC).

The database holds only ciphertext, so a dump, a replica or a curious query shows nothing readable.
Keys come from settings.FIELD_ENCRYPTION_KEYS: the first encrypts, all decrypt (rotation).
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds an invalid Fernet key: {exc}") from None


def fernet() -> MultiFernet:
    """Return the cipher for the configured keys."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    """Return the ciphertext (ASCII) of a text; the empty text stays empty so 'no note' needs no key."""
    return fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    """Return the text of a ciphertext; a token no configured key opens is an operator error, not data."""
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS") from None


class EncryptedTextField(models.TextField):
    """A text field stored encrypted. It cannot be searched or ordered: that is the point."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)

    def get_lookup(self, lookup_name):
        # Ciphertext differs on every write, so only "is null" can mean anything.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


def rotate_all() -> dict[str, int]:
    """Re-encrypt every encrypted value with the first key in FIELD_ENCRYPTION_KEYS; return counts per column.

    Run it after putting a new key first; once it has finished, the old keys can be removed. It works on the
    stored tokens directly (no plaintext passes through Python objects), in one transaction.
    """
    from django.apps import apps
    from django.db import connection, transaction

    counts = {}
    cipher = fernet()
    with transaction.atomic(), connection.cursor() as cursor:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedTextField):
                    continue
                table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
                quote = connection.ops.quote_name
                cursor.execute(
                    f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608 - names from the models
                    f"WHERE {quote(column)} <> '' FOR UPDATE"
                )
                rows = cursor.fetchall()
                for row_pk, token in rows:
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",  # noqa: S608
                        [cipher.rotate(token.encode()).decode(), row_pk],
                    )
                counts[f"{table}.{column}"] = len(rows)
    return counts

"""Serializer fields the API's serializers share: vocabulary codes and wall-clock times."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class CodeRelatedField(serializers.SlugRelatedField):
    """A vocabulary row (need, population, language) named by its code.

    PostgreSQL text cannot hold a NUL character, so looking one up was a database error (a 500); codes never
    contain one, so such a value is refused before the query, with the message DRF's CharField gives.
    """

    default_error_messages = {"null_characters": "Null characters are not allowed."}

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "09:00"}
)
class ClockTimeField(serializers.TimeField):
    """A wall-clock time in the location's time zone: HH:MM out, HH:MM or HH:MM:SS in.

    Described by its pattern: OpenAPI's `format: time` is RFC 3339's full-time, which requires a UTC offset
    that local opening hours do not have.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)

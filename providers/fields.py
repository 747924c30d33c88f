"""Serializer fields the API's serializers share: vocabulary codes and wall-clock times."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS, ManyRelatedField

# The most codes one list of an input may hold (needs, populations, languages), in a query or a body.
MAX_CODES = 20


def split_codes(values) -> list[str]:
    """The one reading of a code list: repeated values, comma-separated values, or both, trimmed and without
    repeats, in order ("needs=a,b&needs=c" and "needs=a&needs=b,c" are the same list)."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    codes = []
    for item in items:
        codes.extend(part.strip() for part in str(item).split(",") if part.strip())
    return list(dict.fromkeys(codes))


class CodeListRelatedField(ManyRelatedField):
    """Many vocabulary rows by code, at most `max_items` (each is looked up: an unbounded list was unbounded
    work)."""

    default_error_messages = {"too_many": "At most {max_items} codes are accepted."}

    def __init__(self, *, max_items: int = MAX_CODES, **kwargs):
        self.max_items = max_items
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        # Only a list: an object would be walked by its keys, uncounted.
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if len(data) > self.max_items:
            self.fail("too_many", max_items=self.max_items)
        return super().to_internal_value(data)


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

    @classmethod
    def many_init(cls, *args, max_items: int = MAX_CODES, **kwargs):
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return CodeListRelatedField(child_relation=cls(*args, **kwargs), max_items=max_items, **list_kwargs)


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

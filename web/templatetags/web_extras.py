from collections.abc import Mapping

from django import template
from django.utils.translation import gettext

from providers.phones import dialable as dialable_phone

register = template.Library()


@register.filter
def attr(record, name: str):
    """Return a field of a record by name ('' for None), for forms that list fields from a table."""
    value = getattr(record, name, "")
    return "" if value is None else value


@register.filter
def translated(text: str) -> str:
    """Return a vocabulary name (e.g. a need) in the visitor's language (see web/vocabulary_i18n.py)."""
    return gettext(text) if text else text


@register.filter
def dialable(phone) -> str:
    """A listing's phone (record or dict) as people dial it, extension included (providers.phones, which keeps
    what it formats in memory: never a client's number)."""
    if isinstance(phone, Mapping):
        number, extension = phone.get("number"), phone.get("extension")
    else:
        number, extension = getattr(phone, "number", None), getattr(phone, "extension", None)
    return dialable_phone(str(number) if number else "", extension or "")

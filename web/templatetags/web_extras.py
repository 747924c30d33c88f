from django import template
from django.utils.translation import gettext

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

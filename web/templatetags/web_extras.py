from django import template

register = template.Library()


@register.filter
def attr(record, name: str):
    """Return a field of a record by name ('' for None), for forms that list fields from a table."""
    value = getattr(record, name, "")
    return "" if value is None else value

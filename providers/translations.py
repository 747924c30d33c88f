"""Listing text in English and Spanish: which texts a provider may give in Spanish, which language a reader gets,
and what a reader is shown when a text exists only in the other language (docs/translations.md).

English stays in the columns every rule, the listing history and the SQL-built search documents read; the Spanish
forms live in each record's `i18n` column (django-modeltrans) as `<field>_es`, read and written here by name, never
by the active language. Whoever shows a text asks `in_language` for it and shows the language it came back in.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

SPANISH = "es"
ENGLISH = "en"
READER_LANGUAGES = (ENGLISH, SPANISH)


def translated_fields(model) -> tuple[str, ...]:
    """The fields of a model that have a Spanish form (its `i18n` column's fields), () for others."""
    try:
        return tuple(model._meta.get_field("i18n").fields)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist: a model without translations
        return ()


def spanish_name(field: str) -> str:
    return f"{field}_{SPANISH}"


def spanish_fields(model) -> tuple[str, ...]:
    """The names a provider edits the Spanish forms by: `description_es`, ..."""
    return tuple(spanish_name(field) for field in translated_fields(model))


def original_of(name: str) -> str | None:
    """'description_es' -> 'description'; None for a name that is not a Spanish form."""
    return name.removesuffix(f"_{SPANISH}") if name.endswith(f"_{SPANISH}") else None


def reader_language() -> str:
    """The reader's language: the request's (`?lang=`, the language cookie, Accept-Language: core.language), or
    English outside a request."""
    active = (translation.get_language() or settings.LANGUAGE_CODE)[:2].lower()
    return active if active in READER_LANGUAGES else ENGLISH


def _field(record, name: str):
    """A field of a model instance or of a row read as a mapping (None when it has none)."""
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)


def spanish_text(record, field: str) -> str:
    """A record's Spanish form of a field ('' when none), from a model or a mapping holding its `i18n`."""
    i18n = _field(record, "i18n")
    if isinstance(i18n, str):  # a raw statement's jsonb column (Django reads jsonb as text: JSONField parses it)
        i18n = json.loads(i18n)
    value = i18n.get(spanish_name(field)) if isinstance(i18n, Mapping) else None
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Text:
    value: str
    language: str  # the language the value is in: the reader's, or the other one when only that exists


def in_language(record, field: str, language: str, shown=None) -> Text:
    """A text in the reader's language, falling back to the other language when it has none, or when `shown` (a
    disclosure) withholds it and not the other."""
    english = _field(record, field) or ""
    spanish = spanish_text(record, field)
    forms = [(english, ENGLISH), (spanish, SPANISH)]
    for value, form_language in forms[::-1] if language == SPANISH else forms:
        value = shown(value) if shown and value else value
        if value:
            return Text(value, form_language)
    return Text("", language)


def localized(record, fields, language: str | None = None, shown=None) -> tuple[dict[str, str], dict[str, str]]:
    """The texts of `fields` in the reader's language (default: the request's), each passed through `shown` (a
    disclosure: SiteDisclosure.text), and, for those shown in the other language, which that is: the marker a reader
    is shown (`text_languages` in the API)."""
    language = language or reader_language()
    values, other = {}, {}
    for field in fields:
        text = in_language(record, field, language, shown)
        values[field] = text.value
        if text.value and text.language != language:
            other[field] = text.language
    return values, other


# Names shown in the other language are not marked on a page: a name is still the name (screen readers still hear
# it in its language).
UNMARKED = frozenset({"name", "alternate_name"})


def page_text(record, field: str, shown=None, language: str | None = None) -> dict:
    """One text for a page: its value (through `shown`, a disclosure), the language it is in, whether that is not the
    reader's (the page tells screen readers its language) and whether the page says so."""
    language = language or reader_language()
    text = in_language(record, field, language, shown)
    other = bool(text.value) and text.language != language
    return {"text": text.value, "lang": text.language, "other": other, "mark": other and field not in UNMARKED}


def page_texts(record, fields, shown=None, values: Mapping | None = None) -> dict:
    """`page_text` for several fields; `values`: the texts to show when already chosen and withheld (a service's)."""
    language = reader_language()
    texts = {field: page_text(record, field, shown, language) for field in fields}
    for field, value in (values or {}).items():
        if field in texts:
            texts[field]["text"] = value
            texts[field]["other"] = texts[field]["other"] and bool(value)
            texts[field]["mark"] = texts[field]["mark"] and bool(value)
    return texts


def shown_texts(record, fields, site) -> dict:
    """`localized` through a site's disclosure, as one API entry's fields: the texts and `text_languages`."""
    values, other = localized(record, fields, shown=site.text)
    return {**values, "text_languages": other}


def all_texts(record, field: str) -> list[tuple[str, str]]:
    """Every form of a text a record holds, as (name, text): the English field and its Spanish form. For rules that
    must see everything a reader could be shown (the moderator's safe marks)."""
    english = _field(record, field) or ""
    return [(field, english), (spanish_name(field), spanish_text(record, field))]


def spanish_set(record, field: str, value: str) -> None:
    """Set a record's Spanish form of a field ('' removes it). A new dict: a copy of the record (the registry's
    checks try values on one) must not share it."""
    i18n = dict(record.i18n or {})
    if value:
        i18n[spanish_name(field)] = value
    else:
        i18n.pop(spanish_name(field), None)
    record.i18n = i18n


def i18n_from(values: Mapping, fields) -> dict:
    """The `i18n` of a new record from input that names Spanish forms as `<field>_es` (empty ones left out)."""
    return {spanish_name(f): values[spanish_name(f)] for f in fields if values.get(spanish_name(f))}


def stale_spanish(record, changed, given=()) -> dict[str, str]:
    """The Spanish forms an edit leaves stale: of each English text it changes without giving (in `given` or
    `changed`) the Spanish form, the Spanish form there is now, as {"<field>_es": text}. They translate the old text,
    so they go with it: a reader is shown the new English text, marked, until the Spanish is given again."""
    fields = translated_fields(type(record))
    return {
        spanish_name(field): spanish_text(record, field)
        for field in changed
        if field in fields
        and spanish_name(field) not in changed
        and spanish_name(field) not in given
        and spanish_text(record, field)
    }


def spanish_errors(model, values: Mapping) -> dict[str, list[str]]:
    """What is wrong with the Spanish forms among `values` (JSON form), by name: each must be text within its English
    field's length. (Model validation leaves them out: it would name the library's other virtual fields too.)"""
    errors = {}
    for name, value in values.items():
        original = original_of(name)
        if original not in translated_fields(model):
            continue
        limit = model._meta.get_field(original).max_length
        if not isinstance(value, str):
            errors[name] = ["Must be text."]
        elif limit and len(value) > limit:
            errors[name] = [f"Ensure this field has no more than {limit} characters."]
    return errors


def virtual_fields(model) -> list[str]:
    """The names django-modeltrans adds to a model (`description_es`, `description_en`, `description_i18n`)."""
    return [field.name for field in model._meta.private_fields if hasattr(field, "original_field")]

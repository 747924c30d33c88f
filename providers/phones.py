"""How a phone number is shown to people who will dial it: "(281) 555-0107 ext. 12", not "+12815550107".

Stored numbers stay E.164 (the API's `number`, `tel:` links); this is the one place that writes them for reading.
"""

from functools import lru_cache

import phonenumbers


def dialable(number: str | None, extension: str = "") -> str:
    """A US number in its national form, another country's in international form, with any extension after."""
    if not number:
        return ""
    return _dialable(str(number), (extension or "").strip())


@lru_cache(maxsize=8192)
def _dialable(number: str, extension: str) -> str:
    # Parsing is most of a match's formatting time, and the same listings' numbers come back request after request.
    # Listing phones only: a client's number must not stay in a process's memory.
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number  # formatting would drop what makes it unusual (a country code, a digit)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    shown = phonenumbers.format_number(parsed, style)
    return f"{shown} ext. {extension}" if extension else shown

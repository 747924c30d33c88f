"""How a phone number is shown to people who will dial it: "(281) 555-0107 ext. 12", not "+12815550107".

Stored numbers stay E.164 (the API's `number`, `tel:` links); this is the one place that writes them for reading.
"""

import phonenumbers


def dialable(number: str | None, extension: str = "") -> str:
    """A US number in its national form, another country's in international form, with any extension after."""
    if not number:
        return ""
    extension = (extension or "").strip()
    try:
        parsed = phonenumbers.parse(str(number), "US")
    except phonenumbers.NumberParseException:
        return str(number)
    if not phonenumbers.is_possible_number(parsed):
        return str(number)  # formatting would drop what makes it unusual (a country code, a digit)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 1
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    shown = phonenumbers.format_number(parsed, style)
    return f"{shown} ext. {extension}" if extension else shown

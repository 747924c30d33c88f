"""How pages report refused input back to the person (one line per field, as the API names them)."""


def error_text(errors: dict) -> str:
    """Return field errors ({field: [messages]}) as one readable line."""
    return "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items())


def flat_errors(errors) -> dict[str, list[str]]:
    """Return an API error body (a field's messages may be a text, a list, or nested by index or field) as
    {field: [messages]} for a page."""

    def messages(value) -> list[str]:
        if isinstance(value, dict):
            return [text for item in value.values() for text in messages(item)]
        if isinstance(value, list | tuple):
            return [text for item in value for text in messages(item)]
        return [str(value)]

    return {str(field): messages(value) for field, value in errors.items()}

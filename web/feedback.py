"""How pages report refused input back to the person (one line per field, as the API names them)."""


def error_text(errors: dict) -> str:
    """Return field errors ({field: [messages]}) as one readable line."""
    return "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items())

"""A site's accessibility (providers.accessibility) in HSDS `accessibility` records, both ways.

Written: one record per feature, described by its English label and carrying its code as an attribute of this
directory's accessibility taxonomy, and one record for the site's details when the reader may see them. Read: the
codes of such attributes, and every other record's words as the site's details. Words give no feature: hotline staff
send a wheelchair user by the filter, and "no elevator" or "ASL by video" read wrong would send them to a door they
cannot use. The features the words may mean are named in a warning, for the provider or a moderator to tick.
"""

from django.utils.translation import override

from providers.accessibility import MAX_DETAILS_CHARS, Feature, features_named, ordered

ACCESSIBILITY_TAXONOMY = "victim-services-directory-accessibility"


def records(codes, details: str, *, location_id: str, derived_id, attribute) -> list[dict]:
    """The HSDS records of a site's features and details (`details`: as the reader may see them); `derived_id` and
    `attribute` are the exporter's."""
    found = []
    for code in ordered(codes or ()):
        record_id = derived_id("accessibility", location_id, code)
        with override("en"):  # an export is in English, whoever asks
            english = str(Feature(code).label)
        found.append({"id": record_id, "location_id": location_id, "description": english,
                      "attributes": [attribute(record_id, "accessibility", ACCESSIBILITY_TAXONOMY, code, english,
                                               english, "")]})  # fmt: skip
    if details:
        record_id = derived_id("accessibility", location_id, "details")
        found.append({"id": record_id, "location_id": location_id, "description": details})
    return found


def read(items: list[dict]) -> tuple[list[str] | None, str, list[str]]:
    """The codes and details a location's HSDS accessibility records give, and warnings (what was left out, and
    what the words may mean). The codes are None when no record says them by code (another source, or none): the
    features a person ticked here stay."""
    codes, texts, warnings, parts = [], [], [], []
    ours = False
    for item in items:
        code = _code(item)
        if code is not None:
            ours = True
            if code in Feature.values:
                codes.append(code)
            else:
                warnings.append(f"unknown accessibility code {code!r} left out")
            continue
        said = [part.strip() for part in (item.get("description") or "", item.get("details") or "") if part.strip()]
        if said:
            texts.append(" ".join(said))
            parts += said
    details = "\n".join(texts)
    maybe = [code for code in ordered(c for part in parts for c in features_named(part)) if code not in codes]
    if maybe:
        warnings.append(f"accessibility details kept as words; they may mean {', '.join(maybe)}: features are "
                        "ticked by the provider (the portal or the API), never read from words")  # fmt: skip
    if len(details) > MAX_DETAILS_CHARS:
        warnings.append(f"accessibility details cut to {MAX_DETAILS_CHARS} characters")
        details = details[: MAX_DETAILS_CHARS - 1].rstrip() + "…"
    return (ordered(codes) if ours else None), details, warnings


def _code(item: dict) -> str | None:
    for attribute in item.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        if term.get("taxonomy") == ACCESSIBILITY_TAXONOMY:
            return term.get("code") or ""
    return None

"""A site's accessibility (providers.accessibility) in HSDS `accessibility` records, both ways.

Written: one record per feature, described by its English label and carrying its code as an attribute of this
directory's accessibility taxonomy, and one record for the site's details when the reader may see them. Read: the
codes of such attributes; from another source, the features a record's words name ("Wheelchair ramp at the side
door"), with every record's text kept as the site's details.
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


def read(items: list[dict]) -> tuple[list[str], str, list[str]]:
    """The codes and details a location's HSDS accessibility records give, and warnings (what was left out)."""
    codes, texts, warnings = [], [], []
    ours = any(_code(item) for item in items)
    for item in items:
        code = _code(item)
        if code is not None:
            if code in Feature.values:
                codes.append(code)
            else:
                warnings.append(f"unknown accessibility code {code!r} left out")
            continue
        text = " ".join(part.strip() for part in (item.get("description") or "", item.get("details") or "") if part)
        if not text:
            continue
        texts.append(text)
        if not ours:  # this directory's own export says its features by code; its details are words only
            codes.extend(features_named(text))
    details = "\n".join(texts)
    if len(details) > MAX_DETAILS_CHARS:
        warnings.append(f"accessibility details cut to {MAX_DETAILS_CHARS} characters")
        details = details[: MAX_DETAILS_CHARS - 1].rstrip() + "…"
    return ordered(codes), details, warnings


def _code(item: dict) -> str | None:
    for attribute in item.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        if term.get("taxonomy") == ACCESSIBILITY_TAXONOMY:
            return term.get("code") or ""
    return None

"""What a site offers people with disabilities: a fixed list of features (HSDS `accessibility`), one place for their
codes, their labels in English and Spanish, and how an HSDS record's words name them.

A site lists the codes it offers (Location.accessibility) and may say more in free text (accessibility_details,
withheld at a confidential site as its other texts are). Filters take codes and keep what offers every one given:
someone who needs a step-free entrance and a sign language interpreter needs both.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Feature(models.TextChoices):
    WHEELCHAIR = "wheelchair", _("Wheelchair accessible entrance")
    ELEVATOR = "elevator", _("Elevator or step-free access inside")
    ACCESSIBLE_RESTROOM = "accessible-restroom", _("Accessible restroom")
    ACCESSIBLE_PARKING = "accessible-parking", _("Accessible parking")
    SIGN_LANGUAGE = "sign-language", _("Sign language (ASL) on site")
    INTERPRETERS = "interpreters-on-site", _("Spoken-language interpreters on site")
    SERVICE_ANIMALS = "service-animals", _("Service animals welcome")
    HEARING_LOOP = "hearing-loop", _("Hearing loop or assistive listening")
    LARGE_PRINT_BRAILLE = "large-print-braille", _("Large print or Braille materials")


CODES = frozenset(Feature.values)
MAX_DETAILS_CHARS = 1000

# The words that may name each feature in another source's HSDS accessibility record, in English and Spanish, read
# clause by clause (hsds.accessibility: only to suggest them; a person ticks what is true). A clause that also holds
# one of the words of `_BUT` does not name the feature.
_RESTROOM = r"\b(restrooms?|bathrooms?|toilets?|ba[ñn]os?)\b"
_WORDS = {
    Feature.WHEELCHAIR: (
        r"\bwheel ?chairs?\b|\bramps?\b|\bstep-?free entr|\bsillas? de ruedas\b|\brampas?\b",
        _RESTROOM,
    ),
    Feature.ELEVATOR: (r"\belevators?\b|\blifts?\b|\bascensor(es)?\b|\belevador(es)?\b", None),
    Feature.ACCESSIBLE_RESTROOM: (_RESTROOM, r"\b(inaccessible|upstairs)\b"),
    Feature.ACCESSIBLE_PARKING: (
        r"\b(accessible|handicap(ped)?|disabled|ADA)\W+(\w+\W+)?parking\b|"
        r"\bestacionamiento accesible\b",
        None,
    ),
    Feature.SIGN_LANGUAGE: (r"\bsign[- ]language\b|\bASL\b|\blengua(je)? de se[ñn]as\b", None),
    Feature.INTERPRETERS: (
        r"\binterpret(er|ers|ation|ing)\b|\bint[eé]rpretes?\b",
        r"\bsign\b|\bASL\b|\bse[ñn]as\b|\bphone\b|\bvideo\b|\btel[eé]fono\b",
    ),
    Feature.SERVICE_ANIMALS: (
        r"\bservice (animal|dog)s?\b|\bguide dogs?\b|\banimal(es)? de servicio\b|"
        r"\bperros? gu[ií]as?\b",
        None,
    ),
    Feature.HEARING_LOOP: (r"\bhearing loop\b|\binduction loop\b|\bassistive listening\b|\bbucle\b", None),
    Feature.LARGE_PRINT_BRAILLE: (r"\bbraille\b|\blarge[- ]print\b|\bletra grande\b", None),
}
_NOT = re.compile(r"\b(no|not|non|never|without|sin|nor|isn't|aren't|unavailable|out of (service|order)|"
                  r"closed|broken)\b|n't\b", re.IGNORECASE)  # fmt: skip
_PATTERNS = {code: (re.compile(words, re.IGNORECASE), but and re.compile(but, re.IGNORECASE))
             for code, (words, but) in _WORDS.items()}  # fmt: skip
_CLAUSES = re.compile(r"[.;,:\n()]|\b(but|and|y|pero)\b", re.IGNORECASE)


def label(code: str) -> str:
    """The feature's label in the active language."""
    return str(Feature(code).label)


def described(codes) -> list[dict]:
    """The codes with their labels in the active language, in the list's order (as the API and pages show them)."""
    return [{"code": code, "label": label(code)} for code in ordered(codes or ())]


def features_named(text: str) -> list[str]:
    """The codes another source's words may mean, in the list's order ("Wheelchair ramp at the side door; ASL by
    appointment": wheelchair, sign-language), read clause by clause; a clause that denies ("no elevator") names
    nothing."""
    clauses = [c for c in _CLAUSES.split(text or "") if c and not _NOT.search(c)]
    named = set()
    for code, (words, but) in _PATTERNS.items():
        if any(words.search(clause) and not (but and but.search(clause)) for clause in clauses):
            named.add(code)
    return ordered(named)


def checked(codes) -> list[str]:
    """Codes a caller gave, refused with the unknown ones named (a ValidationError the API answers as a 400)."""
    from rest_framework.exceptions import ValidationError

    unknown = sorted(set(codes) - CODES)
    if unknown:
        raise ValidationError(f"Unknown accessibility codes: {', '.join(unknown)} (see /api/accessibility/).")
    return ordered(codes)


def ordered(codes) -> list[str]:
    """Known codes once each, in the list's order (how they are stored and shown)."""
    given = set(codes)
    return [code for code in Feature.values if code in given]

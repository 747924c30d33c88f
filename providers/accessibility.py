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

# The words of an HSDS accessibility record (description and details) that name each feature, in English and Spanish;
# case and accents as written. A record naming none is kept as the site's details only.
_WORDS = {
    Feature.WHEELCHAIR: r"wheel ?chair|\bramps?\b|step-?free entr|sillas? de ruedas|rampas?\b",
    Feature.ELEVATOR: r"elevators?\b|\blifts?\b|ascensor|elevador",
    Feature.ACCESSIBLE_RESTROOM: r"(accessible|ada|wheelchair)\W+(\w+\W+)?(restroom|bathroom|toilet)|"
    r"(restroom|bathroom|toilet)s?\W+(are\W+|is\W+)?accessible|baños? accesibles?",
    Feature.ACCESSIBLE_PARKING: r"(accessible|ada|handicap(ped)?|disabled)\W+(\w+\W+)?parking|"
    r"estacionamiento accesible",
    Feature.SIGN_LANGUAGE: r"sign language|\basl\b|lengua(je)? de se[ñn]as",
    Feature.INTERPRETERS: r"(?<!sign language )interpret(er|ers|ation)\b|int[eé]rpretes?\b",
    Feature.SERVICE_ANIMALS: r"service (animal|dog)s?|guide dogs?|animal(es)? de servicio|perros? gu[ií]as?",
    Feature.HEARING_LOOP: r"hearing loop|induction loop|assistive listening|bucle (de )?inducci[oó]n",
    Feature.LARGE_PRINT_BRAILLE: r"braille|large[- ]print|letra grande",
}
_PATTERNS = {code: re.compile(words, re.IGNORECASE) for code, words in _WORDS.items()}


def label(code: str) -> str:
    """The feature's label in the active language."""
    return str(Feature(code).label)


def described(codes) -> list[dict]:
    """The codes with their labels in the active language, in the list's order (as the API and pages show them)."""
    return [{"code": code, "label": label(code)} for code in ordered(codes or ())]


def features_named(text: str) -> list[str]:
    """The codes an HSDS accessibility record's words name, in the list's order ("Wheelchair ramp at the side
    door; ASL by appointment": wheelchair, sign-language)."""
    return [code for code in Feature.values if _PATTERNS[code].search(text or "")]


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

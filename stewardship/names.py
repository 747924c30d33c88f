"""How two listings' names, websites, emails and street addresses are compared: the forms that make "St. Mary's
Shelter, Inc." and "Saint Marys Shelter" the same name, scored with rapidfuzz, and which pairs of many names are
alike."""

import re
import unicodedata
from urllib.parse import urlsplit

import numpy
from rapidfuzz import fuzz, process

from providers.disclosure import street_of, zip5

# Words that say how an organization is incorporated or are filler, not which one it is.
_IGNORED = frozenset({"inc", "incorporated", "llc", "ltd", "corp", "corporation", "co", "company", "the", "pc",
                      "pllc", "nfp", "org"})  # fmt: skip
_SAME = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "ctr": "center", "centre": "center",
         "svcs": "services", "svc": "service", "assn": "association", "intl": "international", "&": "and",
         "y": "and"}  # fmt: skip
_WORD = re.compile(r"[a-z0-9&]+")


def name_key(name: str) -> str:
    """A name as compared: no accents, case, punctuation or apostrophes, abbreviations spelt out, legal forms out."""
    plain = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower().replace("'", "")
    words = [_SAME.get(word, word) for word in _WORD.findall(plain)]
    return " ".join(word for word in words if word not in _IGNORED)


def name_similarity(first: str, second: str) -> float:
    """0..1: how alike two whole names are, in any word order ("Houston Legal Aid" and "Legal Aid Houston": 1).
    One name inside a longer one ("Catholic Charities" in "Catholic Charities Legal Clinic") is not the same name:
    a chapter or a program may be its own listing."""
    return key_similarity(name_key(first), name_key(second))


def key_similarity(a: str, b: str) -> float:
    """name_similarity of two names already in their compared form (name_key)."""
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100


def website_host(url: str) -> str:
    """The site a URL names, without scheme, "www." or path ("" when there is none)."""
    url = (url or "").strip().lower()
    if not url:
        return ""
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    return host.removeprefix("www.")


def email_key(email: str) -> str:
    return (email or "").strip().lower()


def address_key(address_1: str, postal_code: str, city: str = "", state: str = "") -> str:
    """One building's street address as compared: the house number and the street's name words (street types,
    directions and units left out: "7231 N Hill Blvd., Suite 5" is "7231 Hill Boulevard") in its 5-digit ZIP, or in
    its city when the ZIP is unreadable; "" when the line has no house number (a PO box, "Downtown")."""
    street = street_of(address_1)
    if street is None:
        return ""
    where = zip5(postal_code) or f"{(city or '').strip().lower()} {(state or '').strip().upper()}".strip()
    return f"{where} {street[0]} {' '.join(street[1])}" if where else ""


# A name to compare among many: (whose it is, name_key, name_key with its words in order).
Entry = tuple


def entry(owner, key: str) -> Entry:
    return owner, key, " ".join(sorted(key.split()))


SMALL = 400  # pairs of names compared one by one below this; a matrix (rapidfuzz's cdist, C++) above


def alike_pairs(queries: list[Entry], choices: list[Entry], cutoff: float, *, at_once: int = 1000) -> set[tuple]:
    """The pairs of owners (the smaller first, never one with itself) with a query name and a choice name at least
    `cutoff` alike (0..1, key_similarity), written as they are or with their words in order; `at_once` queries
    against every choice at a time (a matrix of at_once x the choices, one byte each)."""
    found = set()
    if len(queries) * len(choices) <= SMALL:
        for first, key, ordered in queries:
            for second, other, other_ordered in choices:
                if first != second and (fuzz.ratio(key, other) >= cutoff * 100
                                        or fuzz.ratio(ordered, other_ordered) >= cutoff * 100):  # fmt: skip
                    found.add((min(first, second), max(first, second)))
        return found
    score_cutoff = round(cutoff * 100)
    for form in (1, 2):
        targets = [choice[form] for choice in choices]
        for start in range(0, len(queries), at_once):
            chunk = queries[start : start + at_once]
            matrix = process.cdist([query[form] for query in chunk], targets, scorer=fuzz.ratio,
                                   score_cutoff=score_cutoff, dtype=numpy.uint8, workers=-1)  # fmt: skip
            for row, column in zip(*numpy.nonzero(matrix), strict=True):
                first, second = chunk[row][0], choices[column][0]
                if first != second:
                    found.add((min(first, second), max(first, second)))
    return found

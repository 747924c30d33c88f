"""How two listings' names, websites and emails are compared: the forms that make "St. Mary's Shelter, Inc." and
"Saint Marys Shelter" the same name, scored with rapidfuzz."""

import re
import unicodedata
from urllib.parse import urlsplit

from rapidfuzz import fuzz

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

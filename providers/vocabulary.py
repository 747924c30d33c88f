"""The vocabularies as every request reads them: the needs taxonomy (with its tree), the languages and the
populations, read once per process from the primary. They change through migrations and the admin; a change made
in this process clears the cache at once (`connect`), and other processes read them again within
VOCABULARY_MAX_AGE_S. Matching, the registry's filters and the need expansion all read this one copy."""

import logging
import time
from collections import defaultdict

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save

from providers.models import Language, NeedTerm, Population

logger = logging.getLogger(__name__)
# How long another process's change may go unseen here (a new code refused, a removed one matching nothing).
VOCABULARY_MAX_AGE_S = 60
# With the primary not answering, the copy in hand is kept and the primary asked again after this long.
VOCABULARY_RETRY_S = 10


def _now() -> float:
    return time.monotonic()


def expand_need_codes(codes, children: dict) -> set[str]:
    """Return the codes plus every term below them, given a parent code -> child codes map."""
    found: set[str] = set()
    stack = list(codes)
    while stack:
        code = stack.pop()
        if code not in found:
            found.add(code)
            stack.extend(children.get(code, []))
    return found


def numbers(array_text: str) -> list[int]:
    """'{{1,32400,61200},{2,32400,61200}}' or '{3,7}' -> [1, 32400, 61200, 2, ...] (integer arrays only)."""
    return [int(number) for number in array_text.replace("{", "").replace("}", "").split(",") if number]


class Vocabulary:
    def __init__(self):
        # From the primary: read once and kept, it must not be a lagging replica's.
        self.read_at = _now()
        self.terms = {term.code: term for term in NeedTerm.objects.using("default").all()}
        by_id = {term.id: term for term in self.terms.values()}
        self.codes_by_id = {term_id: term.code for term_id, term in by_id.items()}
        self._need_codes: dict[str, frozenset] = {}
        self.children = defaultdict(list)
        for term in self.terms.values():
            if term.parent_id:
                self.children[by_id[term.parent_id].code].append(term.code)
        self.language_names = dict(Language.objects.using("default").values_list("code", "name"))
        self.population_codes = frozenset(Population.objects.using("default").values_list("code", flat=True))
        self.roots = tuple(code for code, term in self.terms.items() if term.parent_id is None)

    def need_codes(self, need_ids: str) -> frozenset:
        """An index row's service needs (term ids, as array text) as codes, parsed once per distinct text. A
        term added since this taxonomy was read cannot be one it was asked for: left out."""
        codes = self._need_codes.get(need_ids)
        if codes is None:
            by_id = self.codes_by_id
            codes = frozenset(by_id[term_id] for term_id in numbers(need_ids) if term_id in by_id)
            self._need_codes[need_ids] = codes
        return codes

    def expand(self, code: str) -> set[str]:
        """Return the code and every code below it."""
        return expand_need_codes([code], self.children)

    def expand_all(self, codes) -> set[str]:
        """Return the codes and every code below them (asking for 'legal' finds 't-visa' too)."""
        return expand_need_codes(codes, self.children)

    def need_pairs(self, codes) -> list[tuple[int, str]]:
        """Return (need term id, requested code) for each code and every term below it: what the walks take."""
        return [(self.terms[sub].id, code) for code in codes for sub in sorted(self.expand(code))]


_copy: Vocabulary | None = None
_generation = 0  # counts forget()s: a read that began before one is not kept


def vocabulary() -> Vocabulary:
    """Return this process's copy of the vocabularies, read again once it is VOCABULARY_MAX_AGE_S old. A copy in
    hand outlives a primary that does not answer (the replicas keep serving searches then: docs/operations.md)."""
    global _copy
    current = _copy
    if current is not None and _now() - current.read_at <= VOCABULARY_MAX_AGE_S:
        return current
    if current is not None:  # the other threads keep this copy while this one asks the primary
        current.read_at = _now() - VOCABULARY_MAX_AGE_S + VOCABULARY_RETRY_S
    generation = _generation
    try:
        fresh = Vocabulary()
    except DatabaseError:
        if current is None:
            raise
        logger.warning("vocabularies not read again: the primary does not answer; the copy in hand is kept")
        return current
    if generation == _generation:
        _copy = fresh
    return fresh


def forget(sender=None, **kwargs) -> None:
    """Drop this process's copy (a vocabulary changed here, or a test wants a fresh read); once more when the
    change commits, so that a read between the change and its commit is not kept."""
    global _copy, _generation
    _generation += 1
    _copy = None
    if kwargs.get("signal") is not None:
        transaction.on_commit(forget, using=kwargs.get("using") or "default")


def connect() -> None:
    for model in (NeedTerm, Language, Population):
        post_save.connect(forget, sender=model, dispatch_uid=f"vocabulary-{model.__name__}-saved")
        post_delete.connect(forget, sender=model, dispatch_uid=f"vocabulary-{model.__name__}-deleted")

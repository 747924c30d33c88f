"""The needs taxonomy and language names as matching reads them: once per process (they change through
migrations and the admin; matching.signals clears the cache on any change in this process)."""

from collections import defaultdict
from functools import lru_cache

from providers.models import Language, NeedTerm
from providers.selectors import expand_need_codes


def numbers(array_text: str) -> list[int]:
    """'{{1,32400,61200},{2,32400,61200}}' or '{3,7}' -> [1, 32400, 61200, 2, ...] (integer arrays only)."""
    return [int(number) for number in array_text.replace("{", "").replace("}", "").split(",") if number]


class Taxonomy:
    def __init__(self):
        # From the primary: read once per process and kept, it must not be a lagging replica's.
        self.terms = {term.code: term for term in NeedTerm.objects.using("default").all()}
        by_id = {term.id: term for term in self.terms.values()}
        self.codes_by_id = {term_id: term.code for term_id, term in by_id.items()}
        self._need_codes: dict[str, frozenset] = {}
        self.children = defaultdict(list)
        for term in self.terms.values():
            if term.parent_id:
                self.children[by_id[term.parent_id].code].append(term.code)
        self.language_names = dict(Language.objects.using("default").values_list("code", "name"))
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

    def need_pairs(self, codes) -> list[tuple[int, str]]:
        """Return (need term id, requested code) for each code and every term below it: what the walks take."""
        return [(self.terms[sub].id, code) for code in codes for sub in sorted(self.expand(code))]


@lru_cache(maxsize=1)
def vocabulary() -> Taxonomy:
    """Return the cached needs taxonomy and language names."""
    return Taxonomy()

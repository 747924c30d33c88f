"""Every kind of duplicate search at once: what `manage.py find_duplicates`, an import and the demo data run."""

from collections.abc import Callable, Iterable

from stewardship.duplicates import Found, organization_duplicates_find
from stewardship.models import DuplicateCandidate
from stewardship.offer_duplicates import location_duplicates_find, service_duplicates_find

# In this order: a pair of two organizations' services or sites names the organizations' pair, found first.
FINDERS = {
    DuplicateCandidate.Kind.ORGANIZATION: organization_duplicates_find,
    DuplicateCandidate.Kind.SERVICE: service_duplicates_find,
    DuplicateCandidate.Kind.LOCATION: location_duplicates_find,
}


def duplicates_find(organization_ids: Iterable | None = None, *, kinds: Iterable[str] | None = None,
                    progress: Callable[[str, int, int], None] | None = None) -> dict[str, Found]:  # fmt: skip
    """Run the searches of `kinds` (all of them by default) for these organizations and their services and sites
    (None: the whole registry); `progress(kind, done, total)`. Each writes its own pairs in its own transaction."""
    ids = None if organization_ids is None else list(organization_ids)
    wanted = set(FINDERS if kinds is None else kinds)
    found = {}
    for kind, find in FINDERS.items():
        if kind in wanted:
            told = None if progress is None else (lambda done, total, kind=kind: progress(kind, done, total))
            found[kind] = find(ids, progress=told)
    return found

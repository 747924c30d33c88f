"""Organizations that may be one listing twice (a coalition's feed and a 211's export both list a shelter; a provider
applies while already listed): pairs found by what they share, scored, and kept for a moderator's queue.

Pairs are found in the database by what would be costly to compare pair by pair at 100k organizations: a phone
number, a website or an email in common, sites a few metres apart, and names alike by their trigrams (pg_trgm,
through a GIN index). Each pair is then scored in Python (stewardship.names: "St." is "Saint", "Inc." is left out)
and kept when the names are all but the same, or alike and something else is shared. A pair a moderator said is
not a duplicate stays so: finding it again does not reopen it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from core.sqlfiles import compact, render
from providers.models import NeedTerm
from stewardship import names
from stewardship.models import DuplicateCandidate

NAME_TRIGRAMS = 0.45  # pg_trgm similarity of two lowered names for the pair to be looked at
NAMES_PER_ORGANIZATION = 10  # the most alike names looked at per organization (a common name has hundreds)
SHARED_AT_MOST = 20  # a number, site or address shared by more organizations is a 211 line or a hub, not a twin
NEAR_M = 75  # sites closer than this are one building
SAME_NAME = 0.92  # names this alike are a candidate on their own
ALIKE_NAME = 0.6  # alike names need one more thing in common


SQL_DIR = Path(__file__).with_name("sql")
# What two organizations may share, each a statement giving (first, second, what) with first < second
# (stewardship/sql/pairs_*.sql); `ids` limits them to pairs with one of these organizations, NULL to every pair.
SHARED = ("phone", "website", "email", "site", "name")


@dataclass
class Pair:
    shared: dict[str, set] = field(default_factory=lambda: defaultdict(set))


@dataclass
class Found:
    pairs_read: int = 0
    kept: int = 0
    reopened_none: int = 0  # pairs found again that a moderator said are not duplicates (left so)
    dropped: int = 0  # open pairs no longer alike


def organization_duplicates_find(organization_ids: Iterable | None = None,
                                 progress: Callable[[int, int], None] | None = None) -> Found:  # fmt: skip
    """Find and score the pairs of organizations (those with one of `organization_ids`, or every pair), write them
    to the queue, and drop the open pairs of the same scope that no longer look alike."""
    ids = None if organization_ids is None else [str(i) for i in organization_ids]
    pairs = _pairs(ids)
    found = Found(pairs_read=len(pairs))
    facts = _facts({org for pair in pairs for org in pair})
    now = timezone.now()
    kept = {}
    for done, ((first, second), pair) in enumerate(sorted(pairs.items()), start=1):
        scored = score(facts[first], facts[second], pair.shared)
        if scored is not None:
            kept[first, second] = scored
        if progress and (done % 500 == 0 or done == len(pairs)):
            progress(done, len(pairs))
    with transaction.atomic():
        decided = set(
            DuplicateCandidate.objects.filter(kind="organization", status="not_duplicate")
            .values_list("first_id", "second_id")
        )  # fmt: skip
        found.reopened_none = sum(1 for key in kept if key in decided)
        rows = [DuplicateCandidate(kind="organization", first_id=first, second_id=second, score=value,
                                   evidence=evidence, found_at=now)
                for (first, second), (value, evidence) in kept.items() if (first, second) not in decided]  # fmt: skip
        DuplicateCandidate.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                                               unique_fields=["kind", "first_id", "second_id"],
                                               update_fields=["score", "evidence", "found_at"])  # fmt: skip
        stale = DuplicateCandidate.objects.filter(kind="organization", status="open", found_at__lt=now)
        if ids is not None:
            stale = stale.filter(first_id__in=ids) | stale.filter(second_id__in=ids)
        found.dropped, _ = stale.delete()
    found.kept = len(rows)
    return found


def _pairs(ids: list[str] | None) -> dict[tuple, Pair]:
    pairs: dict[tuple, Pair] = defaultdict(Pair)
    params = {"ids": ids, "at_most": SHARED_AT_MOST, "near_m": NEAR_M, "per_organization": NAMES_PER_ORGANIZATION}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(NAME_TRIGRAMS)])
        for kind in SHARED:
            cursor.execute(compact(render(SQL_DIR, f"pairs_{kind}")), params)
            for first, second, value in cursor.fetchall():
                pairs[first, second].shared[kind].add(value)
    return pairs


def _facts(organization_ids: set) -> dict:
    """What the scoring and the evidence need of each organization, in four statements."""
    if not organization_ids:
        return {}
    wanted = list(organization_ids)
    facts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name, alternate_name, website, email FROM providers_organization WHERE id = ANY(%s)", [wanted]
        )
        for org, name, alternate, website, email in cursor.fetchall():
            facts[org] = {"name": name, "alternate_name": alternate, "website": website, "email": email,
                          "needs": set()}  # fmt: skip
        cursor.execute(
            "SELECT DISTINCT s.organization_id, sn.needterm_id FROM providers_service s "
            "JOIN providers_service_needs sn ON sn.service_id = s.id WHERE s.organization_id = ANY(%s)",
            [wanted],
        )
        for org, need in cursor.fetchall():
            facts[org]["needs"].add(need)
    return facts


def score(first: dict, second: dict, shared: dict) -> tuple[float, dict] | None:
    """How likely two organizations are one (0..1) and why, or None when they are not worth a moderator's time."""
    alike = max(names.name_similarity(a, b) for a in _names(first) for b in _names(second))
    contact = {kind: sorted(shared[kind]) for kind in ("phone", "website", "email") if shared.get(kind)}
    if "email" in contact and all(names.is_shared_mail(e) for e in contact["email"]):
        contact.pop("email")  # two users of one mail service share nothing
    near = min((float(m) for m in shared.get("site", ())), default=None)
    keep = alike >= SAME_NAME or (alike >= ALIKE_NAME and (contact or near is not None)) or (contact and near)
    if not keep:
        return None
    value = round(min(1.0, 0.7 * alike + 0.15 * bool(contact) + 0.15 * (near is not None)), 3)
    needs = sorted(_need_codes(first["needs"] & second["needs"]))
    evidence = {"names": [first["name"], second["name"]], "name_similarity": round(alike, 3), **contact,
                "sites_apart_m": near, "needs_in_common": needs}  # fmt: skip
    return value, evidence


def _names(facts: dict) -> list[str]:
    return [name for name in (facts["name"], facts["alternate_name"]) if name]


def _need_codes(need_ids: set) -> list[str]:
    if not need_ids:
        return []
    return list(NeedTerm.objects.filter(pk__in=need_ids).values_list("code", flat=True))

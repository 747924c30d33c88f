"""Organizations that may be one listing twice (a coalition's feed and a 211's export both list a shelter; a provider
applies while already listed): pairs found by what they share, scored, and kept for a moderator's queue.

Pairs are found by what would be costly to compare pair by pair at 100k organizations: in the database, a phone
number, a website or an email in common and sites a few metres apart; in Python, names all but the same among the
organizations with sites in one state (rapidfuzz's matrix of every pair of the state's names, in C++: a twin is
listed where it serves, and a chapter of the same name across the country is its own listing). Each pair is then
scored (stewardship.names: "St." is "Saint", "Inc." is left out) and kept when the names are all but the same, or
alike and something else is shared. A pair a moderator said is
not a duplicate stays so: finding it again does not reopen it.
"""

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from django.db import connection

from core.sqlfiles import compact, render
from providers.models import NeedTerm
from stewardship import names, services

NAMES_AT_ONCE = 1000  # names compared with a whole state's at once (a matrix of 1,000 x the state's, one byte each)
SHARED_AT_MOST = 20  # a number, website, email or building shared by more organizations is a 211 line or a hub
NEAR_M = 75  # sites closer than this are one building
SAME_NAME = 0.92  # names this alike are a candidate on their own
ALIKE_NAME = 0.6  # alike names need one more thing in common


SQL_DIR = Path(__file__).with_name("sql")
# What two organizations may share in the database, each a statement giving (first, second, what) with
# first < second (stewardship/sql/pairs_*.sql; websites and emails by stewardship.names, in Python); `ids` limits
# them to pairs with one of these organizations, NULL to every pair.
SHARED = ("phone", "site")


@dataclass(frozen=True)
class Found(services.Written):
    pairs_read: int  # pairs looked at


def organization_duplicates_find(organization_ids: Iterable | None = None,
                                 progress: Callable[[int, int], None] | None = None) -> Found:  # fmt: skip
    """Find and score the pairs of organizations (those with one of `organization_ids`, or every pair), write them
    to the queue, and drop the open pairs of the same scope that no longer look alike."""
    ids = scope_ids(organization_ids)
    pairs = _pairs(ids)  # found from either side: a scoped run finds again every pair of its organizations
    facts = _facts({org for pair in pairs for org in pair})
    need_codes = dict(NeedTerm.objects.values_list("id", "code"))
    kept = scored_pairs(pairs, lambda first, second, shared: score(facts[first], facts[second], shared, need_codes),
                        facts, progress)  # fmt: skip
    written = services.duplicates_write("organization", kept, scope=ids)
    return Found(**vars(written), pairs_read=len(pairs))


def scope_ids(ids: Iterable | None) -> list[str] | None:
    """One spelling of each id (the SQL casts them to uuid; Python compares them as text); None: every record."""
    return None if ids is None else [str(uuid.UUID(str(i))) for i in ids]


def scored_pairs(pairs: dict, scorer: Callable, facts: dict,
                 progress: Callable[[int, int], None] | None = None) -> dict:  # fmt: skip
    """{(first, second): (score, evidence)} of the pairs `scorer(first, second, pairs[pair])` keeps (not None), in
    order, telling `progress` every 500 pairs; a pair with a record no longer in `facts` (deleted meanwhile) is
    left out."""
    kept = {}
    for done, ((first, second), shared) in enumerate(sorted(pairs.items()), start=1):
        if first in facts and second in facts:
            scored = scorer(first, second, shared)
            if scored is not None:
                kept[first, second] = scored
        if progress and (done % 500 == 0 or done == len(pairs)):
            progress(done, len(pairs))
    return kept


def _pairs(ids: list[str] | None) -> dict[tuple, dict[str, set]]:
    """{(first, second): {what they share: the values}} for every pair worth scoring (an empty dict: names only)."""
    pairs: dict[tuple, dict[str, set]] = {}

    def add(first, second, kind=None, value=None):
        shared = pairs.setdefault((first, second), defaultdict(set))
        if kind is not None:
            shared[kind].add(value)

    params = {"ids": ids, "at_most": SHARED_AT_MOST, "near_m": NEAR_M}
    with connection.cursor() as cursor:
        for kind in SHARED:
            cursor.execute(compact(render(SQL_DIR, f"pairs_{kind}")), params)
            for first, second, value in cursor.fetchall():
                add(first, second, kind, value)
    for first, second, kind, value in _shared_contacts(ids):
        add(first, second, kind, value)
    for first, second in _alike_names(ids):
        add(first, second)
    # A building shared with many organizations (a family justice center, a ZIP code's centre where addresses were
    # placed without a street) says nothing of any two of them.
    neighbours = Counter(org for pair, shared in pairs.items() if shared.get("site") for org in pair)
    for (first, second), shared in pairs.items():
        if shared.get("site") and max(neighbours[first], neighbours[second]) > SHARED_AT_MOST:
            del shared["site"]
    return pairs


def _shared_contacts(ids: list[str] | None):
    """(first, second, "website" or "email", the value) for organizations with one website (stewardship.names's
    host: the rule the applications are compared by too) or one mailbox, at most SHARED_AT_MOST to a value."""
    groups = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, website, email FROM providers_organization WHERE website <> '' OR email <> ''")
        for org, website, email in cursor.fetchall():
            for kind, value in (("website", names.website_host(website)), ("email", names.email_key(email))):
                if value:
                    groups[kind, value].add(org)
    wanted = None if ids is None else set(ids)
    for (kind, value), orgs in groups.items():
        if 2 <= len(orgs) <= SHARED_AT_MOST:
            for first, second in combinations(sorted(orgs), 2):
                if wanted is None or str(first) in wanted or str(second) in wanted:
                    yield first, second, kind, value


def _alike_names(ids: list[str] | None) -> set[tuple]:
    """Pairs of organizations with sites in one state (or either without a located site) whose names, or names
    with their words in order, are SAME_NAME alike; with `ids`, those with one of these."""
    with connection.cursor() as cursor:
        cursor.execute(compact(render(SQL_DIR, "names_by_state")))
        rows = cursor.fetchall()
    wanted = None if ids is None else {str(i) for i in ids}
    states, nowhere, located = defaultdict(list), [], {}
    for org, name, alternate, in_states in rows:
        # A name with nothing left to compare (another script, "The Company, Inc.") is alike no other.
        for key in {names.name_key(name), names.name_key(alternate or "")} - {""}:
            entry = names.entry(org, key)
            for state in in_states or ():
                states[state].append(entry)
            if in_states:
                located[org, key] = entry
            else:
                nowhere.append(entry)
    # A name held by more than SHARED_AT_MOST organizations of a state is a chain's or a common one: alone it says
    # nothing (a pair of them with something else in common is still found by that).
    for state, entries in states.items():
        held = Counter(entry[1] for entry in entries)
        states[state] = [entry for entry in entries if held[entry[1]] <= SHARED_AT_MOST]
    held = Counter(entry[1] for entry in nowhere)
    nowhere = [entry for entry in nowhere if held[entry[1]] <= SHARED_AT_MOST]
    everyone = list(located.values()) + nowhere
    found = set()
    # A state's organizations against the state's and the unlocated; the unlocated against everyone: a pair of
    # a located and an unlocated organization is found from either side (a scoped run may hold only one).
    for queries, choices in [*((entries, entries + nowhere) for entries in states.values()), (nowhere, everyone)]:
        if wanted is not None:
            queries = [entry for entry in queries if str(entry[0]) in wanted]
        found |= names.alike_pairs(queries, choices, SAME_NAME, at_once=NAMES_AT_ONCE)
    return found


def _facts(organization_ids: set) -> dict:
    """What the scoring and the evidence need of each organization, in four statements."""
    if not organization_ids:
        return {}
    wanted = list(organization_ids)
    facts = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name, alternate_name FROM providers_organization WHERE id = ANY(%s)", [wanted])
        for org, name, alternate in cursor.fetchall():
            # The names' compared forms once per organization, not once per pair.
            keys = [names.name_key(n) for n in (name, alternate) if n]
            facts[org] = {"name": name, "keys": keys or [""], "needs": set()}
        cursor.execute(
            "SELECT DISTINCT s.organization_id, sn.needterm_id FROM providers_service s "
            "JOIN providers_service_needs sn ON sn.service_id = s.id WHERE s.organization_id = ANY(%s)",
            [wanted],
        )
        for org, need in cursor.fetchall():
            facts[org]["needs"].add(need)
    return facts


def score(first: dict, second: dict, shared: dict, need_codes: dict) -> tuple[float, dict] | None:
    """How likely two organizations are one (0..1) and why, or None when they are not worth a moderator's time."""
    alike = max(names.key_similarity(a, b) for a in first["keys"] for b in second["keys"])
    contact = {kind: sorted(shared[kind]) for kind in ("phone", "website", "email") if shared.get(kind)}
    near = min((float(m) for m in shared.get("site", ())), default=None)
    together = near is not None  # (0 m apart is near)
    if not (alike >= SAME_NAME or (alike >= ALIKE_NAME and (contact or together)) or (contact and together)):
        return None
    value = round(min(1.0, 0.7 * alike + 0.15 * bool(contact) + 0.15 * together), 3)
    needs = sorted(need_codes[need] for need in first["needs"] & second["needs"] if need in need_codes)
    evidence = {"names": [first["name"], second["name"]], "name_similarity": round(alike, 3), **contact,
                "sites_apart_m": near, "needs_in_common": needs}  # fmt: skip
    return value, evidence

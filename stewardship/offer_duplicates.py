"""Services and sites that may be one listing twice (a site listed again by a second source a few metres off, a
service an organization entered twice): pairs found by place and name, scored, and kept for the moderators' queue
beside the organizations' pairs (stewardship.duplicates). The rules, and why: docs/stewardship.md.

Pairs are named by place first, never all pairs: sites closer than NEAR_M through the GiST index on their exact
points (stewardship/sql/sites_near.sql; a hub's sites pair with none), sites at one street address, the services
offered at one site or at two such sites; and within one organization, by name, its sites without a point and its
services offered at no located site. Each pair is then scored (stewardship.names: "St." is "Saint") with its phones,
place, needs and organizations. A pair of two organizations' services or sites usually means the organizations are
one too: the evidence says how alike they are and names their pair in the queue.
"""

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from core.sqlfiles import compact, render
from providers.models import NeedTerm
from stewardship import names, services
from stewardship.duplicates import ALIKE_NAME, NEAR_M, SAME_NAME, SHARED_AT_MOST, Found, scope_ids, scored_pairs
from stewardship.models import DuplicateCandidate

SQL_DIR = Path(__file__).with_name("sql")
Progress = Callable[[int, int], None] | None


@dataclass(slots=True)
class Facts:
    """What the scoring and the evidence need of one service or site."""

    organization: uuid.UUID
    organization_name: str
    names: list[tuple[str, str]]  # its own names, (as written, stewardship.names.name_key)
    phones: set = field(default_factory=set)  # E.164
    needs: set = field(default_factory=set)  # a site: those of the services offered there
    # Its names compared with another organization's records (its own unless blank or common: "Office 1", "Case
    # Management"); a site's organization's names, whether it has a point, and its street addresses
    # (stewardship.names.address_key).
    labels: list = field(default_factory=list)
    organization_names: list = field(default_factory=list)
    located: bool = False
    addresses: set = field(default_factory=set)
    populations: set = field(default_factory=set)  # a service's


@dataclass(frozen=True)
class Context:
    need_codes: dict
    distinct: frozenset  # pairs of organizations a moderator said are two listings


def location_duplicates_find(organization_ids: Iterable | None = None, progress: Progress = None) -> Found:
    """Find and score the pairs of sites (those of `organization_ids`' sites, or every pair), write them to the
    queue, and drop the open pairs of the same sites that no longer look alike."""
    orgs = scope_ids(organization_ids)
    scope = None if orgs is None else _ids("SELECT id FROM providers_location WHERE organization_id = ANY(%s::uuid[])",
                                           orgs)  # fmt: skip
    pairs: dict[tuple, dict] = defaultdict(dict)
    for pair, metres in _near(scope).items():
        pairs[pair]["metres"] = metres
    for pair in _at_one_address(scope):
        pairs[pair]["address"] = True
    for pair in _unplaced_alike("unplaced_sites", orgs):
        pairs.setdefault(pair, {})  # one organization's, named by name
    pairs = _of_scope(pairs, scope)
    facts = _site_facts({record for pair in pairs for record in pair})
    context = _context()
    kept = scored_pairs(pairs, lambda a, b, shared: site_score(facts[a], facts[b], shared, context), facts, progress)
    _name_organization_pairs(kept, facts)
    written = services.duplicates_write(DuplicateCandidate.Kind.LOCATION, kept, scope=scope)
    return Found(**vars(written), pairs_read=len(pairs))


def service_duplicates_find(organization_ids: Iterable | None = None, progress: Progress = None) -> Found:
    """Find and score the pairs of services (those of `organization_ids`' services, or every pair), write them to
    the queue, and drop the open pairs of the same services that no longer look alike."""
    orgs = scope_ids(organization_ids)
    scope = sites = None
    if orgs is not None:
        scope = _ids("SELECT id FROM providers_service WHERE organization_id = ANY(%s::uuid[])", orgs)
        sites = _ids("SELECT DISTINCT location_id FROM providers_serviceatlocation WHERE service_id = ANY(%s::uuid[])",
                     [str(i) for i in scope])  # fmt: skip
    pairs = _services_by_place(sites)
    for pair in _unplaced_alike("unplaced_services", orgs):
        pairs[pair]["unplaced"] = True  # one organization's, one of them offered at no located site
    pairs = _of_scope(pairs, scope)
    facts = _service_facts({record for pair in pairs for record in pair})
    context = _context()
    kept = scored_pairs(pairs, lambda a, b, shared: service_score(facts[a], facts[b], shared, context), facts,
                        progress)  # fmt: skip
    _name_organization_pairs(kept, facts)
    written = services.duplicates_write(DuplicateCandidate.Kind.SERVICE, kept, scope=scope)
    return Found(**vars(written), pairs_read=len(pairs))


# --- scoring ---------------------------------------------------------------------------------------------------


def site_score(a: Facts, b: Facts, shared: dict, context: Context) -> tuple[float, dict] | None:
    """How likely two sites are one (0..1) and why, or None when they are not worth a moderator's time."""
    same = a.organization == b.organization
    if not same and _pair(a.organization, b.organization) in context.distinct:
        return None  # a moderator said the organizations are two: so are their sites in one building
    alike, written = _alike(a.names, b.names) if same else _alike(a.labels, b.labels)
    if not same:
        # One building listed by two sources, whatever the second named the site: the organizations' names all but
        # the same (alike only, neighbours such as "Horizon Legal Aid" and "North Star Legal Aid" are the
        # organizations' own pair to judge).
        by_organization, written_by_organization = _alike(a.organization_names, b.organization_names)
        if by_organization >= SAME_NAME and by_organization > alike:
            alike, written = by_organization, written_by_organization
    metres, address, phones = shared.get("metres"), shared.get("address", False), a.phones & b.phones
    if metres is not None or address:
        # One building: alike names, or one organization's site listed twice at its address (names or none).
        keep = alike >= ALIKE_NAME or (same and address)
    else:
        # Without a place in common, only one organization's sites, one of them without a point, by name.
        keep = same and not (a.located and b.located) and (alike >= SAME_NAME or (alike >= ALIKE_NAME and phones))
    if not keep:
        return None
    value = round(min(1.0, 0.6 * alike + 0.1 * (metres is not None) + 0.1 * address + 0.1 * bool(phones)
                      + 0.1 * same), 3)  # fmt: skip
    evidence = {"names": written, "name_similarity": round(alike, 3), **_phones(phones), "sites_apart_m": metres,
                "same_address": address, "needs_in_common": _codes(a.needs & b.needs, context),
                **_organizations(a, b)}  # fmt: skip
    return value, evidence


def service_score(a: Facts, b: Facts, shared: dict, context: Context) -> tuple[float, dict] | None:
    """How likely two services are one (0..1) and why, or None when they are not worth a moderator's time."""
    same = a.organization == b.organization
    if not same and _pair(a.organization, b.organization) in context.distinct:
        return None  # a moderator said the organizations are two: each offers its own
    if a.populations and b.populations and not a.populations & b.populations:
        return None  # for other people ("for women" and "for men" differ by a word)
    alike, written = _alike(a.names, b.names)
    needs, phones = a.needs & b.needs, a.phones & b.phones
    needs_apart = bool(a.needs and b.needs and not needs)
    metres, same_site = shared.get("metres"), shared.get("same_site", False)
    together = same_site or metres is not None
    if same:
        # Offered at one place, or one of them nowhere located; the same name at two places is the service of
        # each place (its own hours, beds and referrals).
        # Names only alike ("Individual Counseling", "Group Counseling") need the needs and a phone in common too.
        keep = (together or shared.get("unplaced", False)) and (
            (alike >= SAME_NAME and not needs_apart) or (alike >= ALIKE_NAME and bool(needs) and bool(phones))
        )
    else:
        # Two organizations' services in one building: a name many services hold ("Case Management") says nothing.
        keep = together and _alike(a.labels, b.labels)[0] >= SAME_NAME and not needs_apart
    if not keep:
        return None
    value = round(min(1.0, 0.6 * alike + 0.1 * bool(needs) + 0.1 * together + 0.1 * bool(phones) + 0.1 * same), 3)
    evidence = {"names": written, "name_similarity": round(alike, 3), **_phones(phones), "sites_apart_m": metres,
                "same_site": same_site, "needs_in_common": _codes(needs, context), **_organizations(a, b)}  # fmt: skip
    return value, evidence


def _alike(first: list, second: list) -> tuple[float, list[str]]:
    """The most alike of two records' names, and those two names as written ("" for none)."""
    best = (0.0, ["", ""])
    for written, key in first:
        for other, other_key in second:
            similarity = names.key_similarity(key, other_key)
            if similarity > best[0]:
                best = (similarity, [written, other])
    if best[0] == 0.0 and first and second:
        best = (0.0, [first[0][0], second[0][0]])
    return best


def _organizations(a: Facts, b: Facts) -> dict:
    same = a.organization == b.organization
    found = {"organizations": [str(a.organization), str(b.organization)],
             "organization_names": [a.organization_name, b.organization_name], "same_organization": same}  # fmt: skip
    if not same:
        found["organization_similarity"] = round(names.name_similarity(a.organization_name, b.organization_name), 3)
    return found


def _phones(phones: set) -> dict:
    return {"phone": sorted(phones)} if phones else {}


def _codes(needs: set, context: Context) -> list[str]:
    return sorted(context.need_codes[need] for need in needs if need in context.need_codes)


def _pair(first, second) -> tuple:
    return (first, second) if first < second else (second, first)


def _context() -> Context:
    distinct = DuplicateCandidate.objects.filter(kind=DuplicateCandidate.Kind.ORGANIZATION,
                                                 status=DuplicateCandidate.Status.NOT_DUPLICATE)  # fmt: skip
    return Context(dict(NeedTerm.objects.values_list("id", "code")),
                   frozenset(distinct.values_list("first_id", "second_id")))  # fmt: skip


def _name_organization_pairs(kept: dict, facts: dict) -> None:
    """Name, in the evidence of a pair of two organizations' records, those organizations' open pair in the queue
    (None when they are not in it)."""
    wanted = {_pair(facts[a].organization, facts[b].organization) for a, b in kept
              if facts[a].organization != facts[b].organization}  # fmt: skip
    if not wanted:
        return
    open_pairs = DuplicateCandidate.objects.filter(
        kind=DuplicateCandidate.Kind.ORGANIZATION, status=DuplicateCandidate.Status.OPEN,
        first_id__in={first for first, _ in wanted}, second_id__in={second for _, second in wanted},
    ).values_list("first_id", "second_id", "id")  # fmt: skip
    named = {(first, second): str(pk) for first, second, pk in open_pairs}
    for a, b in kept:
        if facts[a].organization != facts[b].organization:
            kept[a, b][1]["organization_pair"] = named.get(_pair(facts[a].organization, facts[b].organization))


# --- pairs worth scoring ---------------------------------------------------------------------------------------


def _rows(sql_name: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(compact(render(SQL_DIR, sql_name)), params)
        return cursor.fetchall()


def _ids(sql: str, ids: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids])
        return [row[0] for row in cursor.fetchall()]


def _keys(name: str, alternate: str) -> set[str]:
    # A name with nothing left to compare (another script, "The Company, Inc.") is alike no other.
    return {names.name_key(name or ""), names.name_key(alternate or "")} - {""}


def _of_scope(pairs: dict, scope: list | None) -> dict:
    """The pairs with one of the scope's records (all of them without a scope)."""
    if scope is None:
        return dict(pairs)
    wanted = {uuid.UUID(str(record)) for record in scope}
    return {pair: shared for pair, shared in pairs.items() if pair[0] in wanted or pair[1] in wanted}


def _near(sites: list | None) -> dict[tuple, float]:
    """{(first, second): metres} of the sites closer than NEAR_M, outside hubs, with one of `sites` (None: all)."""
    params = {"sites": None if sites is None else [str(site) for site in sites], "near_m": NEAR_M,
              "at_most": SHARED_AT_MOST}  # fmt: skip
    return {(first, second): metres for first, second, metres in _rows("sites_near", params)}


def _at_one_address(sites: list | None) -> set[tuple]:
    """Pairs of sites at one street address (written alike), with one of `sites` (None: all); an address of more
    than SHARED_AT_MOST sites (a family justice center) says nothing."""
    at = defaultdict(set)
    for site, line, postal_code, city, state in _rows("site_addresses", {"sites": None if sites is None else
                                                                         [str(site) for site in sites]}):  # fmt: skip
        if key := names.address_key(line, postal_code, city, state):
            at[key].add(site)
    found = set()
    for group in at.values():
        if 2 <= len(group) <= SHARED_AT_MOST:
            ordered = sorted(group)
            found |= {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}
    return found


def _unplaced_alike(sql_name: str, orgs: list | None) -> set[tuple]:
    """Pairs of one organization's records, one of them not placed (stewardship/sql/<sql_name>.sql), with names
    ALIKE_NAME alike; a name more than SHARED_AT_MOST of an organization's records hold (a chain's program listed per
    place) is left out."""
    by_org = defaultdict(list)
    for record, org, name, alternate, unplaced in _rows(sql_name, {"orgs": orgs}):
        by_org[org] += [(names.entry(record, key), unplaced) for key in _keys(name, alternate)]
    found = set()
    for entries in by_org.values():
        held = Counter(entry[1] for entry, _ in entries)
        entries = [(entry, unplaced) for entry, unplaced in entries if held[entry[1]] <= SHARED_AT_MOST]
        found |= names.alike_pairs([entry for entry, unplaced in entries if unplaced],
                                   [entry for entry, _ in entries], ALIKE_NAME)  # fmt: skip
    return found


def _services_by_place(sites: list | None) -> dict[tuple, dict]:
    """{(first, second): {"same_site": True, "metres": m}} of the services with names ALIKE_NAME alike offered at
    one site or at two sites closer than NEAR_M (outside hubs), with one of `sites` (None: every site)."""
    near = _near(sites)
    around = None if sites is None else {str(s) for pair in near for s in pair} | {str(s) for s in sites}
    at, located = defaultdict(list), set()
    for site, service, name, alternate, placed in _rows("services_at_sites", {"sites": None if around is None
                                                                                 else sorted(around)}):  # fmt: skip
        at[site] += [names.entry(service, key) for key in _keys(name, alternate)]
        if placed:
            located.add(site)
    pairs: dict[tuple, dict] = defaultdict(dict)
    asked = None if sites is None else {uuid.UUID(str(site)) for site in sites}
    for site, entries in at.items():
        if asked is None or site in asked:
            for pair in names.alike_pairs(entries, entries, ALIKE_NAME):
                pairs[pair]["same_site"] = True
                if site in located:
                    pairs[pair]["metres"] = 0.0
    for (first, second), metres in near.items():
        for pair in names.alike_pairs(at.get(first, []), at.get(second, []), ALIKE_NAME):
            shared = pairs[pair]
            shared["metres"] = min(metres, shared.get("metres", metres))
    return pairs


# --- facts -----------------------------------------------------------------------------------------------------


def _site_facts(ids: set) -> dict:
    """What the scoring needs of each of these sites, in five statements."""
    if not ids:
        return {}
    wanted = [str(i) for i in ids]
    common = _common_names("providers_location")
    facts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.id, l.organization_id, o.name, o.alternate_name, l.name, l.alternate_name, l.point IS NOT NULL "
            "FROM providers_location l JOIN providers_organization o ON o.id = l.organization_id "
            "WHERE l.id = ANY(%s::uuid[])",
            [wanted],
        )
        for site, org, org_name, org_alternate, name, alternate, located in cursor.fetchall():
            own = [(written, names.name_key(written)) for written in (name, alternate) if names.name_key(written or "")]
            organization = [(written, names.name_key(written)) for written in (org_name, org_alternate)
                            if names.name_key(written or "")]  # fmt: skip
            labels = [label for label in own if label[1] not in common]
            facts[site] = Facts(org, org_name, own, labels=labels, organization_names=organization, located=located)
        cursor.execute("SELECT location_id, address_1, postal_code, city, state_province FROM providers_address "
                       "WHERE address_type = 'physical' AND location_id = ANY(%s::uuid[])", [wanted])  # fmt: skip
        for site, line, postal_code, city, state in cursor.fetchall():
            if key := names.address_key(line, postal_code, city, state):
                facts[site].addresses.add(key)
        _phones_of(cursor, _SITE_PHONES, wanted, facts)
        cursor.execute(
            "SELECT DISTINCT o.location_id, n.needterm_id FROM providers_serviceatlocation o "
            "JOIN providers_service_needs n ON n.service_id = o.service_id WHERE o.location_id = ANY(%s::uuid[])",
            [wanted],
        )
        for site, need in cursor.fetchall():
            facts[site].needs.add(need)
    return facts


def _service_facts(ids: set) -> dict:
    """What the scoring needs of each of these services, in four statements."""
    if not ids:
        return {}
    wanted = [str(i) for i in ids]
    common = _common_names("providers_service")
    facts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.organization_id, o.name, s.name, s.alternate_name FROM providers_service s "
            "JOIN providers_organization o ON o.id = s.organization_id WHERE s.id = ANY(%s::uuid[])",
            [wanted],
        )
        for service, org, org_name, name, alternate in cursor.fetchall():
            own = [(written, names.name_key(written)) for written in (name, alternate) if names.name_key(written or "")]
            facts[service] = Facts(org, org_name, own, labels=[label for label in own if label[1] not in common])
        for statement, into in (_SERVICE_NEEDS, "needs"), (_SERVICE_POPULATIONS, "populations"):
            cursor.execute(statement, [wanted])
            for service, value in cursor.fetchall():
                getattr(facts[service], into).add(value)
        _phones_of(cursor, _SERVICE_PHONES, wanted, facts)
    return facts


_SERVICE_NEEDS = "SELECT service_id, needterm_id FROM providers_service_needs WHERE service_id = ANY(%s::uuid[])"
_SERVICE_POPULATIONS = ("SELECT service_id, population_id FROM providers_service_populations "
                        "WHERE service_id = ANY(%s::uuid[])")  # fmt: skip
_SERVICE_PHONES = "SELECT service_id, number FROM providers_phone WHERE service_id = ANY(%s::uuid[])"
_SITE_PHONES = "SELECT location_id, number FROM providers_phone WHERE location_id = ANY(%s::uuid[])"


def _phones_of(cursor, statement: str, wanted: list, facts: dict) -> None:
    cursor.execute(statement, [wanted])
    for record, number in cursor.fetchall():
        facts[record].phones.add(str(number))


def _common_names(table: str) -> set[str]:
    """Names more than SHARED_AT_MOST sites or services hold ("Main Office", "Case Management"): alike, they say
    nothing of two organizations' records."""
    assert table in ("providers_location", "providers_service")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT lower(name) FROM {table} WHERE name <> '' GROUP BY 1 HAVING count(*) > %s",  # noqa: S608
                       [SHARED_AT_MOST])  # fmt: skip
        return {names.name_key(name) for (name,) in cursor.fetchall()}

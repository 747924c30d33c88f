"""An application that looks like a listing already here (a provider applying while a coalition's feed lists it):
the organizations it may be, for the moderator to see before approving. The same rules as the registry's pairs
(stewardship.duplicates): names all but the same among the organizations of the application's states, or alike and
a website or email in common."""

from pathlib import Path

from django.db import connection
from rapidfuzz import fuzz, process

from core.sqlfiles import compact, render
from providers.models import Application
from stewardship import names
from stewardship.duplicates import ALIKE_NAME, SAME_NAME

SQL_DIR = Path(__file__).with_name("sql")
MAX_LOOKALIKES = 5


def pending_lookalikes(limit: int) -> list[tuple]:
    """The oldest `limit` pending applications, each with the listings it may be (the organizations of each set of
    states read once for them all)."""
    registry = {}
    pending = Application.objects.filter(status=Application.Status.PENDING).order_by("created_at", "id")[:limit]
    return [(application, application_lookalikes(application.details, registry)) for application in pending]


def application_lookalikes(details, registry: dict | None = None) -> list[dict]:
    """The listings an application's details (providers.Application.details) may be, most alike first;
    `registry`: the organizations already read per set of states, shared by the calls of one request."""
    organization, sites = _given(details)
    states = tuple(sorted({str((site.get("address") or {}).get("state_province") or "").upper() for site in sites}
                          - {""}))  # fmt: skip
    wanted = [key for n in (organization.get("name"), organization.get("alternate_name")) if (key := _key(n))]
    host = names.website_host(str(organization.get("website") or ""))
    email = names.email_key(str(organization.get("email") or ""))
    registry = {} if registry is None else registry
    if states not in registry:
        registry[states] = _organizations_in(states)
    rows, keys, owners = registry[states]
    alike = {}
    for key in wanted:
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            for _, value, index in process.extract(key, keys, scorer=scorer, score_cutoff=ALIKE_NAME * 100,
                                                   limit=50):  # fmt: skip
                org = owners[index]
                alike[org] = max(alike.get(org, 0.0), value / 100)
    found = []
    for org, name, _, website, org_email in rows:
        shared = {}
        if host and names.website_host(website) == host:
            shared["website"] = host
        if email and org_email == email:
            shared["email"] = email
        similarity = alike.get(org, 0.0)
        if similarity >= SAME_NAME or (similarity >= ALIKE_NAME and shared) or len(shared) == 2:
            found.append({"organization_id": str(org), "name": name, "name_similarity": round(similarity, 3), **shared})
    found.sort(key=lambda f: (-f["name_similarity"], f["name"]))
    return found[:MAX_LOOKALIKES]


def _key(name) -> str:
    return names.name_key(name) if isinstance(name, str) else ""


def _given(details) -> tuple[dict, list[dict]]:
    """The organization and sites an application gives, whatever shape its stored details have come to."""
    details = details if isinstance(details, dict) else {}
    organization = details.get("organization")
    sites = details.get("locations")
    return (organization if isinstance(organization, dict) else {},
            [site for site in sites if isinstance(site, dict)] if isinstance(sites, list) else [])  # fmt: skip


def _organizations_in(states: tuple) -> tuple[list, list[str], list]:
    """The organizations of these states (and the unlocated), their names' compared forms and whose each is."""
    with connection.cursor() as cursor:
        cursor.execute(compact(render(SQL_DIR, "names_in_states")), {"states": list(states)})
        rows = cursor.fetchall()
    keys, owners = [], []
    for org, name, alternate, _, _ in rows:
        for key in {names.name_key(name), names.name_key(alternate or "")} - {""}:  # "": alike no other name
            keys.append(key)
            owners.append(org)
    return rows, keys, owners

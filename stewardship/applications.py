"""An application that looks like a listing already here (a provider applying while a coalition's feed lists it):
the organizations it may be, for the moderator to see before approving. The same rules as the registry's pairs
(stewardship.duplicates): names all but the same among the organizations of the application's states, or alike and
a website or email in common."""

from pathlib import Path

from django.db import connection
from rapidfuzz import fuzz, process

from core.sqlfiles import compact, render
from stewardship import names
from stewardship.duplicates import ALIKE_NAME, SAME_NAME

SQL_DIR = Path(__file__).with_name("sql")
MAX_LOOKALIKES = 5


def application_lookalikes(details: dict) -> list[dict]:
    """The listings an application's details (providers.Application.details) may be, most alike first."""
    organization = details.get("organization") or {}
    states = sorted({(site.get("address") or {}).get("state_province", "") for site in details.get("locations") or []}
                    - {""})  # fmt: skip
    wanted = [names.name_key(n) for n in (organization.get("name"), organization.get("alternate_name")) if n]
    host, email = names.website_host(organization.get("website", "")), names.email_key(organization.get("email", ""))
    with connection.cursor() as cursor:
        cursor.execute(compact(render(SQL_DIR, "names_in_states")), {"states": states})
        rows = cursor.fetchall()
    keys = []  # each organization's name and alternate name: row i's at 2i and 2i + 1
    for _, name, alternate, _, _ in rows:
        keys += [names.name_key(name), names.name_key(alternate or "")]
    alike = {}
    for key in wanted:
        for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
            for _, value, index in process.extract(key, keys, scorer=scorer, score_cutoff=ALIKE_NAME * 100,
                                                   limit=50):  # fmt: skip
                row = rows[index // 2]
                alike[row[0]] = max(alike.get(row[0], 0.0), value / 100)
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

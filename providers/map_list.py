"""The map's light list (/api/locations/map/) read by one prepared statement (providers/sql/map_list.sql): the
page, its count, the organizations' names and the services offered, where the ORM's filters, page and two more
reads cost about 10 ms of Python per request to build (docs/benchmarks.md, "The map's light list").

It answers the common map searches: words (`q`: the keyword search's hits ranked first, then its other matches, as
LocationFilter.sites_matching gives them), a
place and radius, needs, languages, statuses, an organization, location types and a box. A request with populations
or an age goes through the ORM's filters instead (`answers`); tests/providers/test_map_list.py checks that both give
the same page for every kind of caller. Who sees which point is providers.access's rule, spelt here in SQL as
matching spells it.
"""

from functools import cache
from pathlib import Path

from core import sqlfiles
from core.database import prepared_cursor
from providers.access import ConfidentialAccess
from providers.vocabulary import vocabulary

SQL_DIR = Path(__file__).with_name("sql")
# The filters the statement applies; with any other given, the ORM's filters answer.
HANDLED = frozenset({"q", "need", "language", "status", "organization", "location_type", "accessibility", "bbox",
                     "near", "radius_mi", "radius_km", "origin", "radius_m"})  # fmt: skip
_OWN = "l.organization_id = %(own)s::uuid"


def answers(data: dict) -> bool:
    """Whether the statement can answer these validated filters (the others left blank)."""
    return not any(value not in (None, "", [], ()) for name, value in data.items() if name not in HANDLED)


def _kind(access: ConfidentialAccess) -> str:
    if access.all:
        return "all"
    return "public" if access.organization_id is None else "own"


def _exact_or_public(kind: str, exact: str, public: str) -> str:
    """The column a caller of this kind sees a site by: exact, public, or exact for their own sites only."""
    if kind == "own":
        return f"CASE WHEN {_OWN} THEN {exact} ELSE {public} END"
    return exact if kind == "all" else public


def _box(latitude: str, longitude: str) -> str:
    return (f"({latitude} BETWEEN %(min_lat)s::float8 AND %(max_lat)s::float8 AND {longitude} BETWEEN "
            "%(min_lon)s::float8 AND %(max_lon)s::float8)")  # fmt: skip


_ORIGIN = "ST_GeogFromWKB(%(origin)s::bytea)"  # bound as WKB: the ORM's point to the last bit (text could round it)


@cache
def statement(kind: str, near: bool, organization: bool = False, bbox: bool = False, words: str | None = None) -> str:
    """map_list.sql for callers of this kind (`_kind`), with or without a place to measure from, an organization
    and a box; `words`: the condition on the sites a search matches (matching.search.sites_matching), whose ranked
    sites come first."""
    within = "TRUE"
    if near:
        within = {
            "all": f"ST_DWithin(l.point, {_ORIGIN}, %(radius_m)s)",
            "public": f"ST_DWithin(l.public_point, {_ORIGIN}, %(radius_m)s)",
            # As two conditions, each on its own column's index (a CASE would be read site by site).
            "own": f"(({_OWN} AND ST_DWithin(l.point, {_ORIGIN}, %(radius_m)s)) OR (NOT {_OWN} AND "
            f"ST_DWithin(l.public_point, {_ORIGIN}, %(radius_m)s)))",
        }[kind]
    point = _exact_or_public(kind, "l.point", "l.public_point")
    box = _box("l.latitude", "l.longitude")
    if kind == "own":  # as two conditions, as the radius (a CASE would be read site by site)
        box = f"(({_OWN} AND {box}) OR (NOT {_OWN} AND {_box('l.public_latitude', 'l.public_longitude')}))"
    elif kind == "public":
        box = _box("l.public_latitude", "l.public_longitude")
    order = outer_order = "distance, id" if near else "name, id"
    if words is not None:  # the ranked first; NULL (the others) last
        order = f"array_position(%(kw_ranked)s::uuid[], l.id), {order}"
        outer_order = f"array_position(%(kw_ranked)s::uuid[], page.id), {outer_order}"
    return sqlfiles.compact(
        sqlfiles.render(
            SQL_DIR, "map_list", within=within, order=order, outer_order=outer_order, words=words or "TRUE",
            distance=f"ST_Distance({point}, {_ORIGIN})" if near else "NULL::float8",
            organization="l.organization_id = %(organization)s::uuid" if organization else "TRUE",
            bbox=box if bbox else "TRUE",
        )
    )  # fmt: skip


def _need_ids(codes) -> list[int]:
    copy = vocabulary()  # one copy for the terms and their tree
    return sorted(copy.terms[code].id for code in copy.expand_all(codes) if code in copy.terms)


def read_page(data: dict, access: ConfidentialAccess, *, offset: int, limit: int,
              words: tuple[str, dict] | None = None) -> list[dict]:  # fmt: skip
    """The rows of one page (with `total`, the count of them all), as providers.features.map_features takes them;
    `words`: the condition on `l.id` the keyword search gives and its parameters (LocationFilter.sites_matching)."""
    origin, box = data.get("origin"), data.get("bbox")
    needs = data.get("need") or []
    languages = data.get("language") or []
    statuses = data.get("status") or []
    params = {
        "origin": None if origin is None else bytes(origin.wkb),
        "radius_m": data.get("radius_m"),
        "own": access.organization_id,
        "organization": data.get("organization"),
        "location_types": list(data.get("location_type") or []) or None,
        "accessibility": list(data.get("accessibility") or []) or None,
        **(
            {}
            if box is None
            else {"min_lon": box.min_lon, "min_lat": box.min_lat, "max_lon": box.max_lon, "max_lat": box.max_lat}
        ),  # fmt: skip
        "services_filtered": bool(needs or languages or statuses),
        # A list given is never None (which lets every site through), even if the vocabulary lost its codes since.
        "need_ids": _need_ids(needs) if needs else None,
        "languages": list(languages) if languages else None,
        "statuses": list(statuses) if statuses else None,
        "limit": limit,
        "offset": offset,
    }
    condition = None
    if words is not None:
        condition, found = words
        params.update(found)
    with prepared_cursor() as cursor:
        kind = _kind(access)
        text = statement(kind, origin is not None, data.get("organization") is not None, box is not None, condition)
        cursor.execute(text, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

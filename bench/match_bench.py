"""Time matching at several registry sizes: the whole API request, its core SQL statement, and a naive scan.

Usage: .venv/bin/python bench/match_bench.py [--sizes 10000,100000,1000000] [--requests 500] [--seed 1]
                                             [--naive-requests 50] [--keep] [--reuse]

Sizes are numbers of service-at-location rows. For each size the script
1. builds a scratch database `directory_bench_<size>` from `directory_template` (as the postgres superuser
   over 127.0.0.1, as bench/seed_demo.py does): migrate, load_boundaries, seed_demo with
   ceil(size / 2.0) locations (seed_demo gives ~2.0 services at location per location) and seed --seed,
   then VACUUM ANALYZE so autovacuum does not run during the measurement; it prints the build time. With
   --reuse an existing database of that name that has match index rows is only migrated, not rebuilt.
2. re-runs itself in a subprocess (hidden --measure flag) with DATABASE_URL pointing at that database, which
   - generates a fixed list of 20 warm-up + --requests match requests with random.Random(--seed), the same
     list at every size: origin = the centroid of a random active STANDARD ZIP code of the 50 states and DC
     (`zipcodes` package), given as "lat,lon" (parsed, never looked up); 1-3 random leaf needs; language
     "es" (a ranking preference, not a filter) with probability 0.5, age 10-70 with 0.5, gender with 0.3,
     trafficking_type with 0.2, citizenship with 0.2; radius 50 mi; limit 20;
   - sends the 20 warm-up requests through both paths below (not timed), then every timed request once
     through both paths (not timed), so that both are measured with a warm cache (steady state);
   - SQL pass: for each request, times the statement that matching.engine.match() runs first (sql/match.sql) for an
     anonymous caller (`match_sql(..., column="public_point")`): it fetches the candidate rows (the k-nearest
     walks of the (need, citizenship, public_point) GiST index per need and sub-term, the services whose area
     covers the origin, the nearest rows beyond the radius for needs nothing in reach meets), what ranking
     needs of each and what is shown of each (its offer card). It runs as the engine runs it
     (core.database.prepared_cursor: prepared once per connection, generic plan): cursor.execute() +
     fetchall(). It is the only statement of an anonymous request that reads listings (the others count the
     rate limit, and, rarely, name the nearest provider beyond the radius). It also times the walks alone
     (`candidate_sql`, same cursor), which is what earlier versions of this script called "SQL". The request
     goes through MatchInputSerializer exactly as the API parses it; the need pairs are built with the
     engine's own _Taxonomy.
   - API pass (after the SQL pass, over the same requests): GET /api/match/?... through the whole Django/DRF
     stack (middleware, validation, geocoding of "lat,lon", all the engine's queries, ranking, coverage plan,
     specialists, JSON rendering) with django.test.Client() as an anonymous user, timed around client.get().
     Responses other than 200 are counted as errors, printed, and left out of the timings.
   - at the size closest to 100,000 only, times a naive statement on the first --naive-requests requests:
     `WHERE need_id = ANY(...) AND <the same hard filters> ORDER BY ST_Distance(public_point, origin) LIMIT k`
     with k = what the walks can return (k per need pair), which computes the distance of every row with
     one of the needs and sorts them instead of walking the GiST index in distance order; it is compared
     with the walks alone.
   - last, times one UPDATE of a site's accepting_referrals (the match index's triggers refresh its rows in the
     same statement, as for any listing edit) for 100
     sites drawn with the seed, each rolled back.
   The anonymous rate limit (THROTTLE_ANON) is raised so that it counts every request but refuses none, and
   LOG_LEVEL=WARNING leaves out the per-request log line.
   Times are wall-clock (time.perf_counter) in the one client process, the database on the same machine;
   percentiles are statistics.quantiles(n=100, method="inclusive"). The plan of the first request's
   indexed and naive statements is printed (EXPLAIN) so the figures can be read against it.
3. drops the scratch database unless --keep (also when interrupted).
At the end it prints a markdown table for docs/benchmarks.md and the exact command line.
"""

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from common import (
    GENDERS,
    NEEDS,
    ORIGIN_STATES,
    PYTHON,
    ROOT,
    command_line,
    database_env,
    database_exists,
    drop_database,
    keep_or_drop,
    manage,
    percentiles,
    psql,
)

DB_PREFIX = "directory_bench_"
SAL_PER_LOCATION = 2.0
WARMUP_REQUESTS = 20
NAIVE_NEAR_SIZE = 100_000
REFRESHED_SITES = 100

TRAFFICKING_TYPES = ("sex", "labor", "both")
CITIZENSHIPS = ("foreign_national", "us_citizen_or_lpr")


# --- orchestration (the parent process) -------------------------------------------------------------------


def database_has_data(database: str) -> bool:
    try:
        count = psql("SELECT count(*) FROM matching_matchcandidate", database=database)
    except subprocess.CalledProcessError:
        return False  # not migrated yet
    return int(count) > 0


def build(database: str, size: int, *, seed: int, reuse: bool) -> None:
    if reuse and database_exists(database) and database_has_data(database):
        manage(database, "migrate", "-v0")
        print(f"reusing {database} (migrated, not reloaded)", flush=True)
        return
    if database_exists(database):
        print(f"dropping the existing {database}", flush=True)
        drop_database(database)
    locations = math.ceil(size / SAL_PER_LOCATION)
    started = time.perf_counter()
    psql(f"CREATE DATABASE {database} OWNER directory TEMPLATE directory_template")
    _, migrate_s = manage(database, "migrate", "-v0")
    _, boundaries_s = manage(database, "load_boundaries", "--if-empty")
    seeded, seed_s = manage(database, "seed_demo", "--locations", str(locations), "--seed", str(seed), "--no-users")
    vacuum_started = time.perf_counter()
    psql("VACUUM ANALYZE", database=database)
    vacuum_s = time.perf_counter() - vacuum_started
    print(
        f"built {database} in {time.perf_counter() - started:.1f} s (migrate {migrate_s:.1f} s, "
        f"load_boundaries {boundaries_s:.1f} s, seed_demo --locations {locations} {seed_s:.1f} s, "
        f"VACUUM ANALYZE {vacuum_s:.1f} s)\n  seed_demo: {seeded.splitlines()[-1] if seeded else '(no output)'}",
        flush=True,
    )


def measure(database: str, *, requests: int, seed: int, naive_requests: int) -> dict:
    """Run the measurement in a subprocess against the database; return its results."""
    with tempfile.TemporaryDirectory(prefix="match_bench_") as tmp:
        out = Path(tmp) / "result.json"
        # Every request comes from one address: the anonymous rate limit still counts each one (its cost is in
        # the timings) but is set too high to refuse any; request log lines are not printed.
        env = dict(
            database_env(database),
            DJANGO_SETTINGS_MODULE="config.settings",
            THROTTLE_ANON="1000000000/minute",
            LOG_LEVEL="WARNING",
        )
        options = ["--requests", str(requests), "--seed", str(seed), "--naive-requests", str(naive_requests)]
        command = [PYTHON, str(Path(__file__).resolve()), "--measure", str(out), *options]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        return json.loads(out.read_text())


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def print_size(result: dict) -> None:
    api, sql, walk, naive = (percentiles(result[key]) for key in ("api_ms", "sql_ms", "walk_ms", "naive_ms"))
    print(
        f"size {result['size']:,}: {result['sal_rows']:,} services at location, "
        f"{result['index_rows']:,} match index rows"
    )
    if api:
        print(
            f"  API   anonymous GET /api/match/  n={len(result['api_ms'])} errors={result['errors']}: "
            f"p50 {fmt_ms(api[0])} ms  p95 {fmt_ms(api[1])} ms  p99 {fmt_ms(api[2])} ms  "
            f"(mean {result['mean_results']:.1f} results, {result['empty_results']} with none)"
        )
    else:
        print(f"  API   no successful request (errors={result['errors']})")
    print(
        f"  SQL   the first match statement   n={len(result['sql_ms'])}: "
        f"p50 {fmt_ms(sql[0])} ms  p95 {fmt_ms(sql[1])} ms  p99 {fmt_ms(sql[2])} ms  "
        f"(mean {result['mean_statement_rows']:.1f} rows)"
    )
    print(
        f"  walks the GiST walks alone        n={len(result['walk_ms'])}: "
        f"p50 {fmt_ms(walk[0])} ms  p95 {fmt_ms(walk[1])} ms  p99 {fmt_ms(walk[2])} ms  "
        f"(mean {result['mean_candidate_rows']:.1f} rows)"
    )
    if api:
        print(f"  API/SQL  p50 {api[0] / sql[0]:.1f}x  p95 {api[1] / sql[1]:.1f}x")
    if naive:
        print(
            f"  naive ORDER BY ST_Distance scan   n={len(result['naive_ms'])}: "
            f"p50 {fmt_ms(naive[0])} ms  p95 {fmt_ms(naive[1])} ms  p99 {fmt_ms(naive[2])} ms  "
            f"(p50 {naive[0] / walk[0]:.1f}x the walks)"
        )
    refresh = percentiles(result["refresh_ms"])
    print(
        f"  edit one site (UPDATE + its index refresh)  n={len(result['refresh_ms'])}: "
        f"p50 {fmt_ms(refresh[0])} ms  p95 {fmt_ms(refresh[1])} ms  p99 {fmt_ms(refresh[2])} ms"
    )
    print(f"  plan (walks): {result['plan']}")
    if result.get("naive_plan"):
        print(f"  plan (naive): {result['naive_plan']}")
    print(flush=True)


def print_summary(results: list[dict], args: argparse.Namespace) -> None:
    first = results[0]
    print(f"## Matching latency ({date.today().isoformat()})\n")
    print(f"Command: `{command_line()}`\n")
    print(
        f"{first['postgres']} (shared_buffers {first['shared_buffers']}); PostGIS {first['postgis']}; "
        f"Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs. {args.requests} requests per size after {WARMUP_REQUESTS} warm-up requests; "
        f"API = anonymous GET /api/match/ through django.test.Client; SQL = the engine's first statement "
        f"(candidate rows, their facts and their cards); walks = its GiST walks alone; "
        f"naive = ORDER BY ST_Distance without the GiST walk ({args.naive_requests} requests). Times in ms.\n"
    )
    print(
        "| size | SAL rows | API p50 | API p95 | API p99 | SQL p50 | SQL p95 | SQL p99 | API/SQL p95 "
        "| walks p50 | walks p95 | naive p50 | naive p95 |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for result in results:
        api = percentiles(result["api_ms"]) or (None, None, None)
        sql = percentiles(result["sql_ms"]) or (None, None, None)
        walk = percentiles(result["walk_ms"]) or (None, None, None)
        naive = percentiles(result["naive_ms"]) or (None, None, None)
        ratio = f"{api[1] / sql[1]:.1f}x" if api[1] is not None and sql[1] else "-"
        cells = [
            f"{result['size']:,}",
            f"{result['sal_rows']:,}",
            *map(fmt_ms, api),
            *map(fmt_ms, sql),
            ratio,
            fmt_ms(walk[0]),
            fmt_ms(walk[1]),
            fmt_ms(naive[0]),
            fmt_ms(naive[1]),
        ]
        print("| " + " | ".join(cells) + " |")
    if len(results) > 1 and all(percentiles(result["api_ms"]) for result in results):
        smallest, largest = results[0], results[-1]
        growth = percentiles(largest["api_ms"])[1] / percentiles(smallest["api_ms"])[1]
        print(f"\nAPI p95 at {largest['size']:,} / API p95 at {smallest['size']:,}: {growth:.2f}x")
    print("\nOne UPDATE of a site, with the refresh of its match index rows by the triggers (ms):\n")
    print("| size | p50 | p95 | p99 |")
    print("| ---: | ---: | ---: | ---: |")
    for result in results:
        print(f"| {result['size']:,} | " + " | ".join(map(fmt_ms, percentiles(result["refresh_ms"]))) + " |")
    errors = sum(result["errors"] for result in results)
    if errors:
        print(f"\n{errors} API requests did not answer 200 (see above); they are not in the timings.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="Service-at-location rows, comma-separated.")
    parser.add_argument("--requests", type=int, default=500, help="Timed requests per size (default 500).")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the demo data and of the requests.")
    parser.add_argument(
        "--naive-requests", type=int, default=50, help="Requests for the naive scan (default 50, 0: none)."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the scratch databases.")
    parser.add_argument("--reuse", action="store_true", help="Reuse a scratch database that already has data.")
    parser.add_argument("--measure", metavar="RESULT_JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.requests < 2 or args.naive_requests < 0:
        parser.error("--requests must be at least 2 and --naive-requests at least 0 (0: no naive scan).")

    if args.measure:
        measure_here(Path(args.measure), requests=args.requests, seed=args.seed, naive_requests=args.naive_requests)
        return

    try:
        sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes must be comma-separated integers.")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes needs at least one positive size.")
    naive_size = min(sizes, key=lambda size: abs(size - NAIVE_NEAR_SIZE))

    results = []
    for size in sizes:
        database = f"{DB_PREFIX}{size}"
        try:
            build(database, size, seed=args.seed, reuse=args.reuse)
            result = measure(
                database,
                requests=args.requests,
                seed=args.seed,
                naive_requests=args.naive_requests if size == naive_size else 0,
            )
        finally:
            keep_or_drop(database, args.keep)
        result["size"] = size
        print_size(result)
        results.append(result)
    print_summary(results, args)


# --- measurement (the subprocess, with Django set up) -----------------------------------------------------


def generate_requests(count: int, seed: int) -> list[str]:
    """Return `count` match requests as query strings, the same for a given seed whatever the database."""
    import zipcodes

    origins = sorted(
        (record["zip_code"], record["lat"], record["long"])
        for record in zipcodes.filter_by(zip_code_type="STANDARD", active=True)
        if record["state"] in ORIGIN_STATES
    )
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        _zip_code, lat, lon = rng.choice(origins)
        params = {"near": f"{lat},{lon}", "needs": ",".join(rng.sample(NEEDS, rng.randint(1, 3)))}
        if rng.random() < 0.5:
            params["language"] = "es"
        if rng.random() < 0.5:
            params["age"] = rng.randint(10, 70)
        if rng.random() < 0.3:
            params["gender"] = rng.choice(GENDERS)
        if rng.random() < 0.2:
            params["trafficking_type"] = rng.choice(TRAFFICKING_TYPES)
        if rng.random() < 0.2:
            params["citizenship"] = rng.choice(CITIZENSHIPS)
        params.update(radius_mi=50, limit=20)
        queries.append(urlencode(params))
    return queries


def plan_summary(cursor, sql: str, params: dict) -> str:
    """Return the plan's nodes depth-first, e.g. 'Nested Loop > Function Scan > Limit > Index Scan using x [...]'."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    nodes = []

    def walk(node: dict) -> None:
        label = node["Node Type"]
        if node.get("Index Name"):
            label += f" using {node['Index Name']}"
        elif node.get("Relation Name"):
            label += f" on {node['Relation Name']}"
        # Whether the need is an index condition or only a filter decides how far a walk goes.
        details = [f"{key}: {node[key]}" for key in ("Index Cond", "Filter") if node.get(key)]
        if details:
            label += f" [{'; '.join(details)}]"
        nodes.append(label)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return " > ".join(nodes)


def measure_here(out: Path, *, requests: int, seed: int, naive_requests: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()

    from django.db import connection
    from django.http import QueryDict
    from django.test import Client

    from core.database import prepared_cursor
    from geo.geocoding import geocode
    from matching.serializers import MatchInputSerializer
    from matching.statements import HARD_FILTERS, candidate_sql, match_sql, origin_param
    from matching.taxonomy import Taxonomy

    queries = generate_requests(WARMUP_REQUESTS + requests, seed)
    warmup, timed = queries[:WARMUP_REQUESTS], queries[WARMUP_REQUESTS:]
    taxonomy = Taxonomy()

    def parse(query: str):
        """Return the request as the API parses it, its need pairs and the geocoded origin parameter."""
        serializer = MatchInputSerializer(data=QueryDict(query))
        serializer.is_valid(raise_exception=True)
        request = serializer.to_request()
        return request, taxonomy.need_pairs(request.needs), origin_param(geocode(serializer.validated_data["near"]))

    def statement(query: str) -> tuple[str, dict]:
        """Return the anonymous caller's whole match statement (SQL, params) for a query string."""
        request, pairs, origin = parse(query)
        sql, params = match_sql(request, column="public_point", need_pairs=pairs)
        return sql, dict(params, origin=origin)

    def walk_statement(query: str) -> tuple[str, dict, object]:
        """Return the walks alone (SQL, params) for a query string, and the request."""
        request, pairs, origin = parse(query)
        sql, params = candidate_sql(request, column="public_point", need_pairs=pairs)
        return sql, dict(params, origin=origin), request

    def naive_statement(query: str) -> tuple[str, dict]:
        sql, params, _ = walk_statement(query)  # the same conditions; their values are already in params
        where = " AND ".join(["mc.need_id = ANY(%(need_ids)s::int[])", "mc.public_point IS NOT NULL", *HARD_FILTERS])
        sql = f"""
            SELECT mc.service_at_location_id, ST_Distance(mc.public_point, %(origin)s::geography) AS distance_m
            FROM matching_matchcandidate mc
            WHERE {where}
            ORDER BY ST_Distance(mc.public_point, %(origin)s::geography)
            LIMIT %(k)s
        """
        # As many rows as the indexed statement can return: k per need pair.
        params["k"] = params["k"] * len(params["need_ids"])
        return sql, params

    def run_sql(cursor, sql: str, params: dict) -> tuple[float, int]:
        started = time.perf_counter()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        return (time.perf_counter() - started) * 1000, len(rows)

    client = Client(raise_request_exception=False)  # anonymous; a 500 is counted, not raised

    def run_api(query: str):
        started = time.perf_counter()
        response = client.get(f"/api/match/?{query}")
        return (time.perf_counter() - started) * 1000, response

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM providers_serviceatlocation")
        (sal_rows,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM matching_matchcandidate")
        (index_rows,) = cursor.fetchone()
        cursor.execute(
            "SELECT split_part(version(), ' on ', 1), postgis_lib_version(), current_setting('shared_buffers')"
        )
        postgres, postgis, shared_buffers = cursor.fetchone()
    print(
        f"measuring {connection.settings_dict['NAME']}: {sal_rows:,} services at location; "
        f"{WARMUP_REQUESTS} warm-up + {requests} requests",
        flush=True,
    )

    statements = [statement(query) for query in timed]
    walks = [walk_statement(query)[:2] for query in timed]
    with prepared_cursor() as cursor:
        for query in warmup:
            run_sql(cursor, *statement(query))
            run_sql(cursor, *walk_statement(query)[:2])
            run_api(query)
        # Steady state: every timed request has been answered once through every path before any is
        # timed, so no path pays for reading index pages from disk that another then finds cached.
        for query, (sql, params), (walk_sql, walk_params) in zip(timed, statements, walks, strict=True):
            run_sql(cursor, sql, params)
            run_sql(cursor, walk_sql, walk_params)
            run_api(query)

        sql_ms, statement_rows = [], []
        for sql, params in statements:
            elapsed, count = run_sql(cursor, sql, params)
            sql_ms.append(elapsed)
            statement_rows.append(count)
        walk_ms, candidate_rows = [], []
        for sql, params in walks:
            elapsed, count = run_sql(cursor, sql, params)
            walk_ms.append(elapsed)
            candidate_rows.append(count)

    with connection.cursor() as cursor:
        plan = plan_summary(cursor, *walks[0])
        naive_ms, naive_plan = [], ""
        if naive_requests:
            naive = [naive_statement(query) for query in timed[:naive_requests]]
            naive_plan = plan_summary(cursor, *naive[0])
            print(f"naive statement on {len(naive)} requests", flush=True)
            naive_ms = [run_sql(cursor, sql, params)[0] for sql, params in naive]

    api_ms, results, errors = [], [], 0
    for query in timed:
        elapsed, response = run_api(query)
        if response.status_code != 200:
            errors += 1
            print(f"API error {response.status_code} for ?{query}: {response.content[:300]!r}", flush=True)
            continue
        api_ms.append(elapsed)
        results.append(len(response.json()["results"]))

    refresh_ms = measure_refresh(seed)

    out.write_text(
        json.dumps(
            {
                "refresh_ms": refresh_ms,
                "sal_rows": sal_rows,
                "index_rows": index_rows,
                "postgres": postgres,
                "postgis": postgis,
                "shared_buffers": shared_buffers,
                "api_ms": api_ms,
                "sql_ms": sql_ms,
                "walk_ms": walk_ms,
                "naive_ms": naive_ms,
                "errors": errors,
                "mean_results": statistics.fmean(results) if results else 0.0,
                "empty_results": sum(1 for count in results if count == 0),
                "mean_candidate_rows": statistics.fmean(candidate_rows),
                "mean_statement_rows": statistics.fmean(statement_rows),
                "plan": plan,
                "naive_plan": naive_plan,
            }
        )
    )


def measure_refresh(seed: int) -> list[float]:
    """Time an edit of one site that the match index holds (its accepting_referrals flipped by one UPDATE, which
    the index's triggers follow in the same statement), for REFRESHED_SITES sites drawn with random.Random(seed);
    each is rolled back."""
    from django.db import connection, transaction

    from providers.models import Location

    ids = list(Location.objects.order_by("id").values_list("id", flat=True))
    sites = random.Random(seed).sample(ids, min(REFRESHED_SITES, len(ids)))
    elapsed = []
    for site in sites:
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                "UPDATE providers_location SET accepting_referrals = NOT accepting_referrals WHERE id = %s", [site]
            )
            elapsed.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    return elapsed


if __name__ == "__main__":
    main()

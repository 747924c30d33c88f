"""Time keyword search at several registry sizes: through the API and the search statement alone.

Usage: .venv/bin/python bench/search_bench.py [--sizes 10000,100000,1000000] [--requests 200] [--seed 1]
                                              [--keep] [--reuse]

Sizes are numbers of service-at-location rows. For each size the script builds a scratch database
`directory_search_bench_<size>` as bench/match_bench.py builds its own (migrate, load_boundaries, seed_demo with
ceil(size / 2) locations, VACUUM ANALYZE; with --reuse an existing one with data is only migrated), then re-runs
itself in a subprocess (hidden --measure) with DATABASE_URL pointing at it, which
- draws, with random.Random(--seed), --requests queries of each kind from the database's own listings: a word of a
  random organization's name, with one letter dropped in a third of them (a typo); or one of a fixed list of English
  and Spanish words ("refugio", "asilo", "abogado", "legal aid", ...); and origins at random standard ZIP codes of
  the 50 states and DC (`zipcodes`), given as "lat,lon";
- times, anonymous, after 20 warm-up requests of each kind (not timed) and one untimed pass over the timed ones:
  `q` alone (GET /api/services/?q=), `q` + near + 25 mi (GET /api/locations/map/?q=&near=&radius_mi=25, the map's
  light list; --map-list full: /api/locations/, as before 2026-12-07), `q` + needs + near through GET /api/match/
  (radius 50 mi), and the type-ahead (GET /api/suggest/?q= the first 3-5 letters of a name word &near=); each
  through the whole Django stack (django.test.Client), and the search statements alone (matching.search.search()
  for the three searches, matching.search.suggest() for the type-ahead: every step it takes);
- prints p50/p95/p99 (ms, wall clock in the one client process, statistics.quantiles inclusive) and the plans of one
  `q` + near statement and of one type-ahead's nearest documents (EXPLAIN ANALYZE, to read the figures against).
The anonymous rate limit is raised so that it counts every request but refuses none. The scratch database is
dropped unless --keep. At the end: a markdown table for docs/benchmarks.md and the exact command line.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from common import NEEDS, ORIGIN_STATES, PYTHON, ROOT, command_line, database_env, keep_or_drop, percentiles
from match_bench import build

DB_PREFIX = "directory_search_bench_"
WARMUP = 20
WORDS = ("refugio", "asilo", "abogado", "legal aid", "shelter for women", "counseling", "habla español",
         "trabajadora social", "emergancy shelter", "visa T", "health center", "interpretation")  # fmt: skip
KINDS = ("q alone", "q + near", "q + needs + near (match)", "type-ahead")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="Service-at-location rows, comma-separated.")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests of each kind (default 200).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch databases.")
    parser.add_argument("--reuse", action="store_true", help="Reuse a scratch database that already has data.")
    parser.add_argument(
        "--map-list", choices=["light", "full"], default="light",
        help="`q` + near through the map's light list (/api/locations/map/) or the full one (/api/locations/).",
    )  # fmt: skip
    parser.add_argument("--measure", metavar="RESULT_JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_here(Path(args.measure), requests=args.requests, seed=args.seed, map_list=args.map_list)
        return
    results = []
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        database = f"{DB_PREFIX}{size}"
        try:
            build(database, size, seed=args.seed, reuse=args.reuse)
            with tempfile.TemporaryDirectory(prefix="search_bench_") as tmp:
                out = Path(tmp) / "result.json"
                env = dict(database_env(database), DJANGO_SETTINGS_MODULE="config.settings",
                           THROTTLE_ANON="1000000000/minute", LOG_LEVEL="WARNING")  # fmt: skip
                command = [PYTHON, str(Path(__file__).resolve()), "--measure", str(out),
                           "--requests", str(args.requests), "--seed", str(args.seed),
                           "--map-list", args.map_list]  # fmt: skip
                subprocess.run(command, cwd=ROOT, env=env, check=True)
                result = json.loads(out.read_text())
        finally:
            keep_or_drop(database, args.keep)
        result["size"] = size
        results.append(result)
        print_result(result)
    print("\n| size | kind | API p50 / p95 / p99 ms | statement p50 / p95 / p99 ms | errors |")
    print("| --- | --- | --- | --- | --- |")
    for result in results:
        for kind in KINDS:
            api, sql = result["api"][kind], result["sql"][kind]
            print(f"| {result['size']:,} | {kind} | {fmt(api)} | {fmt(sql)} | {result['errors'][kind]} |")
    print(f"\nCommand: `{command_line()}`")


def fmt(values) -> str:
    found = percentiles(values)
    return " / ".join(f"{v:.1f}" for v in found) if found else "-"


def print_result(result: dict) -> None:
    print(f"\n== {result['size']:,} services at locations ({result['documents']:,} search documents)")
    for kind in KINDS:
        print(f"{kind:28} API {fmt(result['api'][kind]):22} statement {fmt(result['sql'][kind]):22} "
              f"errors {result['errors'][kind]}")  # fmt: skip
    for name, plan in result["plans"].items():
        print(f"-- plan, {name}:\n{plan}")


# --- measurement (the subprocess, with Django set up) -----------------------------------------------------


def requests_for(count: int, seed: int) -> dict[str, list[dict]]:
    import zipcodes
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM providers_organization ORDER BY id LIMIT 5000")
        names = [row[0] for row in cursor.fetchall()]
    standard = zipcodes.filter_by(zip_code_type="STANDARD", active=True)
    origins = sorted((r["zip_code"], r["lat"], r["long"]) for r in standard if r["state"] in ORIGIN_STATES)
    rng = random.Random(seed)

    def name_word() -> str:
        words = [w for w in rng.choice(names).replace("[DEMO]", "").split() if len(w) > 3]
        return rng.choice(words) if words else "shelter"

    def words() -> str:
        if rng.random() < 0.5:
            return rng.choice(WORDS)
        word = name_word()
        if rng.random() < 1 / 3:
            cut = rng.randrange(1, len(word) - 1)
            word = word[:cut] + word[cut + 1 :]
        return word

    def near() -> str:
        _, lat, lon = rng.choice(origins)
        return f"{lat},{lon}"

    made = {kind: [] for kind in KINDS}
    for _ in range(count + WARMUP):
        made["q alone"].append({"q": words()})
        made["q + near"].append({"q": words(), "near": near(), "radius_mi": 25})
        made["q + needs + near (match)"].append({"q": words(), "near": near(), "radius_mi": 50,
                                                 "needs": ",".join(rng.sample(NEEDS, rng.randint(1, 2)))})  # fmt: skip
        word = name_word()
        made["type-ahead"].append({"q": word[: rng.randint(3, min(5, len(word)))], "near": near()})
    return made


def measure_here(out: Path, *, requests: int, seed: int, map_list: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from geo.geocoding import geocode
    from matching import search
    from providers.access import ConfidentialAccess

    setup_test_environment()
    client = Client()
    near = "/api/locations/map/" if map_list == "light" else "/api/locations/"
    paths = {"q alone": "/api/services/", "q + near": near, "q + needs + near (match)": "/api/match/",
             "type-ahead": "/api/suggest/"}  # fmt: skip
    made = requests_for(requests, seed)
    access = ConfidentialAccess()

    def statement(kind: str, params: dict) -> None:
        origin = geocode(params["near"]) if "near" in params else None
        if kind == "type-ahead":
            search.suggest(params["q"], origin=origin)
            return
        radius = float(params.get("radius_mi", 50)) * 1609.344 if origin else None
        search.search(search.clean_query(params["q"]), access=access, origin=origin, radius_m=radius)

    api, sql, errors = {}, {}, {}
    for kind in KINDS:
        batch = made[kind]
        for params in batch[:WARMUP] + batch[WARMUP:]:  # warm-up, then one untimed pass
            client.get(paths[kind] + "?" + urlencode(params))
            statement(kind, params)
        api[kind], sql[kind], errors[kind] = [], [], 0
        for params in batch[WARMUP:]:
            started = time.perf_counter()
            response = client.get(paths[kind] + "?" + urlencode(params))
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                errors[kind] += 1
                print(kind, params, response.status_code, response.content[:200], file=sys.stderr)
                continue
            api[kind].append(elapsed)
            started = time.perf_counter()
            statement(kind, params)
            sql[kind].append((time.perf_counter() - started) * 1000)
    plans = {}
    sample = made["q + near"][WARMUP]
    origin = geocode(sample["near"])
    with search._serial_cursor() as cursor:  # as the search runs its statements: no parallel workers
        radius_m = 25 * 1609.344
        query_params = {"q": sample["q"], "origin": search._origin(origin), "reach": radius_m}
        cursor.execute(search.compact(search.render("search_query")), query_params)
        words, every_word, _, cells = cursor.fetchone()
        params = {
            "words": words,
            "query": every_word,
            "cells": cells,
            "close": None,
            "limit": search.MAX_RANKED,
            "any_word": False,
            "candidates": search.MAX_CANDIDATES,
            "origin": search._origin(origin),
            "radius_m": radius_m,
        }
        statement = search._statement(False, "public_point", cells=cells is not None)
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, params)
        plans[f"q + near ({sample['q']!r})"] = "\n".join(row[0] for row in cursor.fetchall())
        typed = made["type-ahead"][WARMUP]
        cursor.execute(search._PREFIX_QUERY, {"typed": typed["q"]})
        prefix, holding, counted = cursor.fetchone()
        params = {"query": prefix, "candidates": search.SUGGEST_CANDIDATES, "limit": search.SUGGEST_LIMIT,
                  "sample": search._sample(search.SUGGEST_LIMIT, holding, counted),
                  "origin": search._origin(geocode(typed["near"]))}  # fmt: skip
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + search._suggest_statement(True, "nearest"), params)
        plans[f"type-ahead, nearest ({typed['q']!r}, {holding} documents)"] = "\n".join(
            row[0] for row in cursor.fetchall()
        )
        cursor.execute("SELECT count(*) FROM matching_searchdocument")
        documents = cursor.fetchone()[0]
    out.write_text(json.dumps({"api": api, "sql": sql, "errors": errors, "plans": plans, "documents": documents}))


if __name__ == "__main__":
    main()

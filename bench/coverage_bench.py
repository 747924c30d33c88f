"""Time the coverage map (coveragemap.refresh): every county's distance to the nearest provider meeting a need, at
several registry sizes.

Usage: .venv/bin/python bench/coverage_bench.py [--sizes 10000,100000,1000000] [--runs 3] [--seed 1] [--keep]
       [--reuse]

Sizes are numbers of service-at-location rows. For each size the script builds (or, with --reuse, migrates) the
scratch database `directory_bench_<size>` as bench/match_bench.py does, then in a subprocess against it computes
the map of each need of NEEDS (a leaf need, a broad one walked through the terms under it, a rare one, and some in
a language) --runs times, printing the counties, the best and the median seconds, and the plan of one county's walk
(which index it reads), then the whole refresh of every need once (`manage.py refresh_coverage`).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import PYTHON, ROOT, command_line, database_env, keep_or_drop
from match_bench import build

# (need, language, age): a leaf need, a broad need (its walk per term under it), a rare need, a need in a language many
# providers speak and in one few do (the demo data: none), and a need for a 15-year-old.
NEEDS = (("emergency-shelter", "", None), ("immigration-legal", "", None), ("t-visa", "", None), ("dental", "", None),
         ("emergency-shelter", "es", None), ("immigration-legal", "es", None), ("interpretation", "ti", None),
         ("emergency-shelter", "", 15))  # fmt: skip


def measure_here(runs: int) -> dict:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection, transaction

    from coveragemap.models import CountyDistance
    from coveragemap.refresh import NEAREST, NEAREST_IN_VARIANT, VARIANT_POINTS, coverage_refresh
    from matching.taxonomy import vocabulary
    from providers.models import NeedTerm

    result = {"needs": [], "index_rows": 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM matching_matchcandidate")
        result["index_rows"] = cursor.fetchone()[0]
    for code, language, age in NEEDS:
        need = NeedTerm.objects.get(code=code)
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            coverage = coverage_refresh(need, language, age)
            seconds.append(time.perf_counter() - started)
        rows = CountyDistance.objects.filter(map=coverage)
        with transaction.atomic(), connection.cursor() as cursor:
            # The statement's plan (which index each county's walk reads), as coverage_refresh runs it.
            need_ids = [term_id for term_id, _ in vocabulary().need_pairs([code])]
            params = {"need_ids": need_ids, "language": language, "age": age}
            for statement in VARIANT_POINTS if coverage.is_variant else ():
                cursor.execute(statement, params)
            cursor.execute("EXPLAIN (FORMAT JSON) " + (NEAREST_IN_VARIANT if coverage.is_variant else NEAREST), params)
            plan = json.dumps(cursor.fetchone()[0])
            transaction.set_rollback(True)
        indexes = sorted({part.split('"')[0] for part in plan.split('"Index Name": "')[1:]})
        result["needs"].append({
            "need": code + (f" in {language}" if language else "") + (f" at {age}" if age is not None else ""),
            "counties": rows.count(),
            "met": rows.exclude(distance_m=None).count(), "best": min(seconds), "median": statistics.median(seconds),
            "indexes": indexes,
        })  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="Service-at-location rows, comma-separated.")
    parser.add_argument("--runs", type=int, default=3, help="Times each need's map is computed (default 3).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch databases.")
    parser.add_argument("--reuse", action="store_true", help="Reuse a scratch database that already has data.")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_here(args.runs)))
        return
    table = []
    for size in (int(s) for s in args.sizes.split(",")):
        database = f"directory_bench_{size}"
        try:
            build(database, size, seed=args.seed, reuse=args.reuse)
            command = [PYTHON, str(Path(__file__)), "--measure", "--runs", str(args.runs)]
            done = subprocess.run(command, cwd=ROOT, env=database_env(database), capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(done.stdout + done.stderr)
            measured = json.loads(done.stdout.strip().splitlines()[-1])
            started = time.perf_counter()
            refresh = [PYTHON, "manage.py", "refresh_coverage", "--no-progress"]
            everything = subprocess.run(refresh, cwd=ROOT, env=database_env(database), capture_output=True, text=True,
                                        check=True)  # fmt: skip
            whole = time.perf_counter() - started
            for row in measured["needs"]:
                print(f"{size:,}: {row['need']}: {row['met']:,} of {row['counties']:,} counties met, best "
                      f"{row['best']:.2f} s, median {row['median']:.2f} s, walks {', '.join(row['indexes'])}",
                      flush=True)  # fmt: skip
                table.append((size, measured["index_rows"], row))
            print(f"{size:,}: {everything.stdout.strip()} in {whole:.1f} s (manage.py refresh_coverage)", flush=True)
            table.append((size, measured["index_rows"], {"need": "every need (refresh_coverage)", "whole": whole}))
        finally:
            keep_or_drop(database, args.keep)
    print(f"\n{command_line()}\n")
    print("| services at locations | match index rows | map | counties met | best s | median s | index walked |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for size, index_rows, row in table:
        if "whole" in row:
            print(f"| {size:,} | {index_rows:,} | {row['need']} | | {row['whole']:.1f} (once) | | |")
        else:
            print(f"| {size:,} | {index_rows:,} | {row['need']} | {row['met']:,} / {row['counties']:,} | "
                  f"{row['best']:.2f} | {row['median']:.2f} | {', '.join(row['indexes'])} |")  # fmt: skip


if __name__ == "__main__":
    main()

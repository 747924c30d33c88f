"""Time the whole-registry duplicate search (manage.py find_duplicates) at several registry sizes, kind by kind:
pairs of organizations, of services and of sites.

Usage: .venv/bin/python bench/duplicates_bench.py [--sizes 310000,1000000] [--kinds organization,service,location]
                                                  [--seed 1] [--keep] [--reuse]

Sizes are numbers of service-at-location rows; the demo registry holds about one organization per 3.1 of them
(310,000: about 100,000 organizations). For each size the script builds (or, with --reuse, migrates) the scratch
database `directory_search_bench_<size>` as bench/match_bench.py does, removes the duplicate queue, runs
`find_duplicates --no-progress --kind <kind>` for each kind in a subprocess against it (organizations first: pairs
across two organizations name theirs) and prints the organizations, services and sites, the pairs looked at and
kept, and the wall time, then the same again with the queue full (a second run only updates). The demo's names
repeat their words on purpose, so its pairs of organizations are many: a registry of real names has fewer.
"""

import argparse
import subprocess
import time

from common import PYTHON, ROOT, command_line, database_env, keep_or_drop, psql
from match_bench import build

DB_PREFIX = "directory_search_bench_"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="310000", help="Service-at-location rows, comma-separated.")
    parser.add_argument("--kinds", default="organization,service,location", help="Kinds of pairs, in this order.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch databases.")
    parser.add_argument("--reuse", action="store_true", help="Reuse a scratch database that already has data.")
    args = parser.parse_args()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        database = f"{DB_PREFIX}{size}"
        try:
            build(database, size, seed=args.seed, reuse=args.reuse)
            counts = psql("SELECT (SELECT count(*) FROM providers_organization) || ' organizations, ' || "
                          "(SELECT count(*) FROM providers_service) || ' services, ' || "
                          "(SELECT count(*) FROM providers_location) || ' sites'", database=database)  # fmt: skip
            psql("DELETE FROM stewardship_duplicatecandidate", database=database)
            for run in ("empty queue", "queue full"):
                for kind in args.kinds.split(","):
                    started = time.perf_counter()
                    command = [PYTHON, "manage.py", "find_duplicates", "--no-progress", "--kind", kind]
                    done = subprocess.run(command, cwd=ROOT, env=database_env(database), capture_output=True,
                                          text=True, check=True)  # fmt: skip
                    seconds = time.perf_counter() - started
                    print(f"{size}: {counts}, {run}: {done.stdout.strip()} in {seconds:.1f} s", flush=True)
                    rows.append((size, counts, run, done.stdout.strip(), seconds))
        finally:
            keep_or_drop(database, args.keep)
    print("\n| services at locations | registry | run | result | seconds |\n| --- | --- | --- | --- | --- |")
    for size, counts, run, result, seconds in rows:
        print(f"| {size:,} | {counts} | {run} | {result} | {seconds:.1f} |")
    print(f"\nCommand: `{command_line()}`")


if __name__ == "__main__":
    main()

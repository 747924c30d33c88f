"""Time `seed_demo` into a fresh scratch database, several runs, and print the median and slowest.

Usage: .venv/bin/python bench/seed_demo.py [--locations 100000] [--runs 3]

Each run creates `directory_bench_seed` from the template database (as the postgres superuser over
127.0.0.1, as scripts/setup.sh does), migrates it, times the load inside seed_demo, and drops it.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "directory_bench_seed"


def psql_admin(sql: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    env = dict(os.environ, DATABASE_URL=f"postgis://directory@127.0.0.1:5432/{DB}")
    python = str(ROOT / ".venv" / "bin" / "python")
    seconds = []
    for run in range(1, args.runs + 1):
        psql_admin(f"DROP DATABASE IF EXISTS {DB}")
        psql_admin(f"CREATE DATABASE {DB} OWNER directory TEMPLATE directory_template")
        try:
            subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
            out = subprocess.run(
                [python, "manage.py", "seed_demo", "--locations", str(args.locations), "--no-users", "--seed", "1"],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
        finally:
            psql_admin(f"DROP DATABASE IF EXISTS {DB}")
        match = re.search(r"in ([0-9.]+) s", out)
        if not match:
            sys.exit(f"unexpected seed_demo output: {out}")
        seconds.append(float(match.group(1)))
        print(f"run {run}: {seconds[-1]:.1f} s  ({out.strip()})", flush=True)
    print(f"seed_demo --locations {args.locations}: median {statistics.median(seconds):.1f} s, "
          f"slowest {max(seconds):.1f} s over {len(seconds)} runs")  # fmt: skip


if __name__ == "__main__":
    main()

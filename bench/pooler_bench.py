"""What matching costs through PgBouncer in transaction mode, where nothing can be prepared, against a direct
connection whose match statement is prepared once and reused (core/database.py).

Uses the scale-out rig (scripts/replica_rig.sh: the primary on 5434, PgBouncer on 6433 in front of it). Loads
`--locations` demo locations into the rig's `directory` database once, then times the same match requests as
bench/match_bench.py, through Django's test client (the whole API request: parse, geocode, the statement, the
JSON), in one process per connection kind, after a warm-up.

    .venv/bin/python bench/pooler_bench.py --locations 5000 --requests 400
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, ROOT, command_line, percentiles  # noqa: E402
from match_bench import generate_requests  # noqa: E402

WARMUP = 50


def rig_env() -> dict:
    out = subprocess.run([str(ROOT / "scripts" / "replica_rig.sh"), "up"], check=True, capture_output=True, text=True)
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def manage(env: dict, *args: str) -> str:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def measure_here(out: Path, requests: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    client = Client(raise_request_exception=False)
    queries = generate_requests(WARMUP + requests, seed)
    for query in queries[:WARMUP]:
        client.get(f"/api/match/?{query}")
    times, errors = [], 0
    for query in queries[WARMUP:]:
        started = time.perf_counter()
        response = client.get(f"/api/match/?{query}")
        times.append((time.perf_counter() - started) * 1000)
        errors += response.status_code != 200
    out.write_text(json.dumps({"times": times, "errors": errors}))


def run(kind: str, env: dict, requests: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [PYTHON, __file__, "--measure", str(out), "--requests", str(requests), "--seed", str(seed)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        result = json.loads(out.read_text())
    p50, p95, _p99 = percentiles(result["times"])
    return {"kind": kind, "p50": p50, "p95": p95, "errors": result["errors"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locations", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_here(Path(args.measure), args.requests, args.seed)
        return
    rig = rig_env()
    base = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", THROTTLE_ANON="1000000000/minute",
                LOG_LEVEL="WARNING", DATABASE_REPLICA_URLS="", REDIS_URL="")  # fmt: skip
    direct = dict(base, DATABASE_URL=rig["DATABASE_URL"])
    manage(direct, "migrate", "-v0")
    manage(direct, "load_boundaries", "--if-empty")
    loaded = manage(direct, "seed_demo", "--if-empty", "--locations", str(args.locations), "--seed", str(args.seed),
                    "--no-users")  # fmt: skip
    print(loaded.strip().splitlines()[-1] if loaded.strip() else "demo data already loaded", flush=True)
    pooled = dict(base, DATABASE_URL=rig["RIG_PGBOUNCER_URL"], DATABASE_POOLER_TRANSACTION_MODE="1",
                  DATABASE_CONN_MAX_AGE="0")  # fmt: skip
    for result in (run("direct, prepared", direct, args.requests, args.seed),
                   run("PgBouncer, transaction mode", pooled, args.requests, args.seed),
                   run("direct, prepared (again)", direct, args.requests, args.seed)):  # fmt: skip
        print(f"{result['kind']:32} GET /api/match/ p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms  "
              f"errors {result['errors']}", flush=True)  # fmt: skip
    print(f"command: {command_line()}")


if __name__ == "__main__":
    main()

"""Time import_hsds on a large HSDS file, first import and re-import, in scratch databases.

Usage: .venv/bin/python bench/hsds_import_bench.py [--locations 77000] [--keep-file PATH]

1. seeds `directory_bench_hsds_src` with seed_demo (--locations sites; about 1.3 services per site),
2. exports it with export_hsds --include-confidential (timed),
3. imports the file into an empty `directory_bench_hsds_dst` (timed: the whole command, validation included),
4. imports it again (timed: an idempotent re-import that changes nothing),
and prints services, seconds and services per second. The scratch databases are dropped at the end.
"""

import argparse
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE, TARGET = "directory_bench_hsds_src", "directory_bench_hsds_dst"


def psql_admin(sql: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql], check=True)


def fresh(db: str) -> dict:
    psql_admin(f"DROP DATABASE IF EXISTS {db}")
    psql_admin(f"CREATE DATABASE {db} OWNER directory TEMPLATE directory_template")
    env = dict(os.environ, DATABASE_URL=f"postgis://directory@127.0.0.1:5432/{db}")
    manage("migrate", "-v0", env=env)
    return env


def manage(*args: str, env: dict) -> tuple[str, float]:
    started = time.monotonic()
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return out.strip(), time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locations", type=int, default=77_000)
    parser.add_argument("--keep-file", type=Path, help="Keep the exported HSDS file here.")
    args = parser.parse_args()
    path = args.keep_file or Path(tempfile.mkdtemp()) / "services.json"
    try:
        source = fresh(SOURCE)
        manage("seed_demo", "--locations", str(args.locations), "--no-users", "--seed", "1", env=source)
        out, seconds = manage("export_hsds", str(path), "--include-confidential", env=source)
        services = int(re.search(r"exported (\d+) service", out).group(1))
        size_mb = path.stat().st_size / 1e6
        print(f"export: {services} services, {size_mb:.0f} MB, {seconds:.1f} s ({services / seconds:.0f} services/s)")
        target = fresh(TARGET)
        for label in ("first import", "re-import (nothing changes)"):
            out, seconds = manage("import_hsds", str(path), env=target)
            print(f"{label}: {seconds:.1f} s ({services / seconds:.0f} services/s) -- {out.splitlines()[-1]}",
                  flush=True)  # fmt: skip
    finally:
        psql_admin(f"DROP DATABASE IF EXISTS {SOURCE}")
        psql_admin(f"DROP DATABASE IF EXISTS {TARGET}")
        if not args.keep_file and path.exists():
            path.unlink()


if __name__ == "__main__":
    main()

"""Back up the database with pg_dump (custom format) or restore such a backup with pg_restore.

Usage:
  .venv/bin/python scripts/db_backup.py backup [PATH]      (default: backups/directory-<UTC time>.dump)
  .venv/bin/python scripts/db_backup.py restore PATH       (into DATABASE_URL's database, replacing its objects;
                                                           a new database is created from directory_template)

The database is DATABASE_URL's (default: the local `directory`). Backups hold encrypted referral notes and
client contact: keep FIELD_ENCRYPTION_KEYS apart from them, and the files themselves access-controlled.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgis://directory@127.0.0.1:5432/directory"


def connection_args(url: str) -> tuple[list[str], dict]:
    db = dj_database_url.parse(url)
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db["USER"], "-d", db["NAME"]]
    env = dict(os.environ, PGPASSWORD=db.get("PASSWORD") or "")
    return args, env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("path", nargs="?", type=Path)
    args = parser.parse_args()
    connection, env = connection_args(os.environ.get("DATABASE_URL", DEFAULT_URL))
    if args.action == "backup":
        path = args.path or ROOT / "backups" / f"directory-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.dump"
        path.parent.mkdir(parents=True, exist_ok=True)
        command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *connection]
        subprocess.run(command, env=env, check=True)
        path.chmod(0o600)
        print(f"backup written to {path} ({path.stat().st_size / 1e6:.1f} MB)")
        return 0
    if args.path is None or not args.path.is_file():
        parser.error("restore needs the path of a backup file")
    # Extensions (postgis, btree_gist) belong to the superuser and are already in every database made from
    # directory_template: leave them out of the restore, everything else is replaced. The trusted ones search
    # needs (unaccent, pg_trgm) the app role creates itself when a template made before them lacks them.
    trusted = "CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *connection, "-c", trusted], env=env, check=True)
    toc = subprocess.run(["pg_restore", "--list", str(args.path)], capture_output=True, text=True, check=True).stdout
    skip = (" EXTENSION ", " spatial_ref_sys ")  # the extensions and PostGIS's own table of coordinate systems
    entries = "\n".join(line for line in toc.splitlines() if not any(part in line for part in skip))
    with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
        listing.write(entries)
        listing.flush()
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction",
             "--use-list", listing.name, *connection, str(args.path)], env=env, check=True,
        )  # fmt: skip
    print(f"restored {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

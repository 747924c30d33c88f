"""What the benchmark scripts share: scratch databases through psql, manage.py against them, percentiles,
the command line to record beside the figures, and what their requests draw from."""

import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Leaf need codes the demo data offers (providers/migrations/0002_vocabularies.py, demo/builder.py).
NEEDS = (
    "emergency-shelter", "transitional-housing", "case-management", "safety-planning", "crisis-hotline",
    "legal-civil", "legal-criminal", "immigration-legal", "t-visa", "u-visa", "medical", "mental-health",
    "dental", "substance-use", "interpretation", "education-esl", "job-training", "public-benefits",
    "transportation", "basic-needs",
)  # fmt: skip
GENDERS = ("women", "men", "transgender-nonbinary")
# Origins: ZIP codes of the 50 states and DC: no territories, no military (AA/AE/AP) or freely associated
# states' ZIP codes.
ORIGIN_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)
# As the postgres superuser over 127.0.0.1 (trust auth): scratch databases are created and dropped here.
PSQL = ["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres"]


def psql(sql: str, *, database: str = "postgres") -> str:
    """Run SQL as the postgres superuser; return the unaligned, tuples-only output."""
    command = [*PSQL, "-d", database, "-c", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def database_env(database: str) -> dict:
    """The environment of a manage.py against a scratch database (on PGPORT's cluster: the rig's with --rig)."""
    return dict(os.environ, DATABASE_URL=f"postgis://directory@127.0.0.1:{os.environ.get('PGPORT', '5432')}/{database}")


def production_env(database: str, *, host: str) -> dict:
    """The environment of the app as production runs it, against a scratch database, answering `host`."""
    import secrets

    from cryptography.fernet import Fernet

    env = dict(
        database_env(database),
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=host,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        # No TLS proxy in front: with the redirect on, every request would be a 301.
        DJANGO_SECURE_SSL_REDIRECT="0",
        # The load accounts hold API tokens but no authenticator (a token is only issued after the code).
        TWO_FACTOR_REQUIRED_ROLES="",
    )
    env.pop("DJANGO_DEBUG", None)
    return env


def database_exists(database: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") == "1"


def drop_database(database: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def keep_or_drop(database: str, keep: bool) -> None:
    """End of a size's run (also when interrupted): keep the scratch database (--keep) or drop it."""
    if keep:
        print(f"kept {database}", flush=True)
    else:
        drop_database(database)
        print(f"dropped {database}", flush=True)


def manage(database: str, *args: str) -> tuple[str, float]:
    """Run a manage.py command against the database; return its output and the seconds it took."""
    started = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=database_env(database), capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout.strip(), time.perf_counter() - started


def percentiles(values: list[float]) -> tuple[float, float, float] | None:
    """Return (p50, p95, p99), or None without data."""
    if not values:
        return None
    if len(values) == 1:
        return values[0], values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def command_line() -> str:
    python = Path(sys.executable)
    try:
        python = python.relative_to(Path.cwd())
    except ValueError:
        pass
    return shlex.join([str(python), *sys.argv])

"""Load test at fixed rates against gunicorn, and a PostgreSQL restart under load (--fault-restart).

Usage: .venv/bin/python bench/load.py [--rates 10,20,30] [--duration 60] [--warmup 10] [--prime 20] [--pacing 2]
                                      [--p95-limit-ms 500] [--locations 10000] [--workers N] [--seed 1]
                                      [--quiet-wait 600] [--server-log FILE] [--keep] [--reuse]
       .venv/bin/python bench/load.py --fault-restart [--rate 10] [--before 15] [--after 30] [--down-for S]
                                      [--recovery-limit 10] [...]
       .venv/bin/python bench/load.py --rig [--bare] [...]             (the scale-out rig: scripts/replica_rig.sh)
       .venv/bin/python bench/load.py --mix map [...]                  (only the map search: its CPU per request)
       .venv/bin/python bench/load.py --rig --fault-restart --fault primary|standby|redis [...]

--rig runs everything on the scale-out rig: the scratch database on its primary (5434), gunicorn reading the
registry from its streaming standby (5435) and keeping the cache, rate limits and lockouts in its Redis (6391);
--bare keeps the rig's primary but neither the standby nor Redis (the figures to compare with). CPU is then split
between the primary's and the standby's backends, and the table ends with where the statements went
(pg_stat_database on each). --fault standby stops the standby (fast) for --down-for seconds under load, then
starts it; --fault redis stops Redis likewise; --fault primary restarts the rig's primary.

1. Database: builds the scratch database `directory_load` from `directory_template` (as the postgres superuser over
   127.0.0.1, as bench/match_bench.py does): migrate, createcachetable, load_boundaries, seed_demo --locations N
   --seed S --no-users, VACUUM ANALYZE. Then (manage.py shell) two accounts with API tokens: `load-hotline`
   (hotline) and `load-provider` (provider staff of the organization with the most active services at locations
   that accept referrals, ties by name), and that organization's active offers accepting referrals. It never
   touches `directory` or the test databases. With --reuse an existing `directory_load` is only migrated.
2. Server: gunicorn from the project as `make serve` runs it, on a free 127.0.0.1 port: --workers (default
   2 x CPUs + 1, make serve's default), sync workers, access log to a file. Production settings: DJANGO_ENV=production
   with a random DJANGO_SECRET_KEY and FIELD_ENCRYPTION_KEYS, DJANGO_ALLOWED_HOSTS=127.0.0.1, and
   DJANGO_SECURE_SSL_REDIRECT=0 because no TLS proxy sits in front (with it every plain-HTTP request would be a
   301). Every rate limit (THROTTLE_ANON, THROTTLE_GEOCODE, THROTTLE_LOGIN, THROTTLE_APPLICATIONS, ...) is set to
   1000000/minute, so the test measures capacity, not throttling. The script waits for /healthz to answer 200.
3. Traffic (locust FastHttpUser, run in this process, headless), in user actions:
   - 60% search, anonymous: GET /api/locations/map/?near=<ZIP>&radius_mi=25&need=<code>[&language=es] (the map's
     light GeoJSON list, first page of 50; `--map-list full`: /api/locations/, every field of each site, as before
     2026-12-07), one time in three GET /api/services/?near=<ZIP>&need=<code> instead;
   - 30% match, as the hotline user: POST /api/match/ with a JSON body, as the web search page sends it (near: a
     ZIP or "lat,lon"; 1-3 needs; Spanish, age, gender sometimes; radius 50 mi; limit 20);
   - 10% referral: POST /api/referrals/ as the hotline user with a fresh Idempotency-Key (1-2 of the service's
     needs, urgency, a note, client contact with consent) to one of the provider's offers, then the provider
     accepts or declines it (POST /api/referrals/<code>/accept/ or decline/): two requests.
   Origins are random active STANDARD ZIP codes of the 50 states and DC (`zipcodes`), from random.Random(--seed).
   Fixed rate: R actions/s are R x P users (P = --pacing seconds), each starting one action every P seconds, user i
   of n from a random moment in [i/n, (i+1)/n) x P, so that the actions spread evenly over time (locust's
   constant_throughput keeps the phase of locust's once-a-second spawn batches, which bunches the actions). A user
   whose action overruns its next slot skips that slot and keeps its phase, so the achieved rate drops below the
   target when the server cannot keep up. The first rate gets --prime extra seconds of warm-up (each
   worker's first requests load code and the gazetteer); every rate runs --warmup seconds (not counted), then
   --duration seconds. Before each rate the script waits up to --quiet-wait seconds for other sessions' pytest runs
   to end (they share the 2 cores) and reports how many it saw during the window. Figures are over the requests that
   started in the window, including those still answering when it closed. A request is an error if it got no answer
   (connection error, timeout after 30 s) or an unexpected status (anything but 200, and 201 for a create).
   Latencies are locust's (send to last byte), percentiles statistics.quantiles(n=100, method="inclusive") over the
   successful ones; each request is also found in the app's JSON request log by its X-Request-ID, which splits its
   time into inside Django (RequestLogMiddleware's duration) and the rest (waiting for a free worker, gunicorn,
   network). CPU, in cores: the machine's busy share (/proc/stat, so other sessions' work too), gunicorn's
   processes, the PostgreSQL backends connected to `directory_load`, and this process (the load generator, which
   shares the 2 cores with the server and the database).
   A rate is "sustained" with no error, at least 95% of the target rate achieved and p95 of all requests at most
   --p95-limit-ms. At the end the script prints a markdown table for docs/benchmarks.md, the database checks
   below, and the exceptions in the server's log (--server-log keeps a copy of it).
4. --fault-restart: the same traffic at --rate; after --warmup and --before seconds it restarts PostgreSQL
   (`pg_ctlcluster 15 main restart`; with --down-for S: `stop -m fast`, S seconds down, `start`) and goes on for
   --after seconds. Before starting, and again right before the restart, it waits while any pytest process runs
   (other sessions' tests share the cluster): up to 10 minutes before starting, and it gives up without restarting
   if tests start meanwhile. In this mode a create that gets no answer or a 5xx is retried with the SAME
   Idempotency-Key and body every 0.5 s for up to 60 s, and an answer likewise (a 409 saying the referral already
   has the intended status counts as done: the first attempt committed but its answer was lost). A probe user asks
   /healthz 10 times a second. It reports the error window, the seconds from the restart's end to the first
   successful request, and per-second counts around it. Checks, each PASS/FAIL (exit status 1 on any FAIL):
   - no error before the restart began; every failed request overlaps [restart start, restart end +
     --recovery-limit]; a request succeeds within --recovery-limit seconds of the restart's end; none fails after;
   - exactly once: every key that got a 201 (all its 201s naming one code) is in the database exactly once, for
     that code; every retried key maps to exactly one referral; no referral of this run lacks a key sent by a client;
   - whole: every referral of this run has its key row, its needs (as many as sent), one creation event, its
     consent and client contact, its new-referral email in the outbox, a status equal to its last event's, and if
     answered exactly one answer event and its status email; every answer that got a 200 is in the database.
   The load mode runs the same database checks (without the fault checks) after its rates.
5. Stops gunicorn and drops `directory_load` unless --keep (also when interrupted).
"""

# locust patches the standard library for gevent when imported; import it before anything opens a socket.
import locust  # noqa: I001
from locust import FastHttpUser, constant_throughput, task
from locust.env import Environment

import argparse
import contextlib
import json
import math
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import gevent
import psutil
from common import (
    GENDERS,
    NEEDS,
    ORIGIN_STATES,
    PSQL,
    ROOT,
    command_line,
    production_env,
    database_exists,
    drop_database,
    manage,
    percentiles,
    psql,
)

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DATABASE = "directory_load"
PG_CLUSTER = ["15", "main"]  # --rig: the rig's primary
RIG = {"on": False, "scaleout": False, "standby_port": "5435", "redis_port": "6391"}
# Every limit out of reach, so the test measures capacity, not throttling. The counting still happens (one upsert per
# anonymous request, core/throttles.py); all the traffic comes from 127.0.0.1, so it is one counter row.
UNLIMITED = "1000000/minute"
THROTTLE_VARIABLES = (
    "THROTTLE_ANON", "THROTTLE_GEOCODE", "THROTTLE_LOGIN", "THROTTLE_APPLICATIONS", "THROTTLE_SUGGESTIONS",
    "THROTTLE_INVITATIONS",
)  # fmt: skip
REQUEST_TIMEOUT_S = 30
RETRY_EVERY_S = 0.5
RETRY_FOR_S = 60
PROBE_PER_S = 10
PYTEST_WAIT_S = 600

KIND_OF = {
    "GET /api/locations/": "search",
    "GET /api/locations/map/": "search",
    "GET /api/services/": "search",
    "POST /api/match/": "match",
    "POST /api/referrals/": "referral create",
    "POST /api/referrals/<code>/accept/": "referral answer",
    "POST /api/referrals/<code>/decline/": "referral answer",
    "GET /healthz": "probe",
}
KINDS = ("search", "match", "referral create", "referral answer")
# A referral action is two requests, the others one: requests per action on average.
REQUESTS_PER_ACTION = 0.6 + 0.3 + 0.1 * 2

# Made by `setup_accounts` in the database and read back as JSON from its last output line.
SETUP_SNIPPET = """
import json, secrets
from django.db import transaction
from django.db.models import Count
from rest_framework.authtoken.models import Token
from accounts.roles import Role
from accounts.services import user_create_or_update
from providers.models import Organization, ServiceAtLocation, ServiceStatus

offers = ServiceAtLocation.objects.filter(service__status=ServiceStatus.ACTIVE, location__accepting_referrals=True)
best = (offers.values("service__organization_id", "service__organization__name").annotate(n=Count("id"))
        .order_by("-n", "service__organization__name").first())
organization = Organization.objects.get(pk=best["service__organization_id"])
with transaction.atomic():
    hotline, _ = user_create_or_update(username="load-hotline", role=Role.HOTLINE,
                                       password=secrets.token_urlsafe(18), email="load-hotline@example.org")
    provider, _ = user_create_or_update(username="load-provider", role=Role.PROVIDER, organization=organization,
                                        password=secrets.token_urlsafe(18), email="load-provider@example.org")
rows = []
for offer in offers.filter(service__organization=organization).prefetch_related("service__needs").order_by("pk"):
    rows.append([str(offer.pk), sorted(need.code for need in offer.service.needs.all())])
print(json.dumps({
    "hotline_id": hotline.pk,
    "hotline_token": Token.objects.get_or_create(user=hotline)[0].key,
    "provider_token": Token.objects.get_or_create(user=provider)[0].key,
    "organization": organization.name,
    "offers": rows,
}))
"""


# --- database and server ----------------------------------------------------------------------------------


def build_database(*, locations: int, seed: int, reuse: bool) -> dict:
    """Create and load the scratch database (or reuse it); return the accounts, tokens and offers."""
    if reuse and database_exists(DATABASE):
        manage(DATABASE, "migrate", "-v0")
        print(f"reusing {DATABASE} (migrated, not reloaded)", flush=True)
    else:
        if database_exists(DATABASE):
            print(f"dropping the existing {DATABASE}", flush=True)
            drop_database(DATABASE)
        started = time.perf_counter()
        psql(f"CREATE DATABASE {DATABASE} OWNER directory TEMPLATE directory_template")
        manage(DATABASE, "migrate", "-v0")
        manage(DATABASE, "createcachetable")
        manage(DATABASE, "load_boundaries", "--if-empty")
        seeded, _ = manage(DATABASE, "seed_demo", "--locations", str(locations), "--seed", str(seed), "--no-users")
        psql("VACUUM ANALYZE", database=DATABASE)
        print(f"built {DATABASE} in {time.perf_counter() - started:.1f} s: {seeded.splitlines()[-1]}", flush=True)
    output, _ = manage(DATABASE, "shell", "-c", SETUP_SNIPPET)
    setup = json.loads(output.splitlines()[-1])
    if not setup["offers"]:
        sys.exit("No active service at a location accepting referrals in the demo data.")
    print(
        f"accounts load-hotline and load-provider ({setup['organization']}, {len(setup['offers'])} offers "
        "accepting referrals) with API tokens",
        flush=True,
    )
    return setup


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env() -> dict:
    env = production_env(DATABASE, host="127.0.0.1")
    if RIG["scaleout"]:  # reads from the standby, the ephemeral in Redis (docs/operations.md, Scaling past one machine)
        env["DATABASE_REPLICA_URLS"] = f"postgis://directory@127.0.0.1:{RIG['standby_port']}/{DATABASE}"
        env["REDIS_URL"] = f"redis://127.0.0.1:{RIG['redis_port']}/1"
    # Capacity, not throttling: every rate limit out of reach.
    env.update(dict.fromkeys(THROTTLE_VARIABLES, UNLIMITED))
    return env


def start_gunicorn(*, workers: int, port: int, log_dir: Path) -> subprocess.Popen:
    """Start gunicorn as `make serve` does (without collectstatic: the API serves no static files)."""
    command = [
        GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--access-logfile", str(log_dir / "access.log"), "--forwarded-allow-ips", "127.0.0.1",
    ]  # fmt: skip
    # The app logs (JSON lines, one per request) and gunicorn's own messages go to stderr: into a file.
    with open(log_dir / "server.log", "ab") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=server_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{tail(log_dir / 'server.log')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                if response.status == 200:
                    print(f"gunicorn on 127.0.0.1:{port}, {workers} workers, pid {server.pid}", flush=True)
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    stop_gunicorn(server)
    sys.exit(f"gunicorn did not answer /healthz within 60 s:\n{tail(log_dir / 'server.log')}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # our own process, by its pid
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else "(no log)"


def pytest_processes() -> int:
    """Return the number of processes whose command line mentions pytest (as `ps aux | grep -c "[p]ytest"`)."""
    output = subprocess.run(["ps", "aux"], capture_output=True, text=True, check=True).stdout
    return sum(1 for line in output.splitlines() if "pytest" in line)


def wait_for_no_pytest(limit_s: float, why: str) -> bool:
    """Wait (checking every 60 s) until no pytest runs, at most limit_s; return whether none runs."""
    deadline = time.monotonic() + limit_s
    while (count := pytest_processes()) > 0:
        if time.monotonic() >= deadline:
            return False
        print(f"{count} pytest processes running (other sessions' tests); waiting 60 s {why}", flush=True)
        time.sleep(60)
    return True


def code_version() -> str:
    """Return the commit and whether the working tree differs from it (what gunicorn actually runs)."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout.splitlines()
    return f"commit {head}" + (f" + uncommitted changes in {len(changed)} tracked paths" if changed else "")


class Watcher:
    """Samples, every 5 s while traffic runs, how many pytest processes other sessions run and the load average."""

    def __init__(self):
        self.pytest, self.load = [], []
        self.greenlet = gevent.spawn(self._run)

    def _run(self):
        while True:
            self.pytest.append(pytest_processes())
            self.load.append(os.getloadavg()[0])
            time.sleep(5)

    def stop(self) -> dict:
        self.greenlet.kill()
        return {"pytest_max": max(self.pytest, default=0), "load_max": max(self.load, default=0.0)}


# --- traffic ----------------------------------------------------------------------------------------------


@dataclass
class Record:
    start: float  # epoch seconds
    end: float
    name: str
    kind: str
    status: int
    ok: bool
    error: str
    ms: float
    request_id: str | None  # X-Request-ID, to find the request in the app's log


@dataclass
class Scenario:
    """What the users of one run share: who they are, what they may ask for, and what they saw."""

    setup: dict
    origins: list[tuple[str, float, float]]
    seed: int
    pacing: float = 2.0
    users: int = 1
    anchor: float = 0.0  # time.monotonic() of the users' first period
    retry: bool = False
    records: list[Record] = field(default_factory=list)
    # Idempotency-Key -> what the client sent and every attempt's (status, code, replayed).
    creates: dict[str, dict] = field(default_factory=dict)
    # referral code -> the intended status and every attempt's status; done when the answer is known to be in.
    answers: dict[str, dict] = field(default_factory=dict)
    users_started: int = 0


SCENARIO: Scenario | None = None
MAP_PATH = "/api/locations/map/"  # the map search's list (--map-list)


def record_request(request_type, name, response_time, response_length, response, exception, start_time, **kw):
    """locust's request event: keep every request with its own timing."""
    status = getattr(response, "status_code", 0) or 0
    error = ""
    if exception is not None:
        error = f"HTTP {status}" if status else f"{type(exception).__name__}: {str(exception)[:80]}"
    SCENARIO.records.append(
        Record(
            start=start_time,
            end=start_time + response_time / 1000,
            name=name,
            kind=KIND_OF.get(name, name),
            status=status,
            ok=exception is None,
            error=error,
            ms=response_time,
            request_id=(getattr(response, "headers", None) or {}).get("X-Request-ID"),
        )
    )


def call(client, method: str, url: str, *, name: str, expect: int, **kwargs):
    """Send a request, marking it failed unless it answered `expect`; return the response."""
    with client.request(method, url, name=name, catch_response=True, **kwargs) as response:
        if response.status_code != expect:
            response.failure(f"HTTP {response.status_code}")
        else:
            response.success()
    return response


def retryable(response) -> bool:
    return response.status_code == 0 or response.status_code >= 500


class DirectoryUser(FastHttpUser):
    """One person at a time using the directory: a public visitor searching, or hotline staff matching and
    referring (with the provider answering at once)."""

    connection_timeout = 10.0
    network_timeout = float(REQUEST_TIMEOUT_S)

    def wait_time(self) -> float:
        """Wait for this user's next slot, P seconds after the last one; an action that overran a slot skips it
        (the user keeps its phase: starting late actions at once would bunch users up after every slow moment)."""
        now = time.monotonic()
        self.next_at += SCENARIO.pacing
        if self.next_at < now:
            self.next_at += math.ceil((now - self.next_at) / SCENARIO.pacing) * SCENARIO.pacing
        return self.next_at - now

    def on_start(self):
        SCENARIO.users_started += 1
        index = SCENARIO.users_started
        self.rng = random.Random(SCENARIO.seed * 1_000_003 + index)
        self.hotline = {"Authorization": f"Token {SCENARIO.setup['hotline_token']}", "Accept": "application/json"}
        self.provider = {"Authorization": f"Token {SCENARIO.setup['provider_token']}", "Accept": "application/json"}
        # locust spawns users in batches once a second: give each its own slice of the pacing period, user i of n
        # somewhere in [i/n, (i+1)/n) x P after a moment common to all (once every batch has spawned).
        slot = (index % SCENARIO.users + self.rng.random()) / SCENARIO.users
        self.next_at = SCENARIO.anchor + slot * SCENARIO.pacing
        time.sleep(self.next_at - time.monotonic())

    @task(60)
    def search(self):
        zip_code, _, _ = self.rng.choice(SCENARIO.origins)
        params = {"near": zip_code, "need": self.rng.choice(NEEDS)}
        if self.rng.random() < 1 / 3:
            path, name = f"/api/services/?{urlencode(params)}", "GET /api/services/"
        else:
            params["radius_mi"] = 25
            if self.rng.random() < 0.3:
                params["language"] = "es"
            path, name = f"{MAP_PATH}?{urlencode(params)}", f"GET {MAP_PATH}"
        call(self.client, "GET", path, name=name, expect=200, headers={"Accept": "application/json"})

    def map_search(self):
        """--mix map: only the map's list (as the search above draws it)."""
        zip_code, _, _ = self.rng.choice(SCENARIO.origins)
        params = {"near": zip_code, "need": self.rng.choice(NEEDS), "radius_mi": 25}
        if self.rng.random() < 0.3:
            params["language"] = "es"
        call(self.client, "GET", f"{MAP_PATH}?{urlencode(params)}", name=f"GET {MAP_PATH}", expect=200,
             headers={"Accept": "application/json"})  # fmt: skip

    @task(30)
    def match(self):
        zip_code, lat, lon = self.rng.choice(SCENARIO.origins)
        body = {
            "near": zip_code if self.rng.random() < 0.5 else f"{lat},{lon}",
            "needs": self.rng.sample(NEEDS, self.rng.randint(1, 3)),
            "radius_mi": 50,
            "limit": 20,
        }
        if self.rng.random() < 0.5:
            body["language"] = ["es"]
        if self.rng.random() < 0.5:
            body["age"] = self.rng.randint(10, 70)
        if self.rng.random() < 0.3:
            body["gender"] = self.rng.choice(GENDERS)
        call(self.client, "POST", "/api/match/", name="POST /api/match/", expect=200, headers=self.hotline, json=body)

    @task(10)
    def referral(self):
        offer, offered_needs = self.rng.choice(SCENARIO.setup["offers"])
        needs = self.rng.sample(offered_needs, min(len(offered_needs), self.rng.randint(1, 2))) or ["case-management"]
        body = {
            "service_at_location": offer,
            "needs": needs,
            "urgency": self.rng.choice(["routine", "urgent", "emergency"]),
            "note": "Load test referral: caller prefers an afternoon call.",
            "client_contact": {"name": "Load Test", "phone": "+17135550199", "preferred_language": "es"},
            "consent": {
                "purpose": "Intake call about the services asked for.",
                "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
            },
        }
        key = str(uuid.uuid4())
        attempts = []
        SCENARIO.creates[key] = {"needs": len(set(needs)), "attempts": attempts}
        headers = {**self.hotline, "Idempotency-Key": key}
        deadline = time.monotonic() + RETRY_FOR_S
        while True:
            response = call(
                self.client,
                "POST",
                "/api/referrals/",
                name="POST /api/referrals/",
                expect=201,
                headers=headers,
                json=body,
            )
            code = response.json().get("code") if response.status_code == 201 else None
            attempts.append((response.status_code, code, response.headers.get("Idempotent-Replayed") == "true"))
            if code or not (SCENARIO.retry and retryable(response) and time.monotonic() < deadline):
                break
            time.sleep(RETRY_EVERY_S)  # the same key and body: at most one referral, whatever happened
        if code:
            self.answer(code)

    def answer(self, code: str):
        action, target, body = (
            ("accept", "accepted", {})
            if self.rng.random() < 0.5
            else ("decline", "declined", {"reason": "no_capacity"})
        )
        state = SCENARIO.answers[code] = {"target": target, "attempts": [], "done": False}
        deadline = time.monotonic() + RETRY_FOR_S
        while True:
            response = call(
                self.client,
                "POST",
                f"/api/referrals/{code}/{action}/",
                name=f"POST /api/referrals/<code>/{action}/",
                expect=200,
                headers=self.provider,
                json=body,
            )
            state["attempts"].append(response.status_code)
            if response.status_code == 200:
                state["done"] = True
            elif response.status_code == 409 and state["attempts"][:-1]:
                # An earlier attempt committed but its answer was lost: done if the referral has our status.
                state["done"] = response.json().get("status") == target
            if state["done"] or not (SCENARIO.retry and retryable(response) and time.monotonic() < deadline):
                break
            time.sleep(RETRY_EVERY_S)


class HealthProbe(FastHttpUser):
    """--fault-restart only: /healthz ten times a second, to see when the app sees the database."""

    fixed_count = 1
    connection_timeout = 2.0
    network_timeout = 5.0
    wait_time = constant_throughput(PROBE_PER_S)

    @task
    def healthz(self):
        call(self.client, "GET", "/healthz", name="GET /healthz", expect=200)


def load_origins() -> list[tuple[str, float, float]]:
    import zipcodes

    return sorted(
        (record["zip_code"], float(record["lat"]), float(record["long"]))
        for record in zipcodes.filter_by(zip_code_type="STANDARD", active=True)
        if record["state"] in ORIGIN_STATES and record["lat"] and record["long"]
    )


class CpuMeter:
    """CPU used between start() and stop(), in cores: the whole machine, gunicorn's processes, the PostgreSQL
    backends serving the scratch database, and this process (the load generator)."""

    def __init__(self, server: subprocess.Popen):
        self.server = psutil.Process(server.pid)
        self.me = psutil.Process()

    def _processes(self) -> dict[str, dict[int, float]]:
        """Return CPU seconds so far per process id, for gunicorn's processes and our database's backends."""
        groups = {"gunicorn": {}, "postgres": {}, "replica": {}}
        for process in [self.server, *self.server.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                groups["gunicorn"][process.pid] = times.user + times.system
        for process in psutil.process_iter(["name", "cmdline"]):
            # Backends are titled "postgres: 15/main: directory directory_load 127.0.0.1(port) ..."; with --rig the
            # standby's ("15/rigstandby: ...") are counted apart.
            title = " ".join(process.info["cmdline"] or [])
            if process.info["name"] == "postgres" and f" {DATABASE} " in title:
                group = "replica" if "/rigstandby:" in title else "postgres"
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    groups[group][process.pid] = times.user + times.system
        return groups

    def _sample(self) -> dict:
        machine = psutil.cpu_times()
        me = self.me.cpu_times()
        return {
            "wall": time.monotonic(),
            "machine": machine.user + machine.nice + machine.system + machine.irq + machine.softirq + machine.steal,
            "generator": me.user + me.system,
            **self._processes(),
        }

    def start(self) -> None:
        self.started = self._sample()
        # Backends come and go (DATABASE_CONN_MAX_AGE, 60 s): poll every second, keeping each one's last figure.
        self.last = {name: dict(self.started[name]) for name in ("gunicorn", "postgres", "replica")}
        self.greenlet = gevent.spawn(self._poll)

    def _poll(self) -> None:
        while True:
            time.sleep(1)
            for name, seconds in self._processes().items():
                self.last[name].update(seconds)

    def stop(self) -> dict:
        self.greenlet.kill()
        ended = self._sample()
        for name in ("gunicorn", "postgres", "replica"):
            self.last[name].update(ended[name])
        wall = ended["wall"] - self.started["wall"]
        figures = {f"{name}_cores": (ended[name] - self.started[name]) / wall for name in ("machine", "generator")}
        for name in ("gunicorn", "postgres", "replica"):
            # A process that started during the window counts from zero; one that ended counts until the last poll.
            used = sum(seconds - self.started[name].get(pid, 0.0) for pid, seconds in self.last[name].items())
            figures[f"{name}_cores"] = used / wall
        return figures


def run_traffic(
    scenario: Scenario, *, base_url: str, rate: float, pacing: float, probe: bool, timeline
) -> tuple[float, float]:
    """Run the traffic at `rate` actions/s; call timeline(runner) for the warm-up and measured phases; return the
    measured window (epoch start, end)."""
    global SCENARIO
    SCENARIO = scenario
    random.seed(scenario.seed)  # locust draws the task of each action from the random module
    users = max(1, math.ceil(rate * pacing))
    scenario.pacing = users / rate  # P rounded so that users x (1 / P) is the rate
    scenario.users = users
    scenario.anchor = time.monotonic() + math.ceil(scenario.pacing) + 1  # after the last spawn batch
    classes = [DirectoryUser, HealthProbe] if probe else [DirectoryUser]
    env = Environment(user_classes=classes, host=base_url, stop_timeout=RETRY_FOR_S * 2 + REQUEST_TIMEOUT_S)
    env.events.request.add_listener(record_request)
    runner = env.create_local_runner()
    runner.start(users + (1 if probe else 0), spawn_rate=users / pacing)
    try:
        window = timeline()
    finally:
        runner.quit()
    return window


# --- figures ----------------------------------------------------------------------------------------------


def server_log(path: Path) -> list[dict]:
    """Return the app's JSON log records (DJANGO_ENV=production logs JSON lines to stderr); other lines are skipped."""
    records = []
    for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                records.append(json.loads(line))
    return records


def in_app_ms(log: list[dict], requests: list[Record]) -> tuple[list[float], list[float]]:
    """Return, for the requests found in the app's log by their X-Request-ID, the time inside Django
    (RequestLogMiddleware's duration) and the rest of the client's time (waiting for a free worker, gunicorn,
    the middleware above the request log, the network and the load generator)."""
    durations = {
        record["request_id"]: float(record["duration_ms"])
        for record in log
        if record.get("logger") == "directory.request" and record.get("request_id") and "duration_ms" in record
    }
    inside, outside = [], []
    for request in requests:
        if request.ok and request.request_id in durations:
            inside.append(durations[request.request_id])
            outside.append(max(request.ms - durations[request.request_id], 0.0))
    return inside, outside


def server_failures(records: list[dict]) -> Counter:
    """Return the app's logged exceptions by their last line (the exception and its message)."""
    failures = Counter()
    for record in records:
        if record.get("exception"):
            last = [line for line in record["exception"].splitlines() if line.strip()][-1]
            failures[last[:160]] += 1
        elif record.get("level") in ("ERROR", "CRITICAL"):
            failures[f"{record.get('logger')}: {str(record.get('message'))[:140]}"] += 1
    return failures


def fmt_ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def fmt_triple(triple) -> str:
    return " / ".join(map(fmt_ms, triple)) if triple else "-"


def summarize(records: list[Record], start: float, end: float) -> dict:
    """Figures per kind and overall for the requests that started in [start, end)."""
    window = [r for r in records if start <= r.start < end and r.kind != "probe"]
    seconds = end - start
    rows = {}
    for kind in (*KINDS, "all"):
        chosen = [r for r in window if kind == "all" or r.kind == kind]
        rows[kind] = {
            "requests": len(chosen),
            "per_s": len(chosen) / seconds,
            "errors": sum(1 for r in chosen if not r.ok),
            "error_kinds": dict(Counter(r.error for r in chosen if not r.ok)),
            "ms": percentiles([r.ms for r in chosen if r.ok]),
        }
    # Actions: a search, a match, or a referral (its create; without retries, as in the load mode).
    actions = sum(1 for r in window if r.kind in ("search", "match", "referral create"))
    return {"rows": rows, "actions_per_s": actions / seconds, "seconds": seconds}


def print_rate(rate: float, summary: dict, cpu: dict, *, p95_limit: float) -> bool:
    rows = summary["rows"]
    standby = f" on the primary + {cpu['replica_cores']:.2f} on the standby" if RIG["on"] else ""
    target_rps = rate * REQUESTS_PER_ACTION
    print(
        f"\nrate {rate:g} actions/s (~{target_rps:.1f} req/s): achieved {summary['actions_per_s']:.2f} actions/s, "
        f"{rows['all']['per_s']:.2f} req/s over {summary['seconds']:.0f} s; errors {rows['all']['errors']}"
    )
    print(f"  {'kind':<16} {'requests':>8} {'req/s':>7} {'errors':>6}   p50 / p95 / p99 ms")
    for kind, row in rows.items():
        print(f"  {kind:<16} {row['requests']:>8} {row['per_s']:>7.2f} {row['errors']:>6}   {fmt_triple(row['ms'])}")
        for error, count in sorted(row["error_kinds"].items()) if kind != "all" else ():
            print(f"  {'':<16}   {count} x {error}")
    print(
        f"  CPU (cores of {os.cpu_count()}): machine busy {cpu['machine_cores']:.2f}, gunicorn "
        f"{cpu['gunicorn_cores']:.2f}, our PostgreSQL backends {cpu['postgres_cores']:.2f}{standby}, load generator "
        f"{cpu['generator_cores']:.2f}; highest load average "
        f"{cpu['load_max']:.2f}; other sessions' pytest processes seen: {cpu['pytest_max']}",
        flush=True,
    )
    print(
        f"  all kinds, inside Django (request log): p50 / p95 / p99 {fmt_triple(summary['in_app_ms'])} ms; the rest "
        f"(waiting for a free worker, gunicorn, network): {fmt_triple(summary['outside_ms'])} ms"
    )
    sustained = sustained_ok(rate, summary, p95_limit)
    print(f"  sustained (no error, >= 95% of the rate, p95 <= {p95_limit:g} ms): {'yes' if sustained else 'no'}")
    return sustained


def sustained_ok(rate: float, summary: dict, p95_limit: float) -> bool:
    everything = summary["rows"]["all"]
    return (
        everything["errors"] == 0
        and summary["actions_per_s"] >= 0.95 * rate
        and everything["ms"] is not None
        and everything["ms"][1] <= p95_limit
    )


def print_table(results: list[dict], args: argparse.Namespace) -> None:
    print(f"\n## Load at fixed rates ({date.today().isoformat()})\n")
    print(f"Command: `{command_line()}`\n")
    print(
        f"{args.code}; gunicorn {args.workers} sync workers, DJANGO_ENV=production, rate limits {UNLIMITED}; "
        f"seed_demo --locations {args.locations}; {args.duration:g} s per rate after {args.warmup:g} s of warm-up; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs shared by server, database and load generator. "
        "Latencies p50 / p95 / p99 in ms over successful requests.\n"
    )
    print(
        "| target actions/s | target req/s | achieved req/s | errors | search | match | referral create "
        "| referral answer | all | all: inside Django | all: the rest "
        f"| CPU cores: machine / gunicorn / postgres{' (primary / standby)' if RIG['on'] else ''} / generator "
        "| others' pytest | sustained |"
    )
    print("| ---: | ---: | ---: | ---: | --- | --- | --- | --- | --- | --- | --- | --- | ---: | --- |")
    cores = ("machine", "gunicorn", "postgres", *(("replica",) if RIG["on"] else ()), "generator")
    for result in results:
        rows, cpu = result["summary"]["rows"], result["cpu"]
        cells = [
            f"{result['rate']:g}",
            f"{result['rate'] * REQUESTS_PER_ACTION:.1f}",
            f"{rows['all']['per_s']:.1f}",
            str(rows["all"]["errors"]),
            *(fmt_triple(rows[kind]["ms"]) for kind in (*KINDS, "all")),
            fmt_triple(result["summary"]["in_app_ms"]),
            fmt_triple(result["summary"]["outside_ms"]),
            " / ".join(f"{cpu[f'{name}_cores']:.2f}" for name in cores),
            str(cpu["pytest_max"]),
            "yes" if result["sustained"] else "no",
        ]
        print("| " + " | ".join(cells) + " |")
    best = [result["rate"] for result in results if result["sustained"]]
    print(f"\nHighest sustained rate: {max(best):g} actions/s." if best else "\nNo rate was sustained.")
    if RIG["on"]:
        print(f"\nWhere the statements went over all rates (pg_stat_database of {DATABASE}): {args.where_reads}")


# --- checks -----------------------------------------------------------------------------------------------

REFERRAL_FACTS_SQL = """
SELECT r.code, r.status,
  (SELECT count(*) FROM referrals_idempotencykey k WHERE k.referral_id = r.id),
  coalesce((SELECT string_agg(k.key, ' ') FROM referrals_idempotencykey k WHERE k.referral_id = r.id), ''),
  (SELECT count(*) FROM referrals_referral_needs n WHERE n.referral_id = r.id),
  (SELECT count(*) FROM referrals_referralevent e WHERE e.referral_id = r.id AND e.from_status = ''
     AND e.to_status = 'sent'),
  (SELECT count(*) FROM referrals_referralevent e WHERE e.referral_id = r.id AND e.from_status = 'sent'),
  coalesce((SELECT e.to_status FROM referrals_referralevent e WHERE e.referral_id = r.id
     ORDER BY e.at DESC, e.id DESC LIMIT 1), ''),
  (SELECT count(*) FROM referrals_consent c WHERE c.referral_id = r.id),
  (SELECT count(*) FROM referrals_clientcontact c WHERE c.referral_id = r.id),
  (SELECT count(*) FROM notifications_outboxmessage o WHERE o.kind = 'referral.created'
     AND o.subject = 'New referral ' || r.code),
  (SELECT count(*) FROM notifications_outboxmessage o WHERE o.kind IN ('referral.accepted', 'referral.declined')
     AND o.subject LIKE 'Referral ' || r.code || ':%')
FROM referrals_referral r
WHERE r.sender_id = {sender} AND r.created_at >= '{since}'
"""


def referral_facts(sender: int, since: datetime) -> list[dict]:
    sql = REFERRAL_FACTS_SQL.format(sender=int(sender), since=since.isoformat())
    output = subprocess.run(
        [*PSQL, "-F", "\t", "-d", DATABASE, "-c", sql], check=True, capture_output=True, text=True
    ).stdout
    names = (
        "code",
        "status",
        "keys",
        "key",
        "needs",
        "created_events",
        "answer_events",
        "last_event",
        "consents",
        "contacts",
        "created_emails",
        "answer_emails",
    )
    facts = []
    for line in output.splitlines():
        if line.strip():
            values = line.split("\t")
            row = dict(zip(names, values, strict=True))
            for name in names[2:]:
                if name not in ("key", "last_event"):
                    row[name] = int(row[name])
            facts.append(row)
    return facts


def check_database(scenario: Scenario, since: datetime) -> list[tuple[str, bool, str]]:
    """Return (check, passed, detail) for exactly-once and wholeness of this run's referrals."""
    facts = referral_facts(scenario.setup["hotline_id"], since)
    by_key = defaultdict(list)
    for row in facts:
        for key in row["key"].split():
            by_key[key].append(row)
    creates = scenario.creates
    got_201 = {key: {code for _, code, _ in c["attempts"] if code} for key, c in creates.items()}
    got_201 = {key: codes for key, codes in got_201.items() if codes}
    retried = {key for key, c in creates.items() if len(c["attempts"]) > 1}
    replays = sum(1 for c in creates.values() for _, _, replayed in c["attempts"] if replayed)
    never = set(creates) - set(got_201)
    results = []

    one_code = [key for key, codes in got_201.items() if len(codes) == 1]
    results.append(
        (
            "each key's 201s name one referral",
            len(one_code) == len(got_201),
            f"{len(one_code)} of {len(got_201)} keys that got a 201",
        )
    )
    exact = [
        key
        for key, codes in got_201.items()
        if len(by_key.get(key, [])) == 1 and by_key[key][0]["code"] in codes and by_key[key][0]["keys"] == 1
    ]
    results.append(
        (
            "every 201 is in the database exactly once, under its code",
            len(exact) == len(got_201),
            f"{len(exact)} of {len(got_201)}",
        )
    )
    retried_ok = [key for key in retried & set(got_201) if len(by_key.get(key, [])) == 1]
    results.append(
        (
            "every retried key maps to exactly one referral",
            len(retried_ok) == len(retried & set(got_201)),
            f"{len(retried)} keys retried ({len(retried & set(got_201))} got a 201 in the end, {replays} answers were "
            f"replays); {len(retried_ok)} map to exactly one referral",
        )
    )
    unknown = [row["code"] for row in facts if not set(row["key"].split()) & set(creates)]
    results.append(
        (
            "no referral without a client's key",
            not unknown,
            f"{len(facts)} referrals in the run, {len(unknown)} unknown {unknown[:5]}",
        )
    )
    gave_up_in_db = [key for key in never if by_key.get(key)]
    results.append(
        (
            "keys that never got a 201 have at most one referral",
            all(len(by_key[k]) == 1 for k in gave_up_in_db),
            f"{len(never)} keys never got a 201; {len(gave_up_in_db)} of them have a referral",
        )
    )

    def whole(row) -> bool:
        sent_needs = next((creates[k]["needs"] for k in row["key"].split() if k in creates), None)
        answered = row["status"] in ("accepted", "declined")
        return (
            row["keys"] == 1
            and row["needs"] >= 1
            and (sent_needs is None or row["needs"] == sent_needs)
            and row["created_events"] == 1
            and row["consents"] == 1
            and row["contacts"] == 1
            and row["created_emails"] >= 1
            and row["last_event"] == row["status"]
            and row["answer_events"] == (1 if answered else 0)
            and row["answer_emails"] == (1 if answered else 0)
            and row["status"] in ("sent", "accepted", "declined")
        )

    broken = [row for row in facts if not whole(row)]
    results.append(
        (
            "every referral is whole (key, needs, creation event, consent, contact, emails, events)",
            not broken,
            f"{len(facts) - len(broken)} of {len(facts)} whole" + (f"; first broken: {broken[0]}" if broken else ""),
        )
    )
    status_of = {row["code"]: row["status"] for row in facts}
    done = {code: state for code, state in scenario.answers.items() if state["done"]}
    answered_ok = [code for code, state in done.items() if status_of.get(code) == state["target"]]
    undone = [code for code, state in scenario.answers.items() if not state["done"]]
    undone_ok = [code for code in undone if status_of.get(code) in ("sent", scenario.answers[code]["target"])]
    results.append(
        (
            "every answer that succeeded is in the database",
            len(answered_ok) == len(done) and len(undone_ok) == len(undone),
            f"{len(answered_ok)} of {len(done)} answers; "
            f"{len(undone)} answers never confirmed, {len(undone_ok)} of them sent or answered as asked",
        )
    )
    return results


def fault_checks(
    scenario: Scenario, *, restart: tuple[float, float], recovery_limit: float, end: float
) -> tuple[list[tuple[str, bool, str]], dict]:
    """Return the checks on when errors happened and how fast the app recovered, and the figures."""
    began, finished = restart
    traffic = [r for r in scenario.records if r.kind != "probe"]
    errors = [r for r in traffic if not r.ok]
    before = [r for r in errors if r.end < began]
    outside = [r for r in errors if not (r.end >= began and r.start <= finished + recovery_limit)]
    later = [r for r in traffic if r.start >= finished]
    first_ok = min((r.end for r in later if r.ok), default=None)
    recovery = first_ok - finished if first_ok is not None else None
    tail_window = [r for r in traffic if finished + recovery_limit <= r.start < end]
    probes = [r for r in scenario.records if r.kind == "probe"]
    probe_down = [r for r in probes if not r.ok]
    # The database is back for the app when /healthz answers 200 again after its last failure (pg_ctlcluster
    # returns a moment after the server already accepts connections).
    last_down = max((r.start for r in probe_down), default=None)
    back = min((r.start for r in probes if r.ok and r.start > last_down), default=None) if probe_down else None
    first_ok_after_back = min((r.end for r in traffic if r.ok and r.start >= back), default=None) if back else None
    figures = {
        "restart_s": finished - began,
        "errors": len(errors),
        "error_kinds": dict(Counter(f"{r.kind}: {r.error}" for r in errors)),
        "error_window": (min(r.start for r in errors) - began, max(r.end for r in errors) - began) if errors else None,
        "last_error_after_restart_s": max((r.end for r in errors), default=finished) - finished,
        "recovery_s": recovery,
        "probe_window": (min(r.start for r in probe_down) - began, max(r.end for r in probe_down) - began)
        if probe_down
        else None,
        "back_at_s": back - began if back is not None else None,
        "first_ok_after_back_s": first_ok_after_back - back if first_ok_after_back is not None else None,
        "tail_requests": len(tail_window),
        "requests": len(traffic),
    }
    checks = [
        ("no error before the restart", not before, f"{len(before)} errors before it began"),
        (
            f"errors only while the database was down (restart + {recovery_limit:g} s)",
            not outside,
            f"{len(errors)} errors, {len(outside)} outside the window",
        ),
        (
            f"a request succeeds within {recovery_limit:g} s of the restart's end",
            recovery is not None and recovery <= recovery_limit,
            f"first success {fmt_s(recovery)} after the restart finished",
        ),
        (
            f"no error from {recovery_limit:g} s after the restart on",
            bool(tail_window) and all(r.ok for r in tail_window),
            f"{sum(1 for r in tail_window if not r.ok)} errors in {len(tail_window)} requests",
        ),
    ]
    return checks, figures


def fmt_s(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


def print_timeline(scenario: Scenario, began: float, *, before_s: int = 3, after_s: int = 12) -> None:
    """Per second around the restart: traffic requests started, their errors, and the probe's answers."""
    print("\n  second (0 = restart began) | requests | errors | /healthz 200 / failed")
    for second in range(-before_s, after_s):
        lo, hi = began + second, began + second + 1
        bucket = [r for r in scenario.records if lo <= r.start < hi]
        traffic = [r for r in bucket if r.kind != "probe"]
        probes = [r for r in bucket if r.kind == "probe"]
        print(
            f"  {second:>+5} | {len(traffic):>8} | {sum(1 for r in traffic if not r.ok):>6} | "
            f"{sum(1 for r in probes if r.ok):>3} / {sum(1 for r in probes if not r.ok)}"
        )


def print_checks(checks: list[tuple[str, bool, str]]) -> bool:
    for name, passed, detail in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {detail}")
    return all(passed for _, passed, _ in checks)


# --- main -------------------------------------------------------------------------------------------------


STATS_SQL = f"SELECT xact_commit, tup_returned, tup_fetched FROM pg_stat_database WHERE datname = '{DATABASE}'"


def database_stats() -> dict[str, list[int]]:
    """Transactions and rows read so far, on the primary and (--rig) the standby."""
    stats = {"primary": [int(v) for v in psql(STATS_SQL).split("|")]}
    if RIG["on"]:
        standby = subprocess.run([*PSQL, "-p", RIG["standby_port"], "-d", "postgres", "-c", STATS_SQL], check=True,
                                 capture_output=True, text=True).stdout.strip()  # fmt: skip
        stats["standby"] = [int(v) for v in standby.split("|")]
    return stats


def stats_delta(before: dict, after: dict) -> str:
    parts = []
    for where in before:
        commits, returned, fetched = (b - a for a, b in zip(before[where], after[where], strict=True))
        parts.append(f"{where}: {commits} transactions, {returned + fetched} rows read")
    return "; ".join(parts)


def run_rates(args, setup: dict, base_url: str, server: subprocess.Popen, log_path: Path) -> bool:
    origins = load_origins()
    stats_before = database_stats()
    since = datetime.now(UTC) - timedelta(seconds=5)
    results = []
    scenario = None
    for index, rate in enumerate(args.rates):
        # Another seed per rate: each rate asks for other places than the one before (no cache it warmed).
        scenario_rate = Scenario(setup=setup, origins=origins, seed=args.seed * 1000 + index)
        meter = CpuMeter(server)
        window = {}

        warmup = args.warmup + (args.prime if index == 0 else 0)

        def timeline(rate=rate, meter=meter, window=window, warmup=warmup):
            print(f"\nrate {rate:g} actions/s: warm-up {warmup:g} s, then {args.duration:g} s", flush=True)
            time.sleep(warmup)
            window["start"] = time.time()
            meter.start()
            watcher = Watcher()
            time.sleep(args.duration)
            window["end"] = time.time()
            window["cpu"] = {**meter.stop(), **watcher.stop()}
            return window["start"], window["end"]

        # Other sessions' test runs share the 2 cores: measure while none runs, if they stop within --quiet-wait.
        wait_for_no_pytest(args.quiet_wait, "before this rate")

        start, end = run_traffic(
            scenario_rate, base_url=base_url, rate=rate, pacing=args.pacing, probe=False, timeline=timeline
        )
        summary = summarize(scenario_rate.records, start, end)
        window_requests = [r for r in scenario_rate.records if start <= r.start < end]
        inside, outside = in_app_ms(server_log(log_path), window_requests)
        summary["in_app_ms"], summary["outside_ms"] = percentiles(inside), percentiles(outside)
        sustained = print_rate(rate, summary, window["cpu"], p95_limit=args.p95_limit_ms)
        results.append({"rate": rate, "summary": summary, "cpu": window["cpu"], "sustained": sustained})
        if scenario is None:
            scenario = scenario_rate
        else:
            scenario.creates.update(scenario_rate.creates)
            scenario.answers.update(scenario_rate.answers)
        time.sleep(5)  # let the server settle between rates
    args.where_reads = stats_delta(stats_before, database_stats())
    print_table(results, args)
    print("\ndatabase checks over every referral the rates sent:")
    return print_checks(check_database(scenario, since))


def fault_commands(args) -> list[list[str] | None]:
    """The fault: commands to run in order (None: stay down --down-for seconds)."""
    if args.fault == "redis":
        port = RIG["redis_port"]
        start = ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "yes"]  # fmt: skip
        return [["redis-cli", "-p", port, "shutdown", "nosave"], None, start]
    cluster = ["15", "rigstandby"] if args.fault == "standby" else PG_CLUSTER
    if args.down_for or args.fault == "standby":
        # A longer outage: stop (fast: cut every connection), stay down, start.
        return [["pg_ctlcluster", *cluster, "stop", "-m", "fast"], None, ["pg_ctlcluster", *cluster, "start"]]
    return [["pg_ctlcluster", *cluster, "restart"]]


def run_fault(args, setup: dict, base_url: str) -> bool:
    scenario = Scenario(setup=setup, origins=load_origins(), seed=args.seed, retry=True)
    since = datetime.now(UTC) - timedelta(seconds=5)
    moments = {}

    def timeline():
        print(
            f"fault run at {args.rate:g} actions/s: warm-up {args.warmup + args.prime:g} s, restart after "
            f"{args.before:g} s, then {args.after:g} s",
            flush=True,
        )
        time.sleep(args.warmup + args.prime)
        moments["start"] = time.time()
        time.sleep(args.before)
        if pytest_processes():
            moments["skipped"] = True
            print("pytest started meanwhile: PostgreSQL NOT restarted (other sessions' tests)", flush=True)
            return moments["start"], time.time()
        moments["began"] = time.time()
        for command in fault_commands(args):
            if command is None:
                time.sleep(args.down_for)
                continue
            done = subprocess.run(command, capture_output=True, text=True)
            print(
                f"{' '.join(command)}: exit {done.returncode} at "
                f"+{time.time() - moments['began']:.2f} s {done.stderr.strip()}",
                flush=True,
            )
        moments["finished"] = time.time()
        time.sleep(args.after)
        moments["end"] = time.time()
        return moments["start"], moments["end"]

    run_traffic(scenario, base_url=base_url, rate=args.rate, pacing=args.pacing, probe=True, timeline=timeline)
    if moments.get("skipped"):
        return False
    restart = (moments["began"], moments["finished"])
    checks, figures = fault_checks(scenario, restart=restart, recovery_limit=args.recovery_limit, end=moments["end"])
    summary = summarize(scenario.records, moments["start"], moments["end"])
    print(
        f"\nfault run: {figures['requests']} requests; pg_ctlcluster took {figures['restart_s']:.2f} s "
        "(times below are from the moment it began)"
    )
    print(f"  errors: {figures['errors']} {figures['error_kinds']}")
    if figures["error_window"]:
        lo, hi = figures["error_window"]
        print(
            f"  error window: from {lo:+.2f} s to {hi:+.2f} s after the restart began "
            f"(last error ended {figures['last_error_after_restart_s']:+.2f} s after it finished)"
        )
    print(f"  first success after the restart finished: {fmt_s(figures['recovery_s'])}")
    if figures["probe_window"]:
        lo, hi = figures["probe_window"]
        back = f"{figures['back_at_s']:+.2f} s" if figures["back_at_s"] is not None else "never"
        print(
            f"  /healthz (the app's view of the database) failed from {lo:+.2f} s to {hi:+.2f} s, 200 again from "
            f"{back}; first successful request {fmt_s(figures['first_ok_after_back_s'])} after that"
        )
    for kind in (*KINDS, "all"):
        row = summary["rows"][kind]
        print(f"  {kind:<16} {row['requests']:>6} requests, {row['errors']:>3} errors, ms {fmt_triple(row['ms'])}")
    print_timeline(scenario, moments["began"])
    print("\nchecks:")
    passed = print_checks(checks + check_database(scenario, since))
    what = {"primary": "PostgreSQL restart", "standby": "the standby stopped", "redis": "Redis stopped"}[args.fault]
    print(f"\n{'PASS' if passed else 'FAIL'}: {what} under load")
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="10,20,30", help="Actions per second to try, comma-separated.")
    parser.add_argument("--duration", type=float, default=60, help="Measured seconds per rate (default 60).")
    parser.add_argument("--warmup", type=float, default=10, help="Seconds of traffic before measuring (default 10).")
    parser.add_argument(
        "--prime", type=float, default=20, help="Extra warm-up before the first rate: workers' first requests (20)."
    )
    parser.add_argument("--pacing", type=float, default=2, help="Seconds between one user's actions (default 2).")
    parser.add_argument("--p95-limit-ms", type=float, default=500, help="p95 a sustained rate may reach (500).")
    parser.add_argument("--locations", type=int, default=10000, help="seed_demo --locations (default 10000).")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the demo data and of the requests.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers.")
    parser.add_argument(
        "--quiet-wait", type=float, default=600, help="Seconds to wait for other sessions' pytest before a rate."
    )
    parser.add_argument("--server-log", help="Copy gunicorn's log (the app's JSON lines) to this file.")
    parser.add_argument("--keep", action="store_true", help=f"Keep {DATABASE} afterwards.")
    parser.add_argument("--reuse", action="store_true", help=f"Reuse an existing {DATABASE} (migrate only).")
    parser.add_argument(
        "--rig", action="store_true",
        help="On the scale-out rig (scripts/replica_rig.sh): the primary on 5434, reads from its standby, Redis.",
    )  # fmt: skip
    parser.add_argument(
        "--bare", action="store_true", help="With --rig: the rig's primary alone (no standby reads, no Redis): before."
    )
    parser.add_argument(
        "--mix", choices=["all", "map"], default="all",
        help="all: the mix above; map: only the map search (GET /api/locations/map/), for its CPU per request.",
    )  # fmt: skip
    parser.add_argument(
        "--map-list", choices=["light", "full"], default="light",
        help="The map search's list: light (/api/locations/map/) or full (/api/locations/, before 2026-12-07).",
    )  # fmt: skip
    parser.add_argument("--fault-restart", action="store_true", help="Restart PostgreSQL under load and check.")
    parser.add_argument(
        "--fault", choices=["primary", "standby", "redis"], default="primary",
        help="--fault-restart with --rig: what to stop and start (default: the primary).",
    )  # fmt: skip
    parser.add_argument("--rate", type=float, default=10, help="--fault-restart: actions per second (default 10).")
    parser.add_argument("--before", type=float, default=15, help="--fault-restart: measured seconds before it.")
    parser.add_argument("--after", type=float, default=30, help="--fault-restart: seconds after the restart.")
    parser.add_argument(
        "--down-for",
        type=float,
        default=0,
        help="--fault-restart: stop, stay down this long, start (default: restart).",
    )
    parser.add_argument("--recovery-limit", type=float, default=10, help="--fault-restart: seconds to recover.")
    args = parser.parse_args()
    global MAP_PATH
    MAP_PATH = "/api/locations/map/" if args.map_list == "light" else "/api/locations/"
    if args.mix == "map":
        global REQUESTS_PER_ACTION
        DirectoryUser.tasks = [DirectoryUser.map_search]
        REQUESTS_PER_ACTION = 1.0
    try:
        args.rates = [float(rate) for rate in args.rates.split(",") if rate.strip()]
    except ValueError:
        parser.error("--rates must be comma-separated numbers.")
    if not args.rates or min(args.rates) <= 0 or args.rate <= 0 or args.duration <= 0 or args.pacing <= 0:
        parser.error("rates, --duration and --pacing must be positive.")
    if args.fault_restart and args.after <= args.recovery_limit:
        parser.error("--after must be longer than --recovery-limit (the checks need traffic after it).")

    if args.fault != "primary" and not args.rig:
        parser.error("--fault standby or redis needs --rig.")
    if args.rig:
        rig = subprocess.run([str(ROOT / "scripts" / "replica_rig.sh"), "up"], check=True, capture_output=True,
                             text=True).stdout  # fmt: skip
        print(f"the scale-out rig: {' '.join(line for line in rig.splitlines() if '=' in line)}", flush=True)
        RIG["on"], RIG["scaleout"] = True, not args.bare
        os.environ["PGPORT"] = "5434"  # psql and manage.py reach the rig's primary (bench/common.py)
        PG_CLUSTER[1] = "rigprimary"
    if args.fault_restart and not wait_for_no_pytest(PYTEST_WAIT_S, "before restarting PostgreSQL under load"):
        sys.exit("pytest is still running after 10 minutes: not restarting PostgreSQL under other sessions' tests.")
    print(f"locust {locust.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)
    server = None
    passed = False
    try:
        setup = build_database(locations=args.locations, seed=args.seed, reuse=args.reuse)
        with tempfile.TemporaryDirectory(prefix="load_") as logs:
            port = free_port()
            args.code = code_version()  # what gunicorn loads now (other sessions may commit during the run)
            print(f"code: {args.code}", flush=True)
            server = start_gunicorn(workers=args.workers, port=port, log_dir=Path(logs))
            log_path = Path(logs) / "server.log"
            base_url = f"http://127.0.0.1:{port}"
            try:
                if args.fault_restart:
                    passed = run_fault(args, setup, base_url)
                else:
                    passed = run_rates(args, setup, base_url, server, log_path)
            finally:
                stop_gunicorn(server)
                failures = server_failures(server_log(log_path))
                print(f"gunicorn stopped; exceptions and errors in its log: {sum(failures.values())}", flush=True)
                for failure, count in failures.most_common(12):
                    print(f"  {count} x {failure}")
                if args.server_log:
                    shutil.copyfile(log_path, args.server_log)
                    print(f"server log copied to {args.server_log}")
    finally:
        if args.keep:
            print(f"kept {DATABASE}", flush=True)
        else:
            drop_database(DATABASE)
            print(f"dropped {DATABASE}", flush=True)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

"""Time listing edits as the application makes them, at a registry size: what a provider's or moderator's edit
costs, with everything the registry derives from it (history, public point, the match index).

Usage: .venv/bin/python bench/edit_bench.py [--sizes 100000] [--edits 200] [--seed 1] [--keep] [--reuse]
                                            [--label NAME]

Sizes are numbers of service-at-location rows. For each size the script
1. builds a scratch database `directory_bench_edit_<size>_<label>` as bench/match_bench.py builds its own (from
   `directory_template`: migrate, load_boundaries, seed_demo with ceil(size / 2) locations and --seed, VACUUM
   ANALYZE). The label (default: the checkout's short commit) keeps the databases of two
   versions of the code apart, so that the same command run in two checkouts compares them. --reuse keeps an
   existing database of that name (migrated, not reloaded); --keep does not drop it at the end.
2. re-runs itself in a subprocess against that database (hidden --measure flag), which draws --edits locations with
   beds (and as many without) with random.Random(--seed) and times, each edit in its own transaction that is then
   rolled back (so every edit meets the same registry):
   - beds: `providers.services.listing_edit` of a location's beds_available (a provider's daily update: operational,
     applied at once, with history);
   - hours: `providers.services.location_schedules_replace` with five weekday periods;
   - approve address move: `providers.services.change_request_approve` of a change request moving the site's
     address to another ZIP code (the site is placed again; geocoder offline: the gazetteer);
   - raw UPDATE: one `UPDATE providers_location SET beds_available = ...` through a cursor, for comparison.
   Times are wall-clock (time.perf_counter) around the call, inside the transaction (the commit is not timed);
   percentiles are statistics.quantiles(n=100, method="inclusive").
Only APIs that exist in every version compared are used (listing_edit, location_schedules_replace,
change_request_approve).
"""

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import time as dt_time
from pathlib import Path

from common import PYTHON, ROOT, command_line, database_env, drop_database, percentiles
from match_bench import build  # the same scratch database (migrate, boundaries, seed_demo, VACUUM ANALYZE)

KINDS = ("beds", "hours", "approve address move", "raw UPDATE")


def measure_here(out: Path, *, edits: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction

    from accounts.models import User
    from providers import services
    from providers.models import ChangeRequest, Location

    moderator, _ = User.objects.get_or_create(username="bench-moderator")
    rng = random.Random(seed)
    with_beds = list(Location.objects.filter(beds_total__gt=0).order_by("id").values_list("id", flat=True))
    sites = list(
        Location.objects.filter(location_type="physical", addresses__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )
    chosen = {
        "beds": rng.sample(with_beds, min(edits, len(with_beds))),
        "sites": rng.sample(sites, min(edits, len(sites))),
    }
    periods = [
        {"weekday": day, "opens_at": dt_time(9), "closes_at": dt_time(17), "description": ""} for day in range(1, 6)
    ]
    times = {kind: [] for kind in KINDS}

    def timed(kind, function, **arguments):
        with transaction.atomic():
            started = time.perf_counter()
            function(**arguments)
            times[kind].append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)

    def raw_update(*, beds, pk):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE providers_location SET beds_available = %s WHERE id = %s", [beds, pk])

    def approve_address_move(*, location):
        address = location.primary_address()
        request = ChangeRequest.objects.create(
            organization_id=location.organization_id, record_type="location", record_id=location.pk,
            submitted_by=moderator,
            changes={"address.postal_code": {"old": address.postal_code, "new": "77002"},
                     "address.city": {"old": address.city, "new": "Houston"},
                     "address.state_province": {"old": address.state_province, "new": "TX"}},
        )  # fmt: skip
        services.change_request_approve(change_request=request, moderator=moderator)

    for pk in chosen["beds"]:
        location = Location.objects.get(pk=pk)
        beds = (location.beds_available or 0) % location.beds_total + (0 if location.beds_available else 1)
        timed("beds", services.listing_edit, user=moderator, instance=location, values={"beds_available": beds})
        timed("raw UPDATE", raw_update, beds=beds, pk=location.pk)
    for pk in chosen["sites"]:
        location = Location.objects.get(pk=pk)
        timed("hours", services.location_schedules_replace, user=moderator, location=location, periods=periods)
        timed("approve address move", approve_address_move, location=location)
    from providers.models import ServiceAtLocation

    out.write_text(json.dumps({"times": times, "sal": ServiceAtLocation.objects.count()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--label", default=None, help="Database name suffix (default: the short commit).")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_here(args.measure, edits=args.edits, seed=args.seed)
        return
    label = (
        args.label
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        database = f"directory_bench_edit_{size}_{label}"
        build(database, size, seed=args.seed, reuse=args.reuse)
        try:
            with tempfile.TemporaryDirectory(prefix="edit_bench_") as tmp:
                out = Path(tmp) / "result.json"
                env = dict(database_env(database), LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="config.settings")
                command = [PYTHON, __file__, "--measure", str(out), "--edits", str(args.edits), "--seed",
                           str(args.seed)]  # fmt: skip
                subprocess.run(command, env=env, check=True, cwd=ROOT)
                result = json.loads(out.read_text())
        finally:
            if not args.keep:
                drop_database(database)
        for kind in KINDS:
            p50, p95, p99 = percentiles(result["times"][kind])
            rows.append((size, int(result["sal"]), kind, len(result["times"][kind]), p50, p95))
            print(f"  {size:,} {kind}: n={len(result['times'][kind])} p50 {p50:.2f} ms p95 {p95:.2f} ms", flush=True)
    print("\n| size | SAL rows | edit | n | p50 ms | p95 ms |\n| ---: | ---: | --- | ---: | ---: | ---: |")
    for size, sal, kind, n, p50, p95 in rows:
        print(f"| {size:,} | {sal:,} | {kind} | {n} | {p50:.2f} | {p95:.2f} |")
    print(f"\nCommand: {command_line()}")


if __name__ == "__main__":
    main()

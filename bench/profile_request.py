"""Profile one API request end to end, in process, as production runs it: every middleware, the view, the renderer.

Usage: .venv/bin/python bench/profile_request.py [--database directory_load] [--requests 200] [--warmup 20]
                                                 [--as hotline] [--profile FILE.html|FILE.txt] [--] URL [JSON body]

URL is a path with its query (`/api/locations/?near=77002&radius_mi=25&need=medical`); with a JSON body the request
is a POST. The database is a scratch one another benchmark built and kept (bench/load.py --keep: on PGPORT's
cluster). --as hotline sends the request with the API token of load.py's `load-hotline`.

Prints this process's CPU per request (time.process_time: Python, the driver, the JSON encoder; not PostgreSQL's
backend) and the wall time per request, p50/p95, after --warmup requests; with --profile, pyinstrument's profile of
the measured requests (an .html file to open, or text).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentiles, production_env  # noqa: E402


def configure(database: str) -> None:
    os.environ.clear()
    os.environ.update(production_env(database, host="testserver"), DJANGO_SETTINGS_MODULE="config.settings",
                      THROTTLE_ANON="1000000/minute")  # fmt: skip
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("body", nargs="?", help="A JSON body: the request is then a POST.")
    parser.add_argument("--database", default="directory_load")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--as", dest="role", choices=["anonymous", "hotline"], default="anonymous")
    parser.add_argument("--profile", help="Write pyinstrument's profile here (.html, or text otherwise).")
    args = parser.parse_args()
    configure(args.database)

    from django.test import Client
    from rest_framework.authtoken.models import Token

    headers = {}
    if args.role == "hotline":
        token = Token.objects.filter(user__username="load-hotline").first()
        if token is None:
            sys.exit("No API token for load-hotline in this database (bench/load.py makes it).")
        headers["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    client = Client(**headers)

    def call():
        if args.body:
            response = client.post(args.url, data=args.body, content_type="application/json")
        else:
            response = client.get(args.url)
        if response.status_code != 200:
            sys.exit(f"HTTP {response.status_code}: {response.content[:500]!r}")
        return response

    for _ in range(args.warmup):
        response = call()
    size = len(response.content)
    features = json.loads(response.content)
    listed = len(features.get("features") or features.get("results") or [])

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    cpu, wall = [], []
    for _ in range(args.requests):
        started_cpu, started = time.process_time(), time.perf_counter()
        call()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    if profiler:
        profiler.stop()
        output = profiler.output_html() if args.profile.endswith(".html") else profiler.output_text(unicode=True)
        Path(args.profile).write_text(output)

    cpu_p = percentiles(cpu)
    wall_p = percentiles(wall)
    print(f"{args.url}: {size:,} bytes, {listed} items; {args.requests} requests after {args.warmup} warm-up")
    mean_cpu = sum(cpu) / len(cpu)
    print(f"  this process's CPU per request: mean {mean_cpu:.2f} ms, p50 {cpu_p[0]:.2f}, p95 {cpu_p[1]:.2f}")
    print(f"  wall per request: mean {sum(wall) / len(wall):.2f} ms, p50 {wall_p[0]:.2f}, p95 {wall_p[1]:.2f}")


if __name__ == "__main__":
    main()

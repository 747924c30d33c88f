"""`make run`'s server: Django's development server and the job queue's worker, started and stopped together.

Each runs in its own process group, so Ctrl-C (or a SIGTERM to make) reaches this script alone: it stops the
server's group (the autoreloader and its child), and once the server has ended it asks the worker to stop
gracefully (SIGTERM: it finishes its jobs) and waits for it. A worker that ends by itself is reported loudly,
since emails and periodic jobs would then wait.

Usage: python scripts/run_dev.py HOST:PORT
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER_STOP_S = 75  # the worker's graceful stop is at most 60 s (PROCRASTINATE_WORKER_DEFAULTS)


def main() -> int:
    manage = [sys.executable, str(ROOT / "manage.py")]
    worker = subprocess.Popen([*manage, "procrastinate", "worker"], cwd=ROOT, start_new_session=True)  # noqa: S603
    server = subprocess.Popen([*manage, "runserver", sys.argv[1]], cwd=ROOT, start_new_session=True)  # noqa: S603

    def stop_server(_signum, _frame):
        # SIGTERM to the whole group: SIGINT may be ignored there (inherited from a shell that started make in the
        # background), and the autoreloader's child must stop too.
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:  # already gone
            pass

    signal.signal(signal.SIGINT, stop_server)
    signal.signal(signal.SIGTERM, stop_server)
    reported = False
    while server.poll() is None:
        if worker.poll() is not None and not reported:
            print(f"\n*** The job queue's worker stopped (exit {worker.returncode}): emails and periodic jobs wait "
                  "until `make run` is started again.\n", file=sys.stderr, flush=True)  # fmt: skip
            reported = True
        time.sleep(0.5)
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_S)
        except subprocess.TimeoutExpired:
            worker.kill()
    return server.returncode


if __name__ == "__main__":
    sys.exit(main())

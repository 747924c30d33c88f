#!/usr/bin/env bash
# `make test`'s second pass: the scale-out tests (tests/scaleout) against a real streaming standby and a real Redis
# (scripts/replica_rig.sh starts them; they stay up for the next run). Where the rig cannot be started because this is
# not root or the cluster tools are missing, the tests run anyway and skip, saying why; a rig that fails to start
# where it could is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
if rig_env=$(scripts/replica_rig.sh up); then
  set -a
  eval "$rig_env"
  set +a
  # A run that stopped midway may have left PgBouncer holding the test database: let it go, so it can be recreated.
  for command in "KILL test_directory" "RESUME test_directory"; do
    psql -X -q -h 127.0.0.1 -p "${RIG_PGBOUNCER_PORT:-6433}" -U postgres -d pgbouncer -c "$command" >/dev/null 2>&1 || true
  done
elif [ "$(id -u)" != 0 ] || ! command -v pg_createcluster >/dev/null; then
  echo "[scale-out] not root, or no PostgreSQL cluster tools: the scale-out tests will be skipped" >&2
else
  echo "[scale-out] the rig failed to start" >&2
  exit 1
fi
exec .venv/bin/pytest -p no:cacheprovider tests/scaleout "$@"

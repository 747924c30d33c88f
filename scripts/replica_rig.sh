#!/usr/bin/env bash
# The scale-out rig on this machine: a PostgreSQL primary (RIG_PRIMARY_PORT, 5434) with a real streaming standby
# (RIG_STANDBY_PORT, 5435, made with pg_basebackup -R), PgBouncer in transaction mode in front of the primary
# (RIG_PGBOUNCER_PORT, 6433), and a private Redis (RIG_REDIS_PORT, 6391, nothing on disk). The machine's own cluster
# on 5432 is left alone. Needs root (it installs Debian's pgbouncer and redis-server if missing, and creates
# clusters as the postgres user).
#
#   scripts/replica_rig.sh up     build what is missing and start it (idempotent); prints the environment to use
#   scripts/replica_rig.sh env    print DATABASE_URL, DATABASE_REPLICA_URLS and REDIS_URL for the rig
#   scripts/replica_rig.sh down   stop and remove all of it
set -euo pipefail

VERSION=15
PRIMARY_PORT=${RIG_PRIMARY_PORT:-5434}
STANDBY_PORT=${RIG_STANDBY_PORT:-5435}
REDIS_PORT=${RIG_REDIS_PORT:-6391}
PGBOUNCER_PORT=${RIG_PGBOUNCER_PORT:-6433}
PGBOUNCER_DIR=/run/directory-rig-pgbouncer
REDIS_DIR=/run/directory-rig-redis
DB=${RIG_DATABASE:-directory}
say() { printf '\033[1m[rig]\033[0m %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }
exists() { pg_lsclusters --no-header | awk '{print $2}' | grep -qx "$1"; }
as_postgres() { runuser -u postgres -- "$@"; }
psql_at() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "${3:-postgres}" -tAc "$2"; }

env_lines() {
  echo "DATABASE_URL=postgis://directory@127.0.0.1:$PRIMARY_PORT/$DB"
  echo "DATABASE_REPLICA_URLS=postgis://directory@127.0.0.1:$STANDBY_PORT/$DB"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "RIG_PGBOUNCER_URL=postgis://directory@127.0.0.1:$PGBOUNCER_PORT/$DB"
}

pgbouncer_up() {
  install -d -o postgres -m 700 "$PGBOUNCER_DIR"  # root-owned parent, not a world-writable /tmp path
  printf '"directory" ""\n"postgres" ""\n' >"$PGBOUNCER_DIR/userlist.txt"
  cat >"$PGBOUNCER_DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PRIMARY_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGBOUNCER_DIR/userlist.txt
pool_mode = transaction
admin_users = postgres
max_client_conn = 500
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $PGBOUNCER_DIR/pgbouncer.log
pidfile = $PGBOUNCER_DIR/pgbouncer.pid
INI
  chown postgres "$PGBOUNCER_DIR"/*
  if ! pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT"; then
    say "starting PgBouncer (transaction mode) on port $PGBOUNCER_PORT"
    as_postgres pgbouncer -d "$PGBOUNCER_DIR/pgbouncer.ini"
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT" && break; sleep 0.2; done
  fi
}

up() {
  if [ "$(id -u)" != 0 ]; then
    echo "The rig creates PostgreSQL clusters: run it as root." >&2
    exit 2
  fi
  missing=()
  for pkg in pgbouncer redis-server; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! exists rigprimary; then
    say "creating the primary cluster on port $PRIMARY_PORT"
    pg_createcluster "$VERSION" rigprimary --port "$PRIMARY_PORT" --start-conf=manual >/dev/null \
      -- --auth-local=trust --auth-host=trust
    printf '%s\n' "local replication all trust" "host replication all 127.0.0.1/32 trust" \
      >>"/etc/postgresql/$VERSION/rigprimary/pg_hba.conf"
    # A lagging standby is made by pausing its replay: keep WAL for it meanwhile.
    printf '%s\n' "wal_keep_size = 256MB" "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
      >"/etc/postgresql/$VERSION/rigprimary/conf.d/rig.conf"
  fi
  pg_ctlcluster "$VERSION" rigprimary start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT" && break; sleep 0.5; done
  if [ -z "$(psql_at "$PRIMARY_PORT" "SELECT 1 FROM pg_roles WHERE rolname = 'directory'")" ]; then
    psql_at "$PRIMARY_PORT" "CREATE ROLE directory LOGIN CREATEDB"
  fi
  # The app reads its replicas' replication status (pg_stat_wal_receiver), which only this role may see.
  psql_at "$PRIMARY_PORT" "GRANT pg_read_all_stats TO directory"
  if [ -z "$(psql_at "$PRIMARY_PORT" "SELECT 1 FROM pg_database WHERE datname = 'directory_template'")" ]; then
    say "creating the template database (postgis, btree_gist, unaccent, pg_trgm)"
    psql_at "$PRIMARY_PORT" "CREATE DATABASE directory_template"
    psql_at "$PRIMARY_PORT" "CREATE EXTENSION postgis; CREATE EXTENSION btree_gist; CREATE EXTENSION unaccent;
      CREATE EXTENSION pg_trgm;" directory_template
    psql_at "$PRIMARY_PORT" "ALTER DATABASE directory_template WITH IS_TEMPLATE true"
  fi
  if [ -z "$(psql_at "$PRIMARY_PORT" "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
    psql_at "$PRIMARY_PORT" "CREATE DATABASE $DB OWNER directory TEMPLATE directory_template"
  fi
  if exists rigstandby && [ ! -f "/var/lib/postgresql/$VERSION/rigstandby/standby.signal" ]; then
    say "the standby was left half-built: making it again"
    pg_dropcluster --stop "$VERSION" rigstandby
  fi
  if exists rigstandby; then
    # A standby of an earlier primary (the primary was made again) can never stream from this one.
    primary_id=$(psql_at "$PRIMARY_PORT" "SELECT system_identifier FROM pg_control_system()")
    standby_id=$("/usr/lib/postgresql/$VERSION/bin/pg_controldata" "/var/lib/postgresql/$VERSION/rigstandby" 2>/dev/null \
      | sed -n 's/^Database system identifier: *//p')
    if [ "$primary_id" != "$standby_id" ]; then
      say "the standby belongs to an earlier primary: making it again"
      pg_dropcluster --stop "$VERSION" rigstandby
    fi
  fi
  if ! exists rigstandby; then
    say "creating the standby on port $STANDBY_PORT (pg_basebackup -R)"
    pg_createcluster "$VERSION" rigstandby --port "$STANDBY_PORT" --start-conf=manual >/dev/null \
      -- --auth-local=trust --auth-host=trust
    rm -rf "/var/lib/postgresql/$VERSION/rigstandby"/*
    as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
      -D "/var/lib/postgresql/$VERSION/rigstandby" -R -X stream --checkpoint=fast
  fi
  pg_ctlcluster "$VERSION" rigstandby start >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$STANDBY_PORT" && break; sleep 0.5; done
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    say "starting Redis on port $REDIS_PORT (nothing kept on disk)"
    mkdir -p -m 700 "$REDIS_DIR"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log"
    for _ in $(seq 1 20); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || fail "Redis does not answer on port $REDIS_PORT"
  pg_isready -q -h 127.0.0.1 -p "$PRIMARY_PORT" || fail "the primary does not answer on port $PRIMARY_PORT"
  pg_isready -q -h 127.0.0.1 -p "$STANDBY_PORT" || fail "the standby does not answer on port $STANDBY_PORT"
  [ "$(psql_at "$STANDBY_PORT" "SELECT pg_is_in_recovery()")" = t ] || fail "port $STANDBY_PORT is not a standby"
  for _ in $(seq 1 30); do
    [ "$(psql_at "$STANDBY_PORT" "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")" = 1 ] \
      && break
    sleep 0.5
  done
  [ "$(psql_at "$STANDBY_PORT" "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")" = 1 ] \
    || fail "the standby on port $STANDBY_PORT does not stream from the primary"
  # A run stopped while a test had paused replay would leave it paused.
  psql_at "$STANDBY_PORT" "SELECT pg_wal_replay_resume() WHERE pg_is_wal_replay_paused()" >/dev/null
  pgbouncer_up
  pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT" || fail "PgBouncer does not answer on port $PGBOUNCER_PORT"
  env_lines
}

down() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  if [ -f "$PGBOUNCER_DIR/pgbouncer.pid" ]; then kill "$(cat "$PGBOUNCER_DIR/pgbouncer.pid")" 2>/dev/null || true; fi
  for name in rigstandby rigprimary; do
    if exists "$name"; then pg_dropcluster --stop "$VERSION" "$name"; fi
  done
}

case "${1:-}" in
  up) up ;;
  env) env_lines ;;
  down) down ;;
  *) echo "usage: $0 up|env|down" >&2; exit 2 ;;
esac

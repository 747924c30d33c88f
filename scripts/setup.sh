#!/usr/bin/env bash
# Idempotent setup shared by `make run` and `make test`: system packages, virtualenv, PostgreSQL,
# database role/database/extensions, migrations. Fast when everything is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the browser of the end-to-end tests; gettext: compiles the Spanish translations.
APT_PACKAGES=(postgresql-15-postgis-3 gdal-bin libgdal32 libgeos-c1v5 libproj25 chromium gettext ${EXTRA_APT_PACKAGES:-})
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages (PostGIS for the running PostgreSQL 15, GDAL/GEOS/PROJ for GeoDjango).
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# 2. Virtualenv with the project installed; reinstalled only when pyproject.toml changes.
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$PYTHON" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  say "installing Python dependencies"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  touch .venv/.installed
fi

# 2b. US state and county boundaries (public-domain Census data packaged as TopoJSON by us-atlas), from
#     the npm registry like any other dependency; loaded into the database by `load_boundaries`.
US_ATLAS_VERSION=3.0.1
if [ ! -f .cache/us-atlas/package/counties-10m.json ]; then
  say "fetching us-atlas@$US_ATLAS_VERSION boundaries"
  mkdir -p .cache/us-atlas
  (cd .cache/us-atlas && npm pack --silent "us-atlas@$US_ATLAS_VERSION" >/dev/null && tar xzf "us-atlas-$US_ATLAS_VERSION.tgz")
fi

# 2c. The axe accessibility engine, injected into pages by the browser tests (WCAG checks); test-only.
AXE_VERSION=4.10.2
if [ ! -f .cache/axe-core/package/axe.min.js ]; then
  say "fetching axe-core@$AXE_VERSION for the accessibility tests"
  mkdir -p .cache/axe-core
  (cd .cache/axe-core && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null && tar xzf "axe-core-$AXE_VERSION.tgz")
fi

# 3. PostgreSQL running (the machine's system cluster; initdb refuses to run as root).
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters --no-header | while read -r ver name _port status _rest; do
    if [[ "$name" == rig* ]]; then continue; fi  # the scale-out rig's (scripts/replica_rig.sh starts those)
    if [[ "$status" != online* ]]; then  # a standby is "online,recovery"
      say "starting PostgreSQL cluster $ver/$name"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || pg_ctlcluster "$ver" "$name" start
    fi
  done
fi
for _ in $(seq 1 30); do
  pg_isready -q -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" && break
  sleep 1
done

# 4. Role, template and database. Only for the default local database: when DATABASE_URL is set the
#    operator owns the database and its extensions.
if [ -z "${DATABASE_URL:-}" ]; then
  psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres -tAc "$1"; }
  if [ -z "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = 'directory'")" ]; then
    say "creating role 'directory'"
    psql_admin "CREATE ROLE directory LOGIN CREATEDB"
  fi
  # A template database carrying the extensions, so the app role (not a superuser) can create the
  # test databases: PostGIS may only be installed by a superuser.
  if [ -z "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = 'directory_template'")" ]; then
    say "creating template database 'directory_template' with postgis and btree_gist"
    psql_admin "CREATE DATABASE directory_template"
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d directory_template \
      -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS btree_gist;"
    psql_admin "ALTER DATABASE directory_template WITH IS_TEMPLATE true"
  fi
  # Keyword search's extensions (trusted: migrations create them too), in templates made before them as well.
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d directory_template \
    -c "CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
  if [ -z "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = 'directory'")" ]; then
    say "creating database 'directory'"
    psql_admin "CREATE DATABASE directory OWNER directory TEMPLATE directory_template"
  fi
fi

# 5. Schema.
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py createcachetable
.venv/bin/python manage.py compilemessages -l es -i .venv -i .cache -v 0
.venv/bin/python manage.py load_boundaries --if-empty

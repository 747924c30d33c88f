# The two commands: `make run` and `make test`. Both run the same idempotent setup first.
SHELL := /bin/bash
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint seed serve worker backup restore replica

setup:
	@scripts/setup.sh

run: setup
	@$(PY) manage.py seed_demo --if-empty
	@echo
	@echo "Victim services directory: http://$(HOST):$(PORT)/  (API: /api/  docs: /api/docs/  admin: /admin/)"
	@echo
	@echo "Two-factor sign-in is optional in this demo (TWO_FACTOR_REQUIRED_ROLES is empty unless you set it);"
	@echo "by default it is required of hotline, specialist, moderator and admin accounts."
	@echo "The job queue's worker (emails, periodic housekeeping) runs beside the server and stops with it."
	@DJANGO_DEBUG=$${DJANGO_DEBUG:-1} TWO_FACTOR_REQUIRED_ROLES="$${TWO_FACTOR_REQUIRED_ROLES-}" \
		exec $(PY) scripts/run_dev.py $(HOST):$(PORT)

test: setup
	@.venv/bin/ruff check --quiet .
	@.venv/bin/lint-imports --no-cache > /dev/null || .venv/bin/lint-imports --no-cache
	@env -u DATABASE_REPLICA_URLS -u REDIS_URL .venv/bin/pytest $(PYTEST_ARGS)
	@if [ -z "$(PYTEST_ARGS)" ]; then scripts/scaleout_tests.sh -q; fi

# The scale-out rig (a primary with a streaming standby, and Redis) on this machine; prints the environment to use.
replica:
	@scripts/replica_rig.sh up

lint:
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

# Production-style serving: gunicorn (workers from the CPU count) with static files through WhiteNoise.
# Needs DJANGO_ENV=production, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and FIELD_ENCRYPTION_KEYS (see README).
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 + 1 )))
# No gunicorn access log: its lines would hold raw paths (referral codes, invitation tokens) and query
# strings; the app logs each request itself as its URL pattern (core/request_log.py).
serve: setup
	@$(PY) manage.py collectstatic --no-input -v 0
	@$(PY) manage.py check --deploy --fail-level WARNING
	@.venv/bin/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) --preload \
		--forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# The job queue's worker (procrastinate): delivers emails and runs the periodic jobs. Run one or more beside
# `make serve`, with the same environment (docs/operations.md); each email is sent once however many run. No setup
# step: a service manager restarting it should not migrate.
worker:
	@$(PY) manage.py procrastinate worker

# Backups: pg_dump custom format into backups/ (or FILE=...); restore with `make restore FILE=path`.
backup:
	@$(PY) scripts/db_backup.py backup $(FILE)

restore:
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/directory-....dump" >&2; exit 2)
	@$(PY) scripts/db_backup.py restore $(FILE)

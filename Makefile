# Entry points: make demo, make test, make bench (see README.md).
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
PORT ?= 8000
export BASE_DOMAIN ?= localhost:$(PORT)

.PHONY: demo test bench setup venv services db lint stop

venv: .venv/.installed
.venv/.installed: pyproject.toml
	@command -v python3.11 >/dev/null || command -v python3 >/dev/null
	@test -d .venv || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q ".[dev]"
	@touch $@

services: venv
	@dev/services.sh

db: services
	@dev/env.sh
	@psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='cantine'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres cantine
	$(PY) manage.py migrate_schemas --shared -v 0
	$(PY) manage.py migrate_communes
	$(PY) manage.py ensure_buckets

setup: db
	$(PY) manage.py collectstatic --noinput -v 0

demo: setup stop
	$(PY) manage.py seed_demo
	$(PY) manage.py payfip_enable  # test mode, against the local PayFiP simulator
	@mkdir -p var/log var/run
	@nohup .venv/bin/gunicorn config.wsgi:application -b 127.0.0.1:$(PORT) -w 3 \
		--access-logfile var/log/web-access.log >var/log/web.log 2>&1 & echo $$! > var/run/web.pid
	@nohup .venv/bin/celery -A config worker -Q web,celery,backups,billing -c 2 -l info >var/log/worker.log 2>&1 & echo $$! > var/run/worker.pid
	@nohup .venv/bin/celery -A config beat -s var/run/celerybeat-schedule -l info >var/log/beat.log 2>&1 & echo $$! > var/run/beat.pid
	@nohup .venv/bin/gunicorn payfip_simulator.app:application -b 127.0.0.1:9100 -w 1 --threads 8 \
		>var/log/payfip-simulator.log 2>&1 & echo $$! > var/run/payfip.pid
	@for _ in $$(seq 1 30); do curl -sf -o /dev/null -H "Host: ops.localhost" http://127.0.0.1:$(PORT)/healthz && break; sleep 0.5; done
	@echo ""
	@echo "L'application tourne : web (port $(PORT)), worker Celery et beat. Journaux dans var/log/."
	@echo "Simulateur PayFiP (paiement en ligne) : http://127.0.0.1:9100/control"
	@echo "Arrêt : make stop"

stop:
	@for p in web worker beat payfip; do \
		if [ -f var/run/$$p.pid ]; then kill $$(cat var/run/$$p.pid) 2>/dev/null || true; rm -f var/run/$$p.pid; fi; \
	done

lint: venv
	.venv/bin/ruff check .
	.venv/bin/mypy .
	.venv/bin/lint-imports

# Tests use their own Redis databases so a running demo is never disturbed.
test: services
	@dev/env.sh
	$(MAKE) lint
	CELERY_BROKER_URL=redis://127.0.0.1:6379/2 CACHE_URL=redis://127.0.0.1:6379/3 \
		.venv/bin/pytest -n 2 --dist loadfile -q

bench: services
	@dev/env.sh
	@for b in bench/*.py; do $(PY) $$b || exit 1; done

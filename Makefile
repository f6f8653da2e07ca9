# Two commands: `make run` (the app with demo data, a worker and beat) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONUNBUFFERED := 1

.PHONY: run test lint format messages bench clean-demo lock

# The environment comes from the hashed lock (every package pinned, every file
# checked): requirements-dev.lock holds the runtime lock's packages at the same
# versions plus the development tools and the parquet extra.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(PY) -m pip check
	touch $@

# Regenerate the locks from the human-edited inputs (requirements.txt,
# requirements-dev.txt, requirements-parquet.txt). Existing pins are kept unless
# an input changed them; LOCK_ARGS="--upgrade" or "--upgrade-package NAME" moves them.
LOCK_ARGS ?=
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host $(LOCK_ARGS)
lock: $(VENV)/.installed
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

# `make run` serves what production serves: hashed names (cached a year, immutable) and gzip/Brotli copies,
# collected into var/static by follower_tracker/staticstorage.py (about 35 s, Brotli at its best quality)
# once, and again only when a file under static/ or the lock changes.
RUN_STATIC := STATIC_HASHED=true STATIC_ROOT=$(CURDIR)/var/static
STATIC_SOURCES := $(shell find static -type f)
var/static/staticfiles.json: $(VENV)/.installed requirements.lock $(STATIC_SOURCES)
	mkdir -p var
	@echo "Collecting the static files (hashed names, gzip and Brotli) into var/static..."
	$(RUN_STATIC) $(PY) manage.py collectstatic --no-input --clear -v0

run: $(VENV)/.installed var/static/staticfiles.json
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py ensure_admin
	@echo "Starting the web app on http://127.0.0.1:8000/ with a Celery worker and beat (Ctrl-C stops all)."
	@trap 'kill 0' INT TERM EXIT; \
	FOLLOWER_CLIENT=demo $(VENV)/bin/celery -A follower_tracker worker -B --loglevel=INFO --concurrency=2 \
		--schedule=var/celerybeat-schedule & \
	FOLLOWER_CLIENT=demo $(RUN_STATIC) $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed
	$(VENV)/bin/pytest

lint: $(VENV)/.installed
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# National-scale benchmark on PostgreSQL (see README "Benchmarks"); e.g.
# make bench BENCH_ARGS="--runs 7" or BENCH_DATABASE_URL=postgres://user@host:5432/name make bench
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ft_bench
BENCH_ARGS ?=
bench: $(VENV)/.installed
	$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l hi --ignore=.venv
	$(PY) manage.py compilemessages --ignore=.venv

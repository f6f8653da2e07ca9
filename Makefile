# Two commands: `make run` (the app with demo data, a worker and beat) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONUNBUFFERED := 1

.PHONY: run test lint format messages bench clean-demo

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-parquet.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py ensure_admin
	@echo "Starting the web app on http://127.0.0.1:8000/ with a Celery worker and beat (Ctrl-C stops all)."
	@trap 'kill 0' INT TERM EXIT; \
	FOLLOWER_CLIENT=demo $(VENV)/bin/celery -A follower_tracker worker -B --loglevel=INFO --concurrency=2 \
		--schedule=var/celerybeat-schedule & \
	FOLLOWER_CLIENT=demo $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed
	$(VENV)/bin/pytest

lint: $(VENV)/.installed
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

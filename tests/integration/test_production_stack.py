"""docker-compose.yml's stack, run as processes on this machine (no Docker engine needed).

The compose services map to processes like this, in compose's start order:
- postgres -> a fresh database on the test's PostgreSQL server (DATABASE_URL), dropped after;
- redis    -> a throwaway redis-server of the fault suite (tests/faults/servers.py);
- migrate  -> its own command, once, before anything else starts;
- web      -> gunicorn on a free 127.0.0.1 port (the fault suite's helper), after collectstatic
              as the Dockerfile does it;
- worker   -> a Celery worker named celery@<host> (the integration helper), as in the container;
- beat     -> its own command.
All with production settings (DEBUG=false, SECURE_SSL_REDIRECT=true, a real SECRET_KEY) and the
demo client on a small seeded demo. The web, worker and beat healthchecks of docker-compose.yml
are run as written (the web one on the free port instead of 8000).
"""

import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
import requests
import yaml
from django.conf import settings
from django.utils import timezone

from tests.faults.servers import own_redis
from tests.faults.web import gunicorn

from .celery_worker import ROOT, wait_for, worker

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
FINISHED = ("done", "failed", "skipped", "stopped")


def _service(name):
    return COMPOSE["services"][name]


@contextmanager
def fresh_database():
    db = settings.DATABASES["default"]
    server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
    if db["PASSWORD"]:
        server["password"] = db["PASSWORD"]
    name = f"ft_stack_{os.getpid()}_{secrets.token_hex(3)}"

    def admin(statement):
        connection = psycopg2.connect(dbname="postgres", connect_timeout=5, **server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    admin(f'CREATE DATABASE "{name}"')
    try:
        password = f":{server['password']}" if "password" in server else ""
        yield (
            f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}",
            server | {"dbname": name},
        )
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _query(connect, statement, params=()):
    with psycopg2.connect(connect_timeout=5, **connect) as connection, connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall() if cursor.description else None
    connection.close()
    return rows


def _run(command, env, *, shell=False, timeout=120):
    return subprocess.run(
        command, cwd=ROOT, env=env, shell=shell, capture_output=True, text=True, timeout=timeout, check=False
    )


def _must(result):
    assert result.returncode == 0, (
        f"{result.args}: exit {result.returncode}\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
    )
    return result


def _healthcheck(service, env, **replace):
    """A compose healthcheck as written: CMD runs the program, CMD-SHELL goes through sh ($$ is compose's $)."""
    kind, *rest = _service(service)["healthcheck"]["test"]
    if kind == "CMD-SHELL":
        command = rest[0].replace("$$", "$")
        for old, new in replace.items():
            command = command.replace(old, new)
        return _run(command, env, shell=True)
    command = list(rest)
    for old, new in replace.items():
        command = [part.replace(old, new) for part in command]
    return _run(command, env)


@contextmanager
def beat(env, tmp_path):
    """The beat service's command (no fixture of the fault suite starts beat on its own)."""
    log = open(tmp_path / "beat.log", "wb")
    process = subprocess.Popen(
        shlex.split(_service("beat")["command"]),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def test_compose_stack_serves_polls_and_stops_cleanly(tmp_path):
    started = time.monotonic()
    with fresh_database() as (database_url, connect), own_redis() as redis:
        env = {
            **os.environ,
            # The virtualenv's python, celery and gunicorn first, as the image's PATH has them.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis.url,
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "FOLLOWER_CLIENT": "demo",
            "VAR_DIR": str(tmp_path / "var"),
            "PYTHONUNBUFFERED": "1",
            # collectstatic's Brotli at a quick level (the image uses the best, 11: same files, smaller).
            "STATIC_BROTLI_QUALITY": "5",
        }
        # The migrate service, once; then the demo (the admin's job in production) and the image's collectstatic.
        _must(_run(shlex.split(_service("migrate")["command"]), env))
        _must(_run(["python", "manage.py", "seed_demo", "--members", "10", "--days", "3"], env))
        _must(_run(["python", "manage.py", "collectstatic", "--no-input", "-v0"], env))
        x_accounts = _query(connect, "SELECT count(*) FROM legislators_socialaccount WHERE platform = 'x'")[0][0]
        assert x_accounts > 0

        with (
            gunicorn(tmp_path=tmp_path, broker_url=redis.url, extra_env=env) as web,
            worker(
                broker_url=redis.url, tmp_path=tmp_path, extra_env=env, concurrency=2, name="celery"
            ) as worker_process,
            beat(env, tmp_path) as beat_process,
        ):
            # /healthz over plain HTTP, although every other plain-HTTP request is sent to https.
            health = requests.get(f"{web}/healthz", timeout=15, allow_redirects=False)
            assert health.status_code == 200 and health.json() == {"database": "ok", "broker": "ok"}
            plain = requests.get(f"{web}/accounts/login/", timeout=15, allow_redirects=False)
            assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

            # Through the TLS proxy (it says https): the login page is private, never stored.
            proxied = {"X-Forwarded-Proto": "https"}
            login = requests.get(f"{web}/accounts/login/", headers=proxied, timeout=15, allow_redirects=False)
            assert login.status_code == 200, login.text[:500]
            directives = {part.strip() for part in login.headers["Cache-Control"].split(",")}
            assert {"private", "no-store"} <= directives
            assert login.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            # Static files (collected, hashed names) keep whitenoise's year-long cache.
            stylesheet = re.search(r'href="(/static/[^"]+\.css)"', login.text).group(1)
            static = requests.get(f"{web}{stylesheet}", headers=proxied, timeout=15)
            assert static.status_code == 200
            assert "immutable" in static.headers["Cache-Control"] and "no-store" not in static.headers["Cache-Control"]

            # A poll, queued the way an admin does it from the command line, completes on the worker.
            queued = _must(_run(["python", "manage.py", "fetch_followers", "--platform", "x"], env))
            assert "x: queued" in queued.stdout
            wait_for(
                lambda: _query(connect, "SELECT 1 FROM metrics_fetchrun WHERE status IN %s", (FINISHED,)),
                timeout=45,
                log_path=tmp_path / "celery.log",
            )
            ((status, accounts_ok, accounts_failed),) = _query(
                connect, "SELECT status, accounts_ok, accounts_failed FROM metrics_fetchrun WHERE platform = 'x'"
            )
            assert (status, accounts_ok, accounts_failed) == ("done", x_accounts, 0)

            # docker-compose.yml's healthchecks, as written.
            port = web.rsplit(":", 1)[1]
            _must(_healthcheck("web", env, **{"127.0.0.1:8000": f"127.0.0.1:{port}"}))
            _must(_healthcheck("worker", env | {"HOSTNAME": socket.gethostname()}))
            _must(_healthcheck("beat", env))
            assert worker_process.poll() is None and beat_process.poll() is None

        # Every process stopped on SIGTERM, on its own.
        assert worker_process.returncode == 0, (tmp_path / "celery.log").read_text()[-3000:]
        assert beat_process.returncode == 0, (tmp_path / "beat.log").read_text()[-3000:]
        assert "beat: Starting..." in (tmp_path / "beat.log").read_text()

        # Beat's healthcheck fails once a schedule is overdue (beat stopped: nobody sends it).
        overdue = timezone.now() - timedelta(days=1)
        _query(connect, "UPDATE django_celery_beat_periodictask SET last_run_at = %s WHERE name = 'Poll x'", (overdue,))
        late = _healthcheck("beat", env)
        assert late.returncode == 1 and "Poll x" in late.stdout

    assert time.monotonic() - started < 90

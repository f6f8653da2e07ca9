"""The same demo gives byte-for-byte the same standings CSV on SQLite (make run) and PostgreSQL (production).

Six functions take a different path on each database (COPY, arrays, LATERAL
joins...); this seeds the same demo into a fresh database of each kind, in
their own processes (so both number their rows from 1), and compares
`manage.py standings --format csv`.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

pytestmark = [pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]


def manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "FOLLOWER_CLIENT": "demo"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def standings_csv(database_url, day):
    manage(database_url, "migrate", "--no-input")
    manage(database_url, "seed_demo", "--members", "60", "--days", "40", "--seed", "11")
    return manage(database_url, "standings", "--format", "csv", "--date", day.isoformat())


def test_the_same_demo_gives_the_same_standings_csv_on_sqlite_and_postgresql(tmp_path):
    import psycopg2

    server = settings.DATABASES["default"]
    name = f"ft_same_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(
        host=server["HOST"],
        port=server["PORT"] or 5432,
        user=server["USER"],
        password=server["PASSWORD"],
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{server['PASSWORD']}" if server["PASSWORD"] else ""
    postgres_url = f"postgres://{server['USER']}{password}@{server['HOST']}:{server['PORT'] or 5432}/{name}"
    day = timezone.localdate()
    try:
        on_postgres = standings_csv(postgres_url, day)
        on_sqlite = standings_csv(f"sqlite:///{tmp_path / 'demo.sqlite3'}", day)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    assert on_postgres.count("\n") == 61  # the header and the 60 members
    assert on_sqlite.encode() == on_postgres.encode()

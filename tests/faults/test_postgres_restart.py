"""PostgreSQL restarted while a batch is being fetched: the batch retries and
completes, and no partial transaction is ever visible.

Runs on its own PostgreSQL cluster (initdb in a temporary folder, its own
port) so that restarting it disturbs nobody.

Safeguards: fetch_batch_task retries OperationalError/InterfaceError with
backoff after closing the dead connection; record_batch_results writes a
batch's snapshots, latest counts, statuses and the run's figures in one
transaction.
"""

import os
import subprocess
import sys
import threading
import time

import psycopg2
import pytest

from metrics.polling.tasks import plan_fetch_task
from tests.integration.celery_worker import ROOT, wait_for, worker

from .conftest import send
from .servers import own_postgres, own_redis

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]

ACCOUNTS, BATCH = 10, 5
SEED = f"""
from tests import factories
from legislators.models import Platform
member = factories.legislator("Restart Member", factories.constituency(electors=100_000))
for _ in range({ACCOUNTS}):
    factories.account(member, Platform.X)
"""


def _manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "follower_tracker.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


class Database:
    """Reads of the own cluster from the test process, tolerant of the restart."""

    def __init__(self, url):
        self.url = url

    def query(self, *statements):
        """Run the statements in one REPEATABLE READ snapshot; None while the server is away."""
        try:
            with psycopg2.connect(self.url, connect_timeout=2) as connection:
                connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
                with connection.cursor() as cursor:
                    results = []
                    for statement in statements:
                        cursor.execute(statement)
                        results.append(cursor.fetchall())
                    return results
        except psycopg2.Error:
            return None


def test_postgres_restart_mid_batch_retries_and_never_shows_a_partial_batch(tmp_path):
    with own_postgres() as pg, own_redis() as redis:
        url = pg.url()
        _manage(url, "migrate", "-v0")
        _manage(url, "shell", "-c", SEED)
        db = Database(url)
        env = {"DATABASE_URL": url, "DEMO_CLIENT_DELAY_SECONDS": "4", "FETCH_BATCH_SIZE": str(BATCH)}
        partial = []
        stop = threading.Event()

        def watch():
            # Accounts with a snapshot must be exactly the accounts of the finished batches.
            while not stop.is_set():
                seen = db.query(
                    "SELECT account_id FROM metrics_followersnapshot",
                    "SELECT account_ids FROM metrics_fetchbatch WHERE status = 'done'",
                )
                if seen is not None:
                    with_snapshot = {row[0] for row in seen[0]}
                    done = {account for row in seen[1] for account in row[0]}
                    if with_snapshot != done:
                        partial.append((sorted(with_snapshot), sorted(done)))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            with worker(broker_url=redis.url, tmp_path=tmp_path, extra_env=env):
                send(plan_fetch_task, ["x"], broker_url=redis.url)
                wait_for(
                    lambda: (
                        db.query("SELECT 1 FROM metrics_fetchbatch WHERE attempts = 1 AND status = 'pending'") or [[]]
                    )[0],
                    timeout=60,
                    interval=0.2,
                    log_path=tmp_path / "w1.log",
                )
                time.sleep(1)
                pg.restart()  # fast shutdown: the worker's connection is cut mid-batch
                wait_for(
                    lambda: (db.query("SELECT status FROM metrics_fetchrun") or [[("?",)]])[0] == [("done",)],
                    timeout=90,
                    log_path=tmp_path / "w1.log",
                )
            log = (tmp_path / "w1.log").read_text()
        finally:
            stop.set()
            watcher.join(timeout=5)

        (run,), batches, per_account = db.query(
            "SELECT accounts_ok, accounts_failed, batches_done, batches_total FROM metrics_fetchrun",
            "SELECT attempts, status FROM metrics_fetchbatch ORDER BY index",
            "SELECT account_id, count(*) FROM metrics_followersnapshot GROUP BY account_id",
        )

    assert not partial, f"a partial batch was visible: {partial[:3]}"
    assert "Retry in" in log  # the batch hit the restart and was retried
    assert run == (ACCOUNTS, 0, ACCOUNTS // BATCH, ACCOUNTS // BATCH)
    assert all(status == "done" for _attempts, status in batches)
    assert max(attempts for attempts, _status in batches) >= 2
    assert len(per_account) == ACCOUNTS and all(count == 1 for _account, count in per_account)

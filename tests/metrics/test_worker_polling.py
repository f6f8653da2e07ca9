"""Real Celery worker processes against Redis and PostgreSQL, polling the
fake X server end to end: plan task → batch tasks → snapshots.

The workers are separate processes on the test database (transactional_db
commits, so they see the accounts), consuming from this test's Redis db.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.utils import timezone

from legislators.models import Platform, SocialAccount
from metrics.models import FetchBatch, FetchRun, FollowerSnapshot
from tests import factories
from tests.fake_x import FakeX
from tests.metrics.conftest import X_TOKEN

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]
ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3  # seconds before Redis hands an unacknowledged task to another worker


def _database_url():
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    def __init__(self, fake, redis_url, log_dir):
        self.env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": redis_url,
            "PLATFORM_BUDGET_REDIS_URL": redis_url,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "FOLLOWER_CLIENT": "live",
            "X_BEARER_TOKEN": X_TOKEN,
            "X_API_BASE_URL": fake.url,
            "FETCH_RETRY_BASE_SECONDS": "0",
            "DJANGO_SETTINGS_MODULE": "follower_tracker.settings",
        }
        self.redis_url = redis_url
        self.log_dir = log_dir
        self.processes = []

    def start(self, name, concurrency=1):
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "follower_tracker",
                "worker",
                "-n",
                f"{name}@%h",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the parent and its pool die together
        )
        self.processes.append(process)
        return process

    def kill(self, process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self):
        # Only the processes this test started, each by its own process group.
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def send_plan(self, platform):
        app = Celery(broker=self.redis_url)
        app.send_task("metrics.tasks.plan_fetch_task", args=[platform])
        app.close()

    def logs(self):
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in self.log_dir.glob("*.log"))


@pytest.fixture
def workers(transactional_db, redis_url, tmp_path):
    import redis

    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()
    fake = FakeX().start()
    pool = Workers(fake, redis_url, tmp_path)
    pool.fake = fake
    yield pool
    pool.stop_all()
    fake.stop()
    broker.flushdb()


def _x_accounts(fake, count):
    member = factories.legislator()
    accounts = []
    for n in range(count):
        user_id = 5000 + n
        fake.add_user(user_id, f"worker_{user_id}", followers=user_id * 3)
        accounts.append(
            factories.account(member, platform=Platform.X, handle=f"worker_{user_id}", platform_id=str(user_id))
        )
    return accounts


def _wait_for_run(workers, timeout=150):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = FetchRun.objects.filter(platform="x").first()
        if run and run.status != FetchRun.Status.RUNNING:
            return run
        time.sleep(0.2)
    pytest.fail(f"the run did not finish in {timeout}s; worker logs:\n{workers.logs()}")


def test_a_worker_polls_x_end_to_end_through_redis(workers):
    accounts = _x_accounts(workers.fake, 250)
    workers.fake.suspended.add(accounts[7].platform_id)
    del workers.fake.users[accounts[8].platform_id]
    workers.start("one", concurrency=2)
    workers.send_plan("x")

    run = _wait_for_run(workers)

    assert run.status == FetchRun.Status.DONE, workers.logs()
    assert (run.accounts_ok, run.accounts_failed, run.api_calls) == (248, 2, 3)
    assert len(workers.fake.lookup_calls()) == 3
    assert FollowerSnapshot.objects.filter(day=timezone.localdate()).count() == 248
    assert FollowerSnapshot.objects.get(account=accounts[0]).followers == 5000 * 3
    assert SocialAccount.objects.get(pk=accounts[7].pk).status == SocialAccount.Status.SUSPENDED


def test_a_worker_killed_mid_batch_is_redelivered_and_nothing_is_doubled(workers):
    import threading

    accounts = _x_accounts(workers.fake, 150)  # two batches
    workers.fake.hold = threading.Event()  # the first call hangs until the worker is dead
    first = workers.start("doomed")
    workers.send_plan("x")
    assert workers.fake.received.wait(30), workers.logs()
    workers.kill(first)  # SIGKILL to the worker and its pool, mid-call
    workers.fake.hold.set()
    workers.fake.hold = None
    time.sleep(VISIBILITY_TIMEOUT + 1)  # the unacknowledged batch becomes visible again

    workers.start("survivor")
    run = _wait_for_run(workers)

    assert run.status == FetchRun.Status.DONE, workers.logs()
    assert (run.accounts_ok, run.accounts_failed) == (150, 0)
    today = timezone.localdate()
    per_account = FollowerSnapshot.objects.filter(day=today).values_list("account_id", flat=True)
    assert sorted(per_account) == sorted(a.pk for a in accounts)  # exactly one each
    assert max(FetchBatch.objects.values_list("attempts", flat=True)) == 2  # the killed batch ran again


def test_a_worker_settles_a_run_whose_replies_are_unusable(workers):
    _x_accounts(workers.fake, 3)
    for _ in range(4):  # every attempt: FETCH_TRANSIENT_RETRIES (3) retries, then it gives up
        workers.fake.queue(200, {"data": {"id": "5000", "username": "worker_5000"}})
    workers.start("one")
    workers.send_plan("x")

    run = _wait_for_run(workers)

    assert run.status == FetchRun.Status.FAILED, workers.logs()
    assert "unusable reply: `data` is an object" in run.errors[-1] and "expected a list" in run.errors[-1]
    batch = run.batches.get()
    assert (batch.attempts, batch.api_calls, batch.transient_retries, len(batch.retry_history)) == (4, 4, 3, 4)
    assert run.api_calls == len(workers.fake.lookup_calls()) == 4
    assert "AttributeError" not in workers.logs()
    assert set(SocialAccount.objects.values_list("status", flat=True)) == {SocialAccount.Status.PENDING}

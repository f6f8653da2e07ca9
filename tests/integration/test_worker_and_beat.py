"""The demo pipeline through real Celery processes: beat plans, the worker fetches.

Runs against the test PostgreSQL database (a worker process cannot see an
in-memory SQLite test database) with Redis and with the embedded
filesystem broker.
"""

import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from legislators.models import Platform
from metrics.models import FetchRun, FollowerSnapshot, LatestCount
from tests import factories

from .celery_worker import wait_for, worker

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def _broker(kind, tmp_path, redis_url):
    if kind == "redis":
        return redis_url
    return "filesystem://"


@pytest.mark.parametrize("broker", [pytest.param("redis", marks=pytest.mark.redis), "filesystem"])
def test_beat_and_worker_poll_on_their_own(broker, tmp_path, redis_url):
    if broker == "redis":
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    accounts = [factories.account(member, Platform.X) for _ in range(3)]
    every_two_seconds, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    # Transactional tests flush every table, the migration's schedules included: make our own.
    PeriodicTask.objects.exclude(name="Poll x").update(enabled=False)
    PeriodicTask.objects.update_or_create(
        name="Poll x",
        defaults={"task": "metrics.tasks.plan_fetch_task", "args": '["x"]', "interval": every_two_seconds},
    )

    with worker(broker_url=_broker(broker, tmp_path, redis_url), tmp_path=tmp_path, beat=True):
        wait_for(
            lambda: FetchRun.objects.filter(platform="x", status="done").count() >= 2,
            timeout=180,
            log_path=tmp_path / "w1.log",
        )

    today = timezone.localdate()
    assert FollowerSnapshot.objects.filter(day=today).count() == len(accounts)
    assert LatestCount.objects.filter(day=today).count() == len(accounts)
    assert all(run.accounts_ok == 3 for run in FetchRun.objects.filter(status="done"))

"""Two beat schedulers started by mistake: still one poll per platform per interval.

Safeguard: a scheduled run claims its (platform, interval slot) in the
database (FetchRun.slot, unique per platform); the second beat's plan finds
the slot taken and plans nothing.
"""

import time

import pytest
from django.db.models import Count
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from legislators.models import Platform
from metrics.models import FetchRun
from tests import factories
from tests.integration.celery_worker import wait_for, worker

from .servers import own_redis

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

INTERVAL = 2  # seconds
WATCH = 12  # seconds of both beats running


def test_two_beats_still_poll_once_per_interval(tmp_path):
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    for _ in range(3):
        factories.account(member, Platform.X)
    every, _ = IntervalSchedule.objects.get_or_create(every=INTERVAL, period=IntervalSchedule.SECONDS)
    # Transactional tests flush every table, the migration's schedules included: make our own.
    PeriodicTask.objects.exclude(name="Poll x").update(enabled=False)
    PeriodicTask.objects.update_or_create(
        name="Poll x", defaults={"task": "metrics.tasks.plan_fetch_task", "args": '["x"]', "interval": every}
    )

    (tmp_path / "second").mkdir()
    with own_redis() as redis:
        with (
            worker(broker_url=redis.url, tmp_path=tmp_path, beat=True, name="beat1"),
            worker(broker_url=redis.url, tmp_path=tmp_path / "second", beat=True, name="beat2"),
        ):
            wait_for(lambda: FetchRun.objects.count() >= 2, timeout=60, log_path=tmp_path / "beat1.log")
            before = FetchRun.objects.count()
            time.sleep(WATCH)
            during = FetchRun.objects.count() - before
        logs = (tmp_path / "beat1.log").read_text() + (tmp_path / "second" / "beat2.log").read_text()

    runs = FetchRun.objects.filter(platform=Platform.X)
    # About one run per interval, although ...
    assert during <= WATCH / INTERVAL + 1, f"{during} runs in {WATCH}s with a {INTERVAL}s interval"
    # ... both beats sent their plans ...
    assert logs.count("Scheduler: Sending due task Poll x") >= 2 * (WATCH // INTERVAL) - 2
    # ... and the later plan of each slot found it taken: at most one run per slot.
    assert "already planned for the slot" in logs or "planned concurrently for the slot" in logs
    assert not runs.values("slot").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert runs.filter(slot__isnull=True).count() == 0
    assert all(run.accounts_ok == 3 for run in runs.filter(status=FetchRun.Status.DONE))

"""A worker killed with SIGKILL in the middle of a batch: the batch is redelivered
to another worker and every account ends with exactly one snapshot for the day.

Safeguards: tasks are acknowledged late (acks_late), so a task whose worker
dies unacknowledged goes back to the queue (after the broker's visibility
timeout, shortened here); a redelivered batch overwrites the (account, day)
row and the run recomputes its figures from its batches.
"""

import time

import pytest
from django.db.models import Count
from django.utils import timezone

from legislators.models import Platform
from metrics.models import FetchBatch, FetchRun, FollowerSnapshot, LatestCount
from metrics.polling import runs
from metrics.polling.tasks import fetch_batch_task
from tests import factories
from tests.integration.celery_worker import wait_for, worker

from .conftest import send
from .servers import kill_process_group, own_redis

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

ACCOUNTS, BATCH = 12, 4


def test_sigkilled_worker_mid_batch_is_redelivered_and_each_account_has_one_snapshot(tmp_path, settings):
    settings.FETCH_BATCH_SIZE = BATCH
    settings.FOLLOWER_CLIENT = "demo"
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    accounts = [factories.account(member, Platform.X) for _ in range(ACCOUNTS)]
    run = runs.fetch_run_plan(platform=Platform.X)
    batch_ids = list(run.batches.values_list("pk", flat=True))
    assert len(batch_ids) == ACCOUNTS // BATCH
    slow = {"DEMO_CLIENT_DELAY_SECONDS": "4", "CELERY_VISIBILITY_TIMEOUT": "3"}

    with own_redis() as redis:
        for batch_id in batch_ids:
            send(fetch_batch_task, [batch_id], broker_url=redis.url)
        with worker(broker_url=redis.url, tmp_path=tmp_path, extra_env=slow, name="doomed") as doomed:
            # Kill it while a batch is being fetched (attempt counted, nothing recorded yet).
            wait_for(
                lambda: FetchBatch.objects.filter(run=run, attempts=1, status="pending").exists(),
                timeout=60,
                interval=0.2,
                log_path=tmp_path / "doomed.log",
            )
            time.sleep(1)
            kill_process_group(doomed)
        killed = FetchBatch.objects.get(run=run, attempts=1, status="pending")
        assert not FollowerSnapshot.objects.filter(account_id__in=killed.account_ids).exists()
        # A worker looks for unacknowledged messages older than the visibility
        # timeout when it starts (then only every ~100 s): start the survivor
        # once the killed batch's message is old enough to be given back.
        time.sleep(int(slow["CELERY_VISIBILITY_TIMEOUT"]) + 1)

        with worker(broker_url=redis.url, tmp_path=tmp_path, extra_env=slow, name="survivor"):
            wait_for(
                lambda: FetchRun.objects.get(pk=run.pk).status == FetchRun.Status.DONE,
                timeout=90,
                log_path=tmp_path / "survivor.log",
            )

    run.refresh_from_db()
    killed.refresh_from_db()
    assert killed.status == FetchBatch.Status.DONE and killed.attempts == 2  # redelivered once
    assert run.accounts_ok == ACCOUNTS and run.accounts_failed == 0 and run.batches_done == len(batch_ids)
    today = timezone.localdate()
    per_account = dict(
        FollowerSnapshot.objects.filter(day=today)
        .values_list("account")
        .annotate(n=Count("pk"))
        .values_list("account", "n")
    )
    assert per_account == {account.pk: 1 for account in accounts}
    assert LatestCount.objects.filter(day=today).count() == ACCOUNTS

"""A platform that accepts the connection and never answers: the HTTP timeout
fires, the run records the failure, and the worker is free for the next poll.

NOTE for the merge with the real platform clients (issue 3): this test
reaches the "platform" through the demo client's test hook
(DEMO_CLIENT_PROBE_URL: one requests.get per batch with
PLATFORM_HTTP_TIMEOUT). Point it at the real clients by setting their API
base URL (e.g. the YouTube Data API base) to the hanging server instead and
FOLLOWER_CLIENT=live; when those clients retry timeouts, the run records the
failure after the retries, so widen the time bound by their backoff.
"""

import time

import pytest
from django.utils import timezone

from legislators.models import Platform
from metrics.models import FetchRun, FollowerSnapshot
from metrics.tasks import plan_fetch_task
from tests import factories
from tests.integration.celery_worker import wait_for, worker

from .conftest import send
from .servers import hanging_http_server, own_redis

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 2  # seconds: PLATFORM_HTTP_TIMEOUT in the worker


def test_a_platform_that_never_answers_times_out_and_frees_the_worker(tmp_path):
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    tube = factories.account(member, Platform.YOUTUBE)
    x = factories.account(member, Platform.X)

    with hanging_http_server({"/youtube"}) as platform_url, own_redis() as redis:
        env = {"DEMO_CLIENT_PROBE_URL": platform_url, "PLATFORM_HTTP_TIMEOUT": str(TIMEOUT)}
        # One worker process, one task at a time: a hung YouTube poll would block the X poll behind it.
        with worker(broker_url=redis.url, tmp_path=tmp_path, extra_env=env, concurrency=1):
            asked = time.monotonic()
            send(plan_fetch_task, ["youtube"], broker_url=redis.url)
            send(plan_fetch_task, ["x"], broker_url=redis.url)
            wait_for(
                lambda: FetchRun.objects.filter(platform="x", status=FetchRun.Status.DONE).exists(),
                timeout=60,
                log_path=tmp_path / "w1.log",
            )
            both_done = time.monotonic() - asked

    hung = FetchRun.objects.get(platform="youtube")
    assert hung.status == FetchRun.Status.FAILED
    assert hung.accounts_failed == 1 and hung.accounts_ok == 0
    assert any("timed out" in error.lower() for error in hung.errors), hung.errors
    assert (hung.finished_at - hung.started_at).total_seconds() < TIMEOUT + 10
    assert both_done < 45
    today = timezone.localdate()
    assert not FollowerSnapshot.objects.filter(account=tube, day=today).exists()  # no invented number
    assert FollowerSnapshot.objects.filter(account=x, day=today).count() == 1

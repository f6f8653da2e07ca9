"""A platform that accepts the connection and never answers: the HTTP timeout
fires, the run records the failure, and the worker is free for the next poll.

The worker runs the real clients (FOLLOWER_CLIENT=live): YouTube's API base
points at a server that never answers, X's at the fake X v2 server. Retries
of timeouts are turned off (FETCH_TRANSIENT_RETRIES=0) so the failure is
recorded after one timeout.
"""

import time

import pytest
from django.utils import timezone

from legislators.models import Platform
from metrics.models import FetchRun, FollowerSnapshot
from metrics.polling.tasks import plan_fetch_task
from tests import factories
from tests.fake_x import FakeX
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
    tube = factories.account(member, Platform.YOUTUBE, platform_id="UC" + "a" * 22)
    x = factories.account(member, Platform.X, handle="answers", platform_id="4242")
    fake_x = FakeX().start()
    fake_x.add_user(4242, "answers", followers=1234)

    with hanging_http_server({"/youtube"}) as platform_url, own_redis() as redis:
        env = {
            "FOLLOWER_CLIENT": "live",
            "YOUTUBE_API_KEY": "test-youtube-key",
            "YOUTUBE_API_BASE_URL": f"{platform_url}youtube/v3",
            "X_BEARER_TOKEN": "test-x-bearer-token",
            "X_API_BASE_URL": fake_x.url,
            "PLATFORM_HTTP_TIMEOUT": str(TIMEOUT),
            "FETCH_TRANSIENT_RETRIES": "0",
        }
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
    fake_x.stop()

    hung = FetchRun.objects.get(platform="youtube")
    assert hung.status == FetchRun.Status.FAILED
    assert hung.accounts_failed == 1 and hung.accounts_ok == 0
    assert any("timed out" in error.lower() for error in hung.errors), hung.errors
    assert (hung.finished_at - hung.started_at).total_seconds() < TIMEOUT + 10
    assert both_done < 45
    today = timezone.localdate()
    assert not FollowerSnapshot.objects.filter(account=tube, day=today).exists()  # no invented number
    assert FollowerSnapshot.objects.filter(account=x, day=today).count() == 1

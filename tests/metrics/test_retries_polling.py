"""Retries and counting against the fake X, Graph and YouTube servers: every HTTP
attempt is counted (the platforms' quotas count them), the retry history stays
on the batch after a successful retry, rate-limit waits and 5xx retries have
their own counters and limits, waits carry jitter, and the Redis visibility
timeout is derived from how long a batch task may hold its message."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from legislators.models import Platform
from metrics.models import FetchBatch, FetchRun, LatestCount
from metrics.polling import runs
from metrics.polling.budget import reset_local_budgets
from metrics.polling.clients import RateLimited, TransientError, UnusableReply
from tests import factories
from tests.fake_graph import graph_error
from tests.fake_youtube import youtube_error

pytestmark = pytest.mark.django_db
A = "UCaaaaaaaaaaaaaaaaaaaaaa"
B = "UCbbbbbbbbbbbbbbbbbbbbbb"
X_429 = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
X_500 = {"title": "Internal Server Error", "detail": "Internal Server Error", "status": 500}
GRAPH_500 = graph_error(2, "An unexpected error has occurred. Please retry your request later.", is_transient=True)


def _poll(platform):
    call_command("fetch_followers", platform=[platform], sync=True)
    return FetchRun.objects.get(platform=platform)


def _settle(batch_id):
    """The worker's retry policy through the services, without waiting: the
    time the platform asked for passes between attempts. Returns the waits."""
    waits = []
    while True:
        try:
            runs.fetch_batch(batch_id=batch_id)
            return waits
        except Exception as exc:
            delay = runs.batch_attempt_failed(batch_id=batch_id, error=exc)
            if delay is None:
                return waits
            waits.append(delay)
            reset_local_budgets()  # the pause is over


def _x_accounts(fake, count):
    member = factories.legislator()
    for n in range(count):
        fake.add_user(1000 + n, f"member_{1000 + n}", followers=10 * (1000 + n))
        factories.account(member, platform=Platform.X, handle=f"member_{1000 + n}", platform_id=str(1000 + n))


def _pages(fake, count):
    member = factories.legislator()
    for n in range(count):
        fake.add_page(str(5000 + n), f"page.number{n}", followers=100 + n)
        factories.account(member, platform=Platform.FACEBOOK, handle=f"page.number{n}", platform_id=str(5000 + n))


def _professionals(fake, count):
    member = factories.legislator()
    for n in range(count):
        fake.add_professional(17841400000000000 + n, f"member.{n}", followers=2000 + n)
        factories.account(member, platform=Platform.INSTAGRAM, handle=f"member.{n}")


def _channels(fake, *channel_ids):
    member = factories.legislator()
    for n, channel_id in enumerate(channel_ids):
        fake.add_channel(channel_id, handle=f"channel{n}")
        factories.account(member, platform=Platform.YOUTUBE, handle=f"channel{n}", platform_id=channel_id)


def _assert_429_then_500_then_200(batch, *, calls, rate_limit_wait):
    assert batch.status == FetchBatch.Status.DONE
    assert (batch.attempts, batch.api_calls) == (3, calls)
    assert (batch.rate_limit_waits, batch.transient_retries) == (1, 1)
    waited, backed_off = batch.retry_history
    assert (waited["attempt"], backed_off["attempt"]) == (1, 2)
    assert waited["error"].startswith("RateLimited") and backed_off["error"].startswith("TransientError")
    assert rate_limit_wait <= waited["wait"] <= rate_limit_wait * 1.2
    assert backed_off["wait"] == 0  # FETCH_RETRY_BASE_SECONDS = 0 in these tests
    assert batch.last_attempt_error == ""  # no retry waiting; the history keeps the trace


def test_x_429_then_500_then_200_counts_each_attempt_and_keeps_the_waits_apart(fake_x, settings):
    # One retry of each kind allowed: with one shared counter the 500 would end the batch.
    settings.FETCH_RATE_LIMIT_RETRIES = 1
    settings.FETCH_TRANSIENT_RETRIES = 1
    _x_accounts(fake_x, 3)
    fake_x.queue(429, X_429, headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(time.time()))})
    fake_x.queue(500, X_500)

    run = _poll("x")

    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 3
    assert run.api_calls == len(fake_x.lookup_calls()) == 3
    _assert_429_then_500_then_200(run.batches.get(), calls=3, rate_limit_wait=1)


def test_facebook_throttle_then_500_then_200(fake_graph):
    _pages(fake_graph, 2)
    regain = {"5000": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 1}]}
    fake_graph.queue(
        400,
        graph_error(32, "(#32) Page request limit reached"),
        headers={"X-Business-Use-Case-Usage": str(regain).replace("'", '"')},
    )
    fake_graph.queue(500, GRAPH_500)
    run = runs.fetch_run_plan(platform="facebook")
    _settle(run.batches.get().pk)
    run.refresh_from_db()
    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 2
    assert run.api_calls == len(fake_graph.calls) == 3
    _assert_429_then_500_then_200(run.batches.get(), calls=3, rate_limit_wait=60)


def test_instagram_throttle_then_500_then_200_resumes_where_it_stopped(fake_graph):
    _professionals(fake_graph, 3)
    fake_graph.script(2, 400, graph_error(17, "(#17) User request limit reached"))  # after member.0
    fake_graph.script(4, 500, GRAPH_500)  # after member.1
    run = runs.fetch_run_plan(platform="instagram")
    _settle(run.batches.get().pk)
    run.refresh_from_db()
    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 3
    assert run.api_calls == len(fake_graph.calls) == 5  # 1 + refused, 1 + 500, then the last one
    _assert_429_then_500_then_200(run.batches.get(), calls=5, rate_limit_wait=600)  # no usage header: 10 min


def test_youtube_rate_limit_then_503_then_200(fake_youtube):
    _channels(fake_youtube, A, B)
    message = "The request cannot be completed because you have exceeded your quota."
    fake_youtube.queue(403, youtube_error(403, "rateLimitExceeded", message, domain="usageLimits"))
    fake_youtube.queue(503, youtube_error(503, "backendError", "Backend Error"))
    run = runs.fetch_run_plan(platform="youtube")
    _settle(run.batches.get().pk)
    run.refresh_from_db()
    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 2
    assert run.api_calls == len(fake_youtube.calls) == 3
    _assert_429_then_500_then_200(run.batches.get(), calls=3, rate_limit_wait=60)


def test_rate_limits_and_server_errors_each_have_their_own_limit(fake_x, settings):
    settings.FETCH_RATE_LIMIT_RETRIES = 2
    settings.FETCH_TRANSIENT_RETRIES = 0
    _x_accounts(fake_x, 2)
    now = str(int(time.time()))
    for _ in range(2):
        fake_x.queue(429, X_429, headers={"x-rate-limit-reset": now})
    fake_x.queue(500, X_500)
    run = runs.fetch_run_plan(platform="x")
    _settle(run.batches.get().pk)
    batch = FetchBatch.objects.get()
    assert batch.status == FetchBatch.Status.FAILED  # two waits were allowed, no 5xx retry
    assert (batch.attempts, batch.api_calls, batch.rate_limit_waits, batch.transient_retries) == (3, 3, 2, 0)
    assert [entry["wait"] is None for entry in batch.retry_history] == [False, False, True]
    assert "server error HTTP 500" in batch.errors[-1]


@pytest.mark.parametrize("platform", ["x", "facebook", "instagram", "youtube"])
def test_every_http_attempt_is_counted_on_the_run(platform, fake_x, fake_graph, fake_youtube, settings):
    """Attempts that ended in a timeout, a 5xx, an unusable reply or a failed batch count, as the quotas count them."""
    settings.PLATFORM_HTTP_TIMEOUT = 1
    settings.FETCH_TRANSIENT_RETRIES = 2
    fake = {"x": fake_x, "facebook": fake_graph, "instagram": fake_graph, "youtube": fake_youtube}[platform]
    if platform == "x":
        _x_accounts(fake_x, 150)  # two batches
        fake_x.add_user(9999, "ghost", 1)
        del fake_x.users["9999"]
    elif platform == "facebook":
        _pages(fake_graph, 60)  # two batches
        factories.account(factories.legislator(), platform=Platform.FACEBOOK, handle="ghost.page")
    elif platform == "instagram":
        _professionals(fake_graph, 30)  # two batches
    else:
        _channels(fake_youtube, A, B)
        factories.account(factories.legislator(), platform=Platform.YOUTUBE, handle="@someone")
    fake.delays = [1.5]  # the first call times out
    fake.script(2, 500, {"error": {"code": 500, "message": "boom"}})
    fake.script(3, 200, b"not json")
    # Then as many replies of the wrong shape as a batch has attempts: a batch gives up.
    for _ in range(settings.FETCH_TRANSIENT_RETRIES + 1):
        fake.queue(200, [])

    try:
        _poll(platform)
    except Exception:  # the batch that gave up makes the command exit non-zero
        pass

    run = FetchRun.objects.get(platform=platform)
    assert run.status != FetchRun.Status.RUNNING
    assert run.batches.filter(status=FetchBatch.Status.FAILED).exists()
    assert run.api_calls == len(fake.calls)
    assert run.api_calls == sum(run.batches.values_list("api_calls", flat=True))


def test_waits_have_jitter_and_stay_bounded(settings):
    settings.FETCH_RETRY_BASE_SECONDS = 10
    settings.FETCH_TRANSIENT_RETRIES = 3
    settings.FETCH_RATE_LIMIT_RETRIES = 2
    settings.FETCH_MAX_RETRY_WAIT = 300
    backoffs = [runs.retry_delay(TransientError("x"), previous_retries=2) for _ in range(50)]
    assert all(40 <= wait <= 48 for wait in backoffs) and len(set(backoffs)) > 1
    assert 10 <= runs.retry_delay(UnusableReply("x"), previous_retries=0) <= 12
    assert runs.retry_delay(TransientError("x"), previous_retries=3) is None
    waits = [runs.retry_delay(RateLimited("x", 100), previous_retries=1) for _ in range(50)]
    assert all(100 <= wait <= 120 for wait in waits) and len(set(waits)) > 1
    assert runs.retry_delay(RateLimited("x", 100), previous_retries=2) is None
    assert runs.retry_delay(RateLimited("x", 301)) is None  # longer than we hold a retry: fail, saying until when


def _broker_options(**env):
    unset = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_VISIBILITY_TIMEOUT", "FETCH_MAX_RETRY_WAIT")
    full = {k: v for k, v in os.environ.items() if k not in unset + ("CELERY_TASK_TIME_LIMIT",)}
    full.update(env, DJANGO_SETTINGS_MODULE="follower_tracker.settings", CELERY_BROKER_URL="redis://127.0.0.1:6379/11")
    script = "import django; django.setup(); from django.conf import settings as s; "
    script += "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.FETCH_BATCH_MAX_SECONDS)"
    result = subprocess.run(
        [sys.executable, "-c", script], env=full, capture_output=True, text=True, cwd=django_settings.BASE_DIR
    )
    assert result.returncode == 0, result.stderr
    return [int(value) for value in result.stdout.split()]


def test_the_visibility_timeout_is_derived_from_the_longest_a_batch_holds_its_message():
    # Defaults: a retry held up to 960 s × 1.2 until its ETA, an attempt up to 600 s, a minute of margin.
    assert _broker_options() == [1812, 1752]
    assert _broker_options(FETCH_MAX_RETRY_WAIT="60", CELERY_TASK_TIME_LIMIT="120") == [252, 192]
    # CELERY_VISIBILITY_TIMEOUT still overrides it: the worker tests set 3 s to see a redelivery.


def test_a_successful_retry_keeps_the_trace_of_the_failure(fake_x):
    _x_accounts(fake_x, 2)
    fake_x.queue(500, X_500)
    run = _poll("x")
    batch = run.batches.get()
    assert batch.status == FetchBatch.Status.DONE and batch.errors == []
    assert [entry["error"] for entry in batch.retry_history] == ["TransientError: x: server error HTTP 500"]
    assert LatestCount.objects.count() == 2

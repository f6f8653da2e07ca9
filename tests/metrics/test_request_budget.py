"""The per-platform request budget shared by every worker, and redaction."""

import pytest

from follower_tracker.logging import redact
from metrics.polling.budget import RequestBudget


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def _pair(redis_url, clock):
    """Two budgets for the same platform, as two worker processes would hold."""
    return (
        RequestBudget("x", limit=3, window=60, redis_url=redis_url, clock=clock),
        RequestBudget("x", limit=3, window=60, redis_url=redis_url, clock=clock),
    )


def _check_shared(first, second, clock):
    assert [first.spend(), second.spend(), first.spend()] == [0, 0, 0]
    assert second.spend() == 50  # the 4th request in the window waits for the next one
    clock.now += 50
    assert first.spend() == 0  # a new window
    first.pause_until(clock.now + 30)  # one worker saw a 429 ...
    assert second.spend() == 30  # ... every worker waits
    assert second.paused_for() == 30


@pytest.mark.redis
def test_workers_share_one_budget_in_redis(redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    clock = Clock(6000 + 10)
    _check_shared(*_pair(redis_url, clock), clock)
    redis.Redis.from_url(redis_url).flushdb()


def test_without_redis_the_process_keeps_the_budget():
    clock = Clock(6000 + 10)
    _check_shared(*_pair("", clock), clock)


def test_a_pause_is_never_shortened():
    clock = Clock(1000)
    budget = RequestBudget("youtube", redis_url="", clock=clock)
    budget.pause_until(5000)
    budget.pause_until(1100)
    assert budget.paused_for() == 4000


def test_credentials_are_redacted_from_stored_text(settings):
    settings.X_BEARER_TOKEN = "AAAA-secret-bearer"
    text = (
        "GET https://graph.facebook.com/v26.0/?ids=1&access_token=EAAB123 failed; key=AIzaXYZ; "
        "Authorization: Bearer AAAA-secret-bearer"
    )
    cleaned = redact(text)
    assert "EAAB123" not in cleaned and "AIzaXYZ" not in cleaned and "AAAA-secret-bearer" not in cleaned
    assert "access_token=[redacted]" in cleaned

"""A request budget per platform, shared by every worker.

Each platform allows so many requests per window (X: 300 user lookups per 15
minutes per app). The count lives in Redis when there is one, so adding
workers never adds requests: every worker spends from the same counter. A
platform that said "wait" (a 429, a Graph throttle, YouTube's daily quota) is
paused for everyone until the time it gave.

Without Redis (the embedded filesystem broker of ``make run``) each process
keeps its own count: the embedded mode runs one worker, so this is the same.
"""

import threading
import time

from django.conf import settings

_local_lock = threading.Lock()
_local_counts = {}
_local_blocks = {}


def _redis(url):
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


class RequestBudget:
    def __init__(self, platform, *, limit=None, window=None, redis_url=None, clock=time.time):
        default_limit, default_window = settings.PLATFORM_REQUEST_BUDGETS[platform]
        self.platform = platform
        self.limit = limit or default_limit
        self.window = window or default_window
        self.redis_url = settings.PLATFORM_BUDGET_REDIS_URL if redis_url is None else redis_url
        self.clock = clock
        self._client = None

    @property
    def _r(self):
        if self._client is None:
            self._client = _redis(self.redis_url)
        return self._client

    def _key(self, suffix):
        return f"follower-tracker:budget:{self.platform}:{suffix}"

    def spend(self):
        """Take one request from the budget. Returns 0 when granted, or the
        seconds to wait (nothing taken) when the budget or a pause says no."""
        now = self.clock()
        wait = self.paused_for(now=now)
        if wait > 0:
            return wait
        window_index = int(now // self.window)
        window_end = (window_index + 1) * self.window
        if self.redis_url:
            key = self._key(f"w{window_index}")
            pipe = self._r.pipeline()
            pipe.incr(key)
            pipe.expire(key, self.window * 2)
            used = pipe.execute()[0]
        else:
            with _local_lock:
                key = (self.platform, window_index)
                used = _local_counts[key] = _local_counts.get(key, 0) + 1
        if used > self.limit:
            return max(1.0, window_end - now)
        return 0

    def pause_until(self, epoch):
        """Make every worker wait until ``epoch`` (never shortens a longer pause)."""
        if self.redis_url:
            key = self._key("paused-until")
            current = self._r.get(key)
            if current is None or float(current) < epoch:
                ttl = max(1, int(epoch - self.clock()) + 1)
                self._r.set(key, repr(float(epoch)), ex=ttl)
        else:
            with _local_lock:
                _local_blocks[self.platform] = max(epoch, _local_blocks.get(self.platform, 0))

    def paused_for(self, *, now=None):
        now = now or self.clock()
        if self.redis_url:
            value = self._r.get(self._key("paused-until"))
            until = float(value) if value is not None else 0
        else:
            until = _local_blocks.get(self.platform, 0)
        return max(0.0, until - now)


def reset_local_budgets():
    """Forget the in-process counts (tests)."""
    with _local_lock:
        _local_counts.clear()
        _local_blocks.clear()

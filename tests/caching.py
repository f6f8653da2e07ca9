"""Point the default cache at a Redis (the CI's, or one where nothing listens) for a test."""

from django.core.cache import caches

NOTHING_LISTENS = "redis://127.0.0.1:9/0"


def default_cache_on_redis(settings, location, *, timeout=None):
    """The default cache (rendered pages and charts, sessions) on the Redis at ``location``; ``timeout``: its
    connect and socket timeouts in seconds (short, for a Redis that is down). Returns the cache, emptied."""
    backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    if timeout is not None:
        backend["OPTIONS"] = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    settings.CACHES = {**settings.CACHES, "default": backend}
    if location != NOTHING_LISTENS:
        caches["default"].clear()
    return caches["default"]

"""Rendered chart figures kept in Django's cache (Redis in production, local memory by default).

A figure that changes only when the counts change (the overview's and a district's distribution
of shares, the overview's "meeting the target, week by week") is built once per

- data version (``metrics.standings.freshness.data_version``, the API's ETag's too: one query of index
  look-ups; a fetch run started or finished, a batch of counts recorded, an audited write such as a count
  entered by hand or imported, a new member, account, voter roll or target gives a new one),
- day (the growth windows move at midnight),
- language (the figure's labels are translated),
- scope of the user (``legislators.access.scope_key``: a division- or district-limited user
  never gets a chart drawn from members outside that scope),
- and the filters the figure depends on,

and read from the cache by every later request with the same key, for at most
``settings.CHART_CACHE_SECONDS``. A cache that cannot be reached (Redis down) only
costs the build: the figure is drawn afresh and the page is served.
"""

import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from redis.exceptions import RedisError

from legislators.access import scope_key
from metrics.standings.engine import today
from metrics.standings.freshness import data_version

logger = logging.getLogger(__name__)
KEY_VERSION = 1  # bump when a figure's shape changes, so no process reads an older one


class ChartCache:
    """The figures of one request: the data version is read once, on the first figure asked for."""

    def __init__(self, *, user, filters, version=None):
        """``version``: the data version's fingerprint when the request has read it already (the page cache)."""
        self.scope = scope_key(user)
        self.filters = filters
        self._version = version

    def key(self, name, filters):
        if self._version is None:
            self._version = data_version().fingerprint
        chosen = json.dumps(filters, sort_keys=True, default=str)
        digest = hashlib.sha256(
            f"{self._version}|{today().isoformat()}|{translation.get_language()}|{self.scope}|{chosen}".encode()
        ).hexdigest()[:32]
        return f"chart:{KEY_VERSION}:{name}:{digest}"

    def figure(self, name, build, *, only=None):
        """``build()``'s figure (None included), from the cache when drawn before with the same key.

        ``only``: the names of the filters the figure depends on (default: every filter).
        """
        filters = self.filters if only is None else {name: self.filters.get(name) for name in only}
        key = self.key(name, filters)
        try:
            kept = cache.get(key)
        except (RedisError, OSError):
            logger.warning("Chart cache unavailable: drawing %s afresh", name, exc_info=True)
            return build()
        if kept is not None:
            return kept[0]
        figure = build()
        try:
            cache.set(key, (figure,), settings.CHART_CACHE_SECONDS)
        except (RedisError, OSError):
            logger.warning("Chart cache unavailable: %s not kept", name, exc_info=True)
        return figure

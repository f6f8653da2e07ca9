"""Rendered dashboard pages kept in Django's cache between two changes of the data (issue 14).

Within a poll interval every official who opens the overview sees the same page as the one before: same
counts, same standings, same charts. The first request after a change renders the page; the later ones
with the same key read its rendered title and main content from the cache (Redis in production, shared by
every web worker; each process's memory by default) and run none of the page's queries. The key is

- the data version (``metrics.standings.freshness.data_version``: a fetch run started or finished, a batch
  of counts recorded, an audited write such as a count entered by hand, an import, an admin edit, a new
  member, account, voter roll or target each give a new one),
- the day (the growth windows move at midnight),
- the language,
- the user's scope (``legislators.access.scope_key``) and permissions (a user who may export sees the
  download links, one who may not does not),
- the page and its full query string (filters, sort, page number, "as on" date).

What differs per request is never cached: the top bar (its CSRF tokens, the search box, the user's links)
and the messages are rendered every time around the cached parts. Only a complete 200 page is kept: a bad
filter, a 404 or an error is rendered afresh each time. A cache that cannot be reached (Redis down) costs
the render, never the page. ``settings.PAGE_CACHE_SECONDS`` bounds how long a page is kept (0: never),
for the writes the data version does not see (a change made outside the app, e.g. in a database shell).

The parts are marked in ``templates/base.html`` with ``{% page_part "title" %}`` and
``{% page_part "content" %}`` (``metrics.web.templatetags.tracker``): on a miss they render and are
collected here; on a hit they print what was kept.
"""

import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import translation
from redis.exceptions import RedisError

from legislators.access import scope_key
from metrics.standings.engine import today
from metrics.standings.freshness import data_version

logger = logging.getLogger(__name__)
KEY_VERSION = 1  # bump when a page's markup changes in a way an older worker's kept copy must not be served
PARTS = ("title", "content")
CONTEXT_NAME = "page_cache"


class PageCache:
    """One request's page: ``kept`` (the parts read from the cache, or None) and, on a miss, the parts the
    template renders (``parts``), stored by ``render``."""

    def __init__(self, request, name, template_name):
        self.request = request
        self.name = name
        self.template_name = template_name
        self.version = None
        self.parts = {}
        self.kept = None
        if settings.PAGE_CACHE_SECONDS <= 0:
            self.key = None
            return
        self.version = data_version().fingerprint
        self.key = self._key()
        try:
            kept = cache.get(self.key)
        except (RedisError, OSError):
            logger.warning("Page cache unavailable: rendering %s afresh", name, exc_info=True)
            kept = None
        if isinstance(kept, dict) and set(kept) == set(PARTS):
            self.kept = kept

    def _key(self):
        user = self.request.user
        permissions = ",".join(sorted(user.get_all_permissions()))  # already read by the view's permission check
        who = f"{scope_key(user)}|{int(user.is_staff)}{int(user.is_superuser)}|{permissions}"
        text = "|".join(
            (self.version, today().isoformat(), translation.get_language() or "", who, self.request.get_full_path())
        )
        return f"page:{KEY_VERSION}:{self.name}:{hashlib.sha256(text.encode()).hexdigest()[:40]}"

    def render(self, context=None):
        """The page: from the kept parts when there are any (``context`` is then not needed), else rendered
        from ``context`` and its title and content kept for the next request with the same key."""
        context = dict(context or {})
        context[CONTEXT_NAME] = self
        response = render(self.request, self.template_name, context)
        if self.kept is None and self.key is not None and response.status_code == 200 and set(self.parts) == set(PARTS):
            try:
                cache.set(self.key, dict(self.parts), settings.PAGE_CACHE_SECONDS)
            except (RedisError, OSError):
                logger.warning("Page cache unavailable: %s not kept", self.name, exc_info=True)
        return response

    def part(self, name, render_part):
        """The HTML of one marked part: the kept copy on a hit, else ``render_part()`` (collected)."""
        if self.kept is not None:
            return self.kept[name]
        html = render_part()
        self.parts[name] = html
        return html


def cached_page(name, template_name):
    """A view whose page is kept: served from the kept parts when there are any (the view is not called),
    else the view runs with ``cached`` (this request's PageCache), whose ``render(context)`` it returns.
    Goes under the login and permission checks, which every request passes first."""

    def decorate(view):
        @functools.wraps(view)
        def page(request, *args, **kwargs):
            cached = PageCache(request, name, template_name)
            if cached.kept:
                return cached.render()
            return view(request, *args, cached=cached, **kwargs)

        return page

    return decorate

"""Who may ask the API, and how often.

The permissions are the pages': ``metrics.view_dashboard`` for everything,
``metrics.view_freshness`` for fetch runs and freshness, and
``metrics.export_reports`` for CSV and Parquet (as for the page downloads).
Scope (divisions/districts) is applied by the selectors, as on the pages.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from rest_framework import permissions, throttling

from metrics.models import ApiToken

logger = logging.getLogger(__name__)

FILE_FORMATS = ("csv", "parquet")


class CanViewDashboard(permissions.BasePermission):
    """view_dashboard, plus the view's ``required_permissions``, plus export_reports for a file format."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        needed = ["metrics.view_dashboard", *getattr(view, "required_permissions", ())]
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is not None and renderer.format in FILE_FORMATS:
            needed.append("metrics.export_reports")
        return user.has_perms(needed)


class ApiRateThrottle(throttling.SimpleRateThrottle):
    """settings.API_THROTTLE_RATE per token (per user for the browser's session); 429 with Retry-After.

    Counted in the "api-throttle" cache (Redis when configured, shared by
    every worker). When that cache is down the API keeps answering: the
    limit fails open, with a warning in the log.
    """

    scope = "api"

    @property
    def cache(self):
        return caches["api-throttle"]

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the counter's store (Redis) is unreachable
            logger.warning("API throttle: the request counter is unavailable; request allowed", exc_info=True)
            return True

"""/healthz: is the database reachable, is the broker reachable. Nothing else.

No login (load balancers and monitors call it), no version, no host names,
no error text: only "ok" or "error" for each, 200 when both are ok, else 503.
Both checks give up after a few seconds.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        logger.warning("Health check: database unreachable", exc_info=True)
        connection.close()  # the next request opens a fresh one
        return False


def broker_ok():
    from follower_tracker.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
            # Opening a channel is what makes the Redis transport talk to the server (PING).
            conn.default_channel  # noqa: B018
        return True
    except Exception:
        logger.warning("Health check: broker unreachable", exc_info=True)
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": "ok" if database_ok() else "error", "broker": "ok" if broker_ok() else "error"}
    status = 200 if all(value == "ok" for value in checks.values()) else 503
    return JsonResponse(checks, status=status)

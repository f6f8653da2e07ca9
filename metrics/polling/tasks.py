"""Celery tasks of polling: thin, idempotent, primitives in, one service call each.

Their names stay "metrics.tasks.…": the beat schedules stored by data
migrations (and any task queued before an upgrade) name them so.

plan_fetch_task(platform) → a FetchRun split into batches → one
fetch_batch_task(batch_id) per batch, enqueued after the plan commits.
"""

import logging

from celery import shared_task
from django import db
from django.db import transaction

from legislators.models import Platform
from metrics.audience.connections import connections_refresh_due

from . import geography
from . import runs as services
from .clients import ClientUnavailable, PlatformError

logger = logging.getLogger(__name__)


@shared_task(name="metrics.tasks.plan_fetch_task", acks_late=True, bind=True)
def plan_fetch_task(self, platform, account_ids=None):
    if platform not in Platform.values:
        logger.error("Unknown platform %r: nothing planned", platform)
        return None
    # A poll sent by beat carries its schedule's name (django-celery-beat sets
    # the header): such a run claims its interval slot, so two beats running
    # by mistake still poll once per interval. A poll asked for by hand has no slot.
    schedule_name = getattr(self.request, "periodic_task_name", None) or (self.request.headers or {}).get(
        "periodic_task_name"
    )
    interval_seconds = _schedule_interval_seconds(schedule_name)
    run = services.fetch_run_plan(platform=platform, account_ids=account_ids, interval_seconds=interval_seconds)
    if run is None:
        return None
    batch_ids = list(run.batches.values_list("pk", flat=True))
    transaction.on_commit(lambda: [fetch_batch_task.delay(batch_id) for batch_id in batch_ids])
    return run.pk


@shared_task(name="metrics.tasks.fetch_batch_task", acks_late=True, bind=True, max_retries=None)
def fetch_batch_task(self, batch_id):
    """Fetch one batch. A rate limit or a 5xx retries the task after the
    platform's reset or an exponential backoff (``services.retry_delay`` bounds
    both); the worker never sleeps. Anything else settles the batch with the
    reason recorded."""
    return _fetch_with_retries(self, batch_id, services.fetch_batch)


def _fetch_with_retries(task, batch_id, fetch):
    try:
        batch = fetch(batch_id=batch_id)
    except Exception as exc:
        if _is_transient(exc):
            # The connection may be the casualty (PostgreSQL restarted): drop
            # it, so the retry, or the failure record, opens a fresh one.
            try:
                db.connection.close()
            except Exception:  # already gone: nothing to close
                logger.debug("Closing a broken connection failed", exc_info=True)
        delay = services.batch_attempt_failed(batch_id=batch_id, error=exc)
        if delay is not None:
            raise task.retry(countdown=delay) from None
        if isinstance(exc, services.UnexpectedClientError):
            raise exc.__cause__ from None  # recorded on the run; the bug's traceback goes to the worker's log
        if isinstance(exc, PlatformError | ClientUnavailable):
            return None  # expected and recorded on the run: no traceback
        raise
    return batch.pk if batch else None


@shared_task(name="metrics.tasks.plan_geography_task", acks_late=True, bind=True)
def plan_geography_task(self, platform, account_ids=None):
    """The weekly audience-geography poll of ``platform``'s connected accounts (twin: ``fetch_geography``)."""
    schedule_name = getattr(self.request, "periodic_task_name", None) or (self.request.headers or {}).get(
        "periodic_task_name"
    )
    run = geography.geography_run_plan(
        platform=platform, account_ids=account_ids, interval_seconds=_schedule_interval_seconds(schedule_name)
    )
    if run is None:
        return None
    batch_ids = list(run.batches.values_list("pk", flat=True))
    transaction.on_commit(lambda: [fetch_geography_batch_task.delay(batch_id) for batch_id in batch_ids])
    return run.pk


@shared_task(name="metrics.tasks.fetch_geography_batch_task", acks_late=True, bind=True, max_retries=None)
def fetch_geography_batch_task(self, batch_id):
    return _fetch_with_retries(self, batch_id, geography.geography_fetch_batch)


@shared_task(name="metrics.tasks.refresh_connections_task", acks_late=True)
def refresh_connections_task():
    """Daily: refresh the connected tokens that expire soon (twin: ``refresh_connections``)."""
    done, failed = connections_refresh_due()
    return {"refreshed": done, "failed": failed}


@shared_task(name="metrics.tasks.plan_all_platforms_task", acks_late=True)
def plan_all_platforms_task():
    for platform in Platform.values:
        plan_fetch_task.delay(platform)


def _schedule_interval_seconds(periodic_task_name):
    """The interval of the beat schedule that sent this task, in seconds (None: not an interval schedule)."""
    if not periodic_task_name:
        return None
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.select_related("interval").filter(name=periodic_task_name).first()
    if task is None or task.interval is None:
        return None
    return max(1, int(task.interval.schedule.run_every.total_seconds()))


def _is_transient(exc):
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError, ConnectionError, TimeoutError))

"""Audience geography polls: the same plan → batch → task path as the counts, for connected accounts.

``geography_run_plan(platform)`` makes a ``FetchRun`` of kind "geography"
split into ``FetchBatch``es of the platform's connected accounts;
``geography_fetch_batch(batch_id)`` refreshes each token that is due,
decrypts it for the call, asks the platform, and records the batch in one
transaction (``metrics.audience.store``, the batch's and the run's figures).
Failed attempts go through the counts' retry policy
(``runs.batch_attempt_failed``): rate limits wait, 5xx and unusable replies
back off a bounded number of times, and a batch that gives up leaves every
stored geography as it was.
"""

import logging
import time
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from follower_tracker import crypto
from follower_tracker.logging import redact
from metrics.audience import connections
from metrics.audience.models import Connection, ConnectionStatus
from metrics.audience.store import geographies_store
from metrics.models import FetchBatch, FetchRun, LatestCount

from .client_factory import geography_client_for
from .clients import ClientUnavailable, PlatformError
from .clients.geography import GeographyRequest, GeographyResult, Outcome
from .runs import MAX_BATCH_ERRORS, TRANSIENT_ERRORS, UnexpectedClientError, run_refresh, schedule_slot

logger = logging.getLogger(__name__)
PLATFORMS = ("facebook", "instagram", "youtube")
Kind = FetchRun.Kind


def geography_run_plan(*, platform, account_ids=None, now=None, interval_seconds=None):
    """A geography run of ``platform``'s connected accounts, or None when its schedule slot is taken."""
    now = now or timezone.now()
    slot = schedule_slot(now=now, interval_seconds=interval_seconds) if interval_seconds else None
    if slot and FetchRun.objects.filter(platform=platform, kind=Kind.GEOGRAPHY, slot=slot).exists():
        return None
    note = _not_pollable(platform)
    try:
        with transaction.atomic():
            if note:
                return FetchRun.objects.create(
                    platform=platform,
                    kind=Kind.GEOGRAPHY,
                    status=FetchRun.Status.SKIPPED,
                    started_at=now,
                    finished_at=now,
                    slot=slot,
                    note=note,
                )
            connected = Connection.objects.filter(
                account__platform=platform, account__active=True, status=ConnectionStatus.CONNECTED
            )
            if account_ids is not None:
                connected = connected.filter(account_id__in=account_ids)
            ids = list(
                connected.order_by(F("last_geography_at").asc(nulls_first=True), "account_id").values_list(
                    "account_id", flat=True
                )
            )
            run = FetchRun.objects.create(
                platform=platform, kind=Kind.GEOGRAPHY, client="live", started_at=now, slot=slot
            )
            size = settings.FETCH_BATCH_SIZE or geography_client_for(platform).max_batch
            FetchBatch.objects.bulk_create(
                FetchBatch(run=run, index=index, account_ids=ids[start : start + size])
                for index, start in enumerate(range(0, len(ids), size))
            )
            run.batches_total = run.batches.count()
            if run.batches_total == 0:
                run.status, run.finished_at, run.note = FetchRun.Status.DONE, now, "No connected accounts."
            run.save()
            return run
    except IntegrityError:
        if slot is None:
            raise
        return None


def _not_pollable(platform):
    if platform not in PLATFORMS:
        return f"{platform} shares no audience geography."
    if settings.FOLLOWER_CLIENT != "live":
        return "The demo client has no audience geography."
    if not crypto.is_configured():
        return "Connected accounts are not configured: set CONNECTIONS_ENCRYPTION_KEYS."
    return ""


def geography_fetch_batch(*, batch_id, now=None):
    """Fetch one geography batch; a client error propagates after what the attempt read is recorded."""
    batch = FetchBatch.objects.select_related("run").filter(pk=batch_id).first()
    if batch is None:
        return None
    if batch.status != FetchBatch.Status.PENDING or batch.run.status == FetchRun.Status.STOPPED:
        return batch
    started = time.monotonic()
    FetchBatch.objects.filter(pk=batch.pk).update(attempts=F("attempts") + 1, started_at=timezone.now())
    pending = [pk for pk in batch.account_ids if pk not in set(batch.settled_account_ids)]
    early, asks = _requests(pending, now=now)
    client = geography_client_for(batch.run.platform)
    try:
        outcome = client.fetch(asks)
    except Exception as exc:
        partial = getattr(exc, "outcome", None)
        if partial is not None and (partial.results or partial.api_calls or early):
            geography_batch_record(
                batch=batch, results=early + partial.results, api_calls=partial.api_calls, final=False
            )
        if isinstance(exc, (PlatformError, ClientUnavailable, *TRANSIENT_ERRORS)):
            raise
        logger.exception("Geography batch %s: the client failed unexpectedly", batch_id)
        raise UnexpectedClientError(
            redact(f"unexpected {type(exc).__name__} in the geography client: {exc}")[:300]
        ) from exc
    return geography_batch_record(
        batch=batch, results=early + outcome.results, api_calls=outcome.api_calls, started=started
    )


def _requests(account_ids, *, now=None):
    """(results settled before any call: tokens that could not be refreshed; the requests to make)."""
    found = {
        c.account_id: c
        for c in Connection.objects.select_related("account").filter(account_id__in=account_ids, account__active=True)
    }
    followers = dict(LatestCount.objects.filter(account_id__in=account_ids).values_list("account_id", "followers"))
    early, asks = [], []
    for account_id in account_ids:
        connection = found.get(account_id)
        if connection is None or connection.status != ConnectionStatus.CONNECTED:
            early.append(
                GeographyResult(account_id=account_id, status=Outcome.NOT_CONNECTED, error="no longer connected")
            )
            continue
        try:
            token = connections.access_token(connection, now=now)
        except connections.ConnectError as exc:
            connection.refresh_from_db(fields=["status"])
            status = Outcome.REVOKED if connection.status == ConnectionStatus.REVOKED else Outcome.EXPIRED
            if connection.status == ConnectionStatus.CONNECTED:  # a passing fault of the refresh: try next week
                status = Outcome.ERROR
            early.append(GeographyResult(account_id=account_id, status=status, error=str(exc)))
            continue
        asks.append(GeographyRequest(account_id, connection.external_id, token, followers.get(account_id)))
    return early, asks


def geography_batch_record(*, batch, results, api_calls=0, final=True, started=None, now=None):
    """Record a geography batch in one transaction: the geographies, the connections, the batch and run figures."""
    now = now or timezone.now()
    with transaction.atomic():
        batch = FetchBatch.objects.select_for_update().select_related("run").get(pk=batch.pk)
        if batch.status == FetchBatch.Status.DONE or (not final and batch.status != FetchBatch.Status.PENDING):
            return batch
        geographies_store(results=results, platform=batch.run.platform, now=now)
        ok = [r for r in results if r.status == Outcome.OK]
        failed = [r for r in results if r.status != Outcome.OK]
        counts = Counter(batch.status_counts)
        batch.accounts_failed -= counts.pop("not_fetched", 0)
        counts.update(r.status for r in results)
        batch.status_counts = dict(counts)
        batch.accounts_ok += len(ok)
        batch.accounts_failed += len(failed)
        batch.api_calls += api_calls
        batch.errors = [*batch.errors, *(redact(f"{r.account_id}: {r.status} {r.error}")[:500] for r in failed)][
            :MAX_BATCH_ERRORS
        ]
        fields = ["accounts_ok", "accounts_failed", "status_counts", "api_calls", "errors"]
        if final:
            batch.status, batch.last_attempt_error, batch.finished_at = FetchBatch.Status.DONE, "", now
            if started is not None:
                batch.duration_seconds = round(time.monotonic() - started, 3)
            fields += ["status", "last_attempt_error", "finished_at", "duration_seconds"]
        else:
            batch.settled_account_ids = [*batch.settled_account_ids, *(r.account_id for r in results)]
            fields.append("settled_account_ids")
        batch.save(update_fields=fields)
        run_refresh(batch.run_id)
    return batch

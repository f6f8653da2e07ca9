"""Fetch runs and batches: planning a platform's poll, fetching a batch, recording its outcome.

Planning takes the platform's active accounts oldest-refreshed first (never
polled, then the oldest successful poll), so when the request budget is
smaller than the roster each poll starts where the last one stopped and
every account is refreshed in turn.

``record_batch_results`` records a batch in one transaction: the counts go
through ``metrics.counts`` (the one writer of the history and the latest
counts), then the accounts' statuses and the batch's and run's figures. An
attempt that fails half-way records what it read first (the results and the
HTTP calls it made) and the retry asks only for the accounts left; the
figures of a batch add up over its attempts, and a retried or redelivered
batch overwrites the same day rows.

``batch_attempt_failed`` is the retry policy of both the worker task and
``fetch_followers --sync``: every failed attempt goes into the batch's
``retry_history``; rate limits and server trouble (5xx, timeouts, unusable
replies) have their own counters and limits; each wait gets a random jitter.
"""

import logging
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from follower_tracker.logging import redact
from legislators.models import ChangeSource, SocialAccount
from legislators.services import account_record_rename
from metrics.counts import snapshots_upsert
from metrics.models import FetchBatch, FetchRun, Source
from metrics.standings.daily import settle

from .client_factory import get_client
from .clients import ClientUnavailable, PlatformError, RateLimited, TransientError, UnusableReply

logger = logging.getLogger(__name__)
# The jitter of retry waits (a module attribute so tests can seed it).
jitter = random.Random()
# Errors the database or the network raise that a later attempt may not meet.
TRANSIENT_ERRORS = (TransientError, UnusableReply, OperationalError, InterfaceError, ConnectionError, TimeoutError)
# Error lines kept per batch (each account's error is also on the account).
MAX_BATCH_ERRORS = 200


def schedule_slot(*, now, interval_seconds):
    """The start of the ``interval_seconds``-long slot ``now`` falls in (slots count from the epoch)."""
    seconds = int(now.timestamp()) // interval_seconds * interval_seconds
    return datetime.fromtimestamp(seconds, tz=UTC)


def fetch_run_plan(*, platform, client_name=None, account_ids=None, now=None, interval_seconds=None):
    """Create a run for ``platform`` and split its active accounts into batches.

    Returns the run; the caller enqueues one fetch per batch after commit.
    With ``interval_seconds`` (a scheduled poll) the run claims its schedule
    slot; when the slot is already taken (a second beat, a redelivered plan)
    nothing is planned and None is returned.
    """
    now = now or timezone.now()
    client_name = client_name or settings.FOLLOWER_CLIENT
    slot = schedule_slot(now=now, interval_seconds=interval_seconds) if interval_seconds else None
    if slot and FetchRun.objects.filter(platform=platform, kind=FetchRun.Kind.COUNTS, slot=slot).exists():
        logger.info("A %s poll is already planned for the slot starting %s: nothing to do", platform, slot)
        return None
    try:
        with transaction.atomic():
            return _plan(platform=platform, client_name=client_name, account_ids=account_ids, now=now, slot=slot)
    except IntegrityError:
        if slot is None:
            raise
        # Another plan claimed the slot between the check above and this insert.
        logger.info("A %s poll was planned concurrently for the slot starting %s: nothing to do", platform, slot)
        return None


def _plan(*, platform, client_name, account_ids, now, slot):
    """The run (claiming ``slot``) and its batches, in the caller's transaction."""
    try:
        client = get_client(platform)
    except ClientUnavailable as exc:
        return FetchRun.objects.create(
            platform=platform,
            client=client_name,
            status=FetchRun.Status.SKIPPED,
            started_at=now,
            finished_at=now,
            slot=slot,
            note=redact(str(exc))[:300],
        )
    budget = getattr(client, "budget", None)
    paused = budget.paused_for() if budget else 0
    if paused > settings.FETCH_MAX_RETRY_WAIT:
        # The platform said wait (YouTube's daily quota, a long Graph throttle):
        # calling now would only spend requests on refusals.
        resume = timezone.localtime(now + timedelta(seconds=paused))
        return FetchRun.objects.create(
            platform=platform,
            client=client_name,
            status=FetchRun.Status.SKIPPED,
            started_at=now,
            finished_at=now,
            slot=slot,
            note=f"{platform} is paused by its rate limit until {resume:%Y-%m-%d %H:%M %Z}.",
        )
    batch_size = settings.FETCH_BATCH_SIZE or client.max_batch
    accounts = SocialAccount.objects.filter(platform=platform, active=True)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    # Oldest-refreshed first: never polled, then the oldest successful poll
    # (and among those never successful, the one checked longest ago). Under
    # a budget smaller than the roster, the accounts a poll could not reach
    # lead the next one, so every account is refreshed in turn.
    ids = list(
        accounts.order_by(
            F("last_success_at").asc(nulls_first=True), F("last_checked_at").asc(nulls_first=True), "pk"
        ).values_list("pk", flat=True)
    )
    run = FetchRun.objects.create(platform=platform, client=client_name, started_at=now, slot=slot)
    FetchBatch.objects.bulk_create(
        FetchBatch(run=run, index=index, account_ids=ids[start : start + batch_size])
        for index, start in enumerate(range(0, len(ids), batch_size))
    )
    run.batches_total = run.batches.count()
    if run.batches_total == 0:
        run.status = FetchRun.Status.DONE
        run.finished_at = now
        run.note = "No active accounts."
    run.save()
    return run


def fetch_batch(*, batch_id):
    """Fetch one batch through its platform's client and record the results.

    Returns the batch, or None when it is gone. A batch already settled (a
    redelivered task after the batch committed, or a stopped run) is left as
    it is. Accounts an earlier attempt already recorded are not asked again.
    A client error propagates (see ``batch_attempt_failed``) after what the
    attempt read before it is recorded; an error no client should raise (a
    bug, a reply no check foresaw) becomes a ``PlatformError`` naming it.
    """
    batch = FetchBatch.objects.select_related("run").filter(pk=batch_id).first()
    if batch is None:
        logger.warning("Batch %s no longer exists", batch_id)
        return None
    if batch.status != FetchBatch.Status.PENDING or batch.run.status == FetchRun.Status.STOPPED:
        return batch
    started = time.monotonic()
    FetchBatch.objects.filter(pk=batch.pk).update(attempts=F("attempts") + 1, started_at=timezone.now())
    settled = set(batch.settled_account_ids)
    planned = {pk: position for position, pk in enumerate(batch.account_ids) if pk not in settled}
    accounts = sorted(
        SocialAccount.objects.filter(pk__in=list(planned), active=True), key=lambda account: planned[account.pk]
    )
    platform = batch.run.platform
    client = get_client(platform)
    try:
        outcome = client.fetch(accounts)
    except Exception as exc:
        _record_progress(batch, getattr(exc, "outcome", None))
        if isinstance(exc, (PlatformError, ClientUnavailable, *TRANSIENT_ERRORS)):
            raise
        logger.exception("Batch %s: the %s client failed unexpectedly", batch_id, platform)
        reason = redact(f"{platform}: unexpected {type(exc).__name__} in the client: {exc}")[:300]
        raise UnexpectedClientError(reason) from exc
    return record_batch_results(
        batch=batch, results=outcome.results, api_calls=outcome.api_calls, errors=outcome.errors, started=started
    )


class UnexpectedClientError(PlatformError):
    """A client raised what no client should (a bug, a reply no check foresaw).

    The batch fails with this readable reason like any platform error, so the
    run settles and ``fetch_followers --sync`` goes on with the other
    batches; the worker task raises the original (``__cause__``) afterwards,
    so the bug shows in the worker's log with its traceback.
    """


def _record_progress(batch, outcome):
    """What an interrupted attempt read (its results, its HTTP calls), kept on the pending batch."""
    if outcome is None or (not outcome.results and not outcome.api_calls):
        return
    try:
        record_batch_results(
            batch=batch, results=outcome.results, api_calls=outcome.api_calls, errors=outcome.errors, final=False
        )
    except Exception:  # the database is the casualty: the attempt's own error says what comes next
        logger.warning("Batch %s: the progress of the failed attempt could not be recorded", batch.pk, exc_info=True)


def retry_delay(error, *, previous_retries=0):
    """Seconds to wait before trying a batch again after ``error``, or None
    when it should not be retried. ``previous_retries``: the retries of the
    same kind (rate limit, or server trouble) the batch has had already.

    A rate limit waits for the platform's reset when that is at most
    FETCH_MAX_RETRY_WAIT away; a 5xx, a timeout or an unusable reply backs
    off exponentially (FETCH_RETRY_BASE_SECONDS × 2^n). Each wait is
    stretched by up to FETCH_RETRY_JITTER (a fraction) at random, so workers
    that met the same limit do not all call again in the same second.
    """
    stretch = 1 + jitter.uniform(0, settings.FETCH_RETRY_JITTER)
    if isinstance(error, RateLimited):
        if previous_retries >= settings.FETCH_RATE_LIMIT_RETRIES or error.retry_after > settings.FETCH_MAX_RETRY_WAIT:
            return None
        return error.retry_after * stretch
    if isinstance(error, TRANSIENT_ERRORS):
        if previous_retries >= settings.FETCH_TRANSIENT_RETRIES:
            return None
        backoff = settings.FETCH_RETRY_BASE_SECONDS * 2**previous_retries
        return min(backoff, settings.FETCH_MAX_RETRY_WAIT) * stretch
    return None


def batch_attempt_failed(*, batch_id, error):
    """Record why an attempt at a batch failed and decide what comes next.

    The attempt goes into the batch's retry history. Returns the seconds to
    wait before the next attempt, or None when the batch is settled: failed
    with the reason (the accounts not yet read keep their history), or its
    whole run stopped (token invalid, credits depleted, our configuration).
    """
    message = redact(f"{type(error).__name__}: {error}")[:500]
    rate_limited = isinstance(error, RateLimited)
    with transaction.atomic():
        batch = (
            FetchBatch.objects.select_for_update()
            .filter(pk=batch_id)
            .only("pk", "run_id", "attempts", "status", "rate_limit_waits", "transient_retries", "retry_history")
            .first()
        )
        if batch is None or batch.status != FetchBatch.Status.PENDING:
            return None
        delay = None
        if not isinstance(error, ClientUnavailable):
            previous = batch.rate_limit_waits if rate_limited else batch.transient_retries
            delay = retry_delay(error, previous_retries=previous)
        if delay is None and rate_limited:
            resume = timezone.localtime(timezone.now() + timedelta(seconds=error.retry_after))
            message = f"{message[:400]} (the platform is paused until {resume:%Y-%m-%d %H:%M %Z})"
        history = [
            *batch.retry_history,
            {
                "attempt": batch.attempts,
                "at": timezone.now().isoformat(timespec="seconds"),
                "error": message,
                "wait": None if delay is None else round(delay, 1),
            },
        ]
        fields = {"retry_history": history}
        if delay is not None:
            fields["last_attempt_error"] = message
            if rate_limited:
                fields["rate_limit_waits"] = F("rate_limit_waits") + 1
            else:
                fields["transient_retries"] = F("transient_retries") + 1
        FetchBatch.objects.filter(pk=batch_id).update(**fields)
    if isinstance(error, ClientUnavailable):
        run_stop(run_id=batch.run_id, reason=redact(str(error)))
        return None
    if delay is None:
        record_batch_failure(batch_id=batch_id, error=message)
        return None
    logger.warning("Batch %s: %s; retrying in %.0fs", batch_id, message, delay)
    return delay


def _settle_unread(batch, reason, now):
    """A batch that gives up: the accounts no attempt read are "not fetched"."""
    unread = len(set(batch.account_ids) - set(batch.settled_account_ids))
    batch.status = FetchBatch.Status.FAILED
    batch.accounts_failed += unread
    if unread:
        batch.status_counts = {**batch.status_counts, "not_fetched": batch.status_counts.get("not_fetched", 0) + unread}
    batch.errors = [*batch.errors, reason[:500]][-MAX_BATCH_ERRORS:]
    batch.finished_at = now


def run_stop(*, run_id, reason):
    """Stop a run: its pending batches fail with ``reason``; the run says why."""
    with transaction.atomic():
        run = FetchRun.objects.select_for_update().get(pk=run_id)
        now = timezone.now()
        pending = list(run.batches.filter(status=FetchBatch.Status.PENDING))
        for batch in pending:
            _settle_unread(batch, reason, now)
        FetchBatch.objects.bulk_update(
            pending, ["status", "accounts_ok", "accounts_failed", "status_counts", "errors", "finished_at"]
        )
        run.status = FetchRun.Status.STOPPED
        run.note = reason[:300]
        run.save(update_fields=["status", "note"])
        run_refresh(run_id)
    logger.error("Run %s stopped: %s", run_id, reason)


def record_batch_failure(*, batch_id, error):
    """A batch that could not be fetched: its unread accounts keep their history; the run says why."""
    with transaction.atomic():
        batch = FetchBatch.objects.select_for_update().select_related("run").get(pk=batch_id)
        if batch.status != FetchBatch.Status.PENDING:  # done, or already settled (its run stopped)
            return batch
        _settle_unread(batch, redact(error), timezone.now())
        batch.last_attempt_error = ""
        batch.save()
        run_refresh(batch.run_id)
    return batch


def record_batch_results(*, batch, results, api_calls=0, errors=(), now=None, started=None, final=True):
    """Record results on the batch and the run, in one transaction.

    ``final``: the batch is done. Otherwise (an interrupted attempt) the
    results are recorded, the accounts they cover are marked settled so the
    next attempt skips them, and the batch stays pending. The batch's figures
    add up over its attempts.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the batch: two deliveries of the same task serialise here.
        batch = FetchBatch.objects.select_for_update().select_related("run").get(pk=batch.pk)
        if batch.status == FetchBatch.Status.DONE or (not final and batch.status != FetchBatch.Status.PENDING):
            return batch
        ok, failed = [], []
        for result in results:
            measured = result.status == SocialAccount.Status.OK and result.followers is not None
            (ok if measured else failed).append(result)
        if ok:
            snapshots_upsert(results=ok, source=Source.API if batch.run.client == "live" else Source.DEMO, now=now)
            # The standings table kept in the same transaction: the members polled (and a new day's rows).
            settle()
        accounts_update_status(results=results, now=now)
        status_counts = Counter(batch.status_counts)
        # A batch settled as failed (its run stopped while this attempt was
        # reading) is being read after all: its accounts are no longer "not fetched".
        batch.accounts_failed -= status_counts.pop("not_fetched", 0)
        batch.accounts_ok += len(ok)
        batch.accounts_failed += len(failed)
        status_counts.update(str(r.status) for r in results)
        batch.status_counts = dict(status_counts)
        batch.api_calls += api_calls
        # Built from the split above ("r not in ok" compared every pair of results).
        new_errors = [redact(e)[:500] for e in errors] + [
            redact(f"{r.account_id}: {r.status} {r.error}".strip())[:500] for r in failed[:MAX_BATCH_ERRORS]
        ]
        batch.errors = [*batch.errors, *new_errors][:MAX_BATCH_ERRORS]
        fields = ["accounts_ok", "accounts_failed", "status_counts", "api_calls", "errors"]
        if final:
            batch.status = FetchBatch.Status.DONE
            batch.last_attempt_error = ""
            batch.finished_at = now
            if started is not None:
                batch.duration_seconds = round(time.monotonic() - started, 3)
            fields += ["status", "last_attempt_error", "finished_at", "duration_seconds"]
        else:
            batch.settled_account_ids = [*batch.settled_account_ids, *(r.account_id for r in results)]
            fields.append("settled_account_ids")
        # Not account_ids: a batch's 20,000 ids are written once, when it is planned.
        batch.save(update_fields=fields)
        run_refresh(batch.run_id)
    return batch


def run_refresh(run_id):
    """Recompute the run's figures from its batches (so retries never double-count)."""
    run = FetchRun.objects.select_for_update().get(pk=run_id)
    totals = run.batches.aggregate(
        ok=Sum("accounts_ok"),
        failed=Sum("accounts_failed"),
        calls=Sum("api_calls"),
        finished=Count("pk", filter=~Q(status=FetchBatch.Status.PENDING)),
        failed_batches=Count("pk", filter=Q(status=FetchBatch.Status.FAILED)),
    )
    run.accounts_ok = totals["ok"] or 0
    run.accounts_failed = totals["failed"] or 0
    run.api_calls = totals["calls"] or 0
    run.batches_done = totals["finished"]
    status_counts = Counter()
    for counts in run.batches.exclude(status_counts={}).values_list("status_counts", flat=True):
        status_counts.update(counts)
    run.status_counts = dict(sorted(status_counts.items()))
    errors = []
    for batch_errors in run.batches.exclude(errors=[]).values_list("errors", flat=True)[:20]:
        errors.extend(batch_errors)
    run.errors = errors[:100]
    if run.batches_done >= run.batches_total:
        run.finished_at = run.finished_at or timezone.now()
        if run.status != FetchRun.Status.STOPPED:  # a stopped run keeps its reason
            failed_all = totals["failed_batches"] == run.batches_total
            run.status = FetchRun.Status.FAILED if failed_all else FetchRun.Status.DONE
    run.save()


def _update_accounts(ids, fields):
    """Set these fields on these accounts: one statement.

    On PostgreSQL a large set of ids goes as one array joined to the table,
    not as one parameter per id (measured for 20,000 accounts: 0.27 s
    against 0.33 s plus ~50 ms of the ORM preparing each id).
    """
    if connection.vendor != "postgresql" or len(ids) <= 1000:
        SocialAccount.objects.filter(pk__in=ids).update(**fields)
        return
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(SocialAccount._meta.get_field(name).column)} = %s" for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(SocialAccount._meta.db_table)} AS a SET {assignments}"
            " FROM unnest(%s::bigint[]) AS chosen(id) WHERE a.id = chosen.id",
            [*fields.values(), "{" + ",".join(str(int(pk)) for pk in ids) + "}"],
        )


def accounts_update_status(*, results, now):
    """Set each account's status from its result: never a number for a failure.

    A result that learnt the platform's id stores it (the next polls go by
    id); one that reports a new handle renames the account and records the
    change. A fixed number of queries whatever the number of accounts.
    """
    by_status = {}
    for result in results:
        error = redact(result.error)[:500] if result.error else ""
        by_status.setdefault((result.status, error), []).append(result.account_id)
    for (status, error), ids in by_status.items():
        fields = {"status": status, "last_checked_at": now, "last_error": error}
        if status == SocialAccount.Status.OK:
            fields["last_success_at"] = now
        _update_accounts(ids, fields)
    learnt = {r.account_id: r for r in results if r.platform_id or r.handle}
    if not learnt:
        return
    accounts = {a.pk: a for a in SocialAccount.objects.filter(pk__in=learnt)}
    if not accounts:
        return
    platform = next(iter(accounts.values())).platform
    taken_ids = dict(
        SocialAccount.objects.filter(
            platform=platform, platform_id__in=[r.platform_id for r in learnt.values() if r.platform_id]
        )
        .exclude(pk__in=learnt)
        .values_list("platform_id", "pk")
    )
    taken_handles = set(
        SocialAccount.objects.filter(platform=platform)
        .annotate(lower_handle=Lower("handle"))
        .filter(lower_handle__in=[r.handle.lower() for r in learnt.values() if r.handle])
        .exclude(pk__in=learnt)
        .values_list("lower_handle", flat=True)
    )
    changed, renames = [], []
    for account_id, result in learnt.items():
        account = accounts.get(account_id)
        if account is None:
            continue
        dirty = False
        if result.platform_id and result.platform_id != account.platform_id:
            if result.platform_id in taken_ids:
                logger.warning(
                    "Account %s is the same %s account as %s (id %s): id not stored",
                    account.pk,
                    platform,
                    taken_ids[result.platform_id],
                    result.platform_id,
                )
            else:
                account.platform_id = result.platform_id
                dirty = True
        if result.handle and result.handle.lower() != account.handle.lower():
            if result.handle.lower() in taken_handles:
                logger.warning(
                    "Account %s was renamed to %s, a handle another account holds", account.pk, result.handle
                )
            else:
                renames.append((account, result.handle))
        if dirty:
            changed.append(account)
    if changed:
        SocialAccount.objects.bulk_update(changed, ["platform_id"])
    # Renames are rare: each goes through the one rename service, which keeps
    # the handle history and the audit trail.
    for account, new_handle in renames:
        account_record_rename(
            account=account, new_handle=new_handle, day=timezone.localdate(now), source=ChangeSource.POLL
        )


def batch_until_settled(fetch, *, batch_id, say, warn):
    """Run one batch in this process with the worker's retry policy (here sleeping is fine): ``fetch(batch_id=)``
    again after each retryable failure's delay, until it succeeds or gives up. ``say``/``warn``: where progress
    and a given-up batch are written (redacted). The ``--sync`` twin of the batch tasks (counts and geography)."""
    while True:
        try:
            fetch(batch_id=batch_id)
            return
        except Exception as exc:
            delay = batch_attempt_failed(batch_id=batch_id, error=exc)
            if delay is None:
                if not isinstance(exc, PlatformError | ClientUnavailable):
                    raise
                warn(f"batch {batch_id} failed: {redact(exc)}")
                return
            say(f"batch {batch_id}: {redact(exc)}; trying again in {delay:.0f}s")
            time.sleep(min(delay, settings.FETCH_MAX_RETRY_WAIT))

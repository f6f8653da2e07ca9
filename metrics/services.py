"""Writes: planning fetch runs, recording a batch's results, entering counts.

``record_batch_results`` is the one place snapshots and latest counts are
written by polling: one transaction upserts the day's snapshots, moves the
latest counts forward, updates the accounts' statuses and the batch's and
run's figures. A retried batch overwrites the same rows.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from legislators.models import SocialAccount

from .clients import AccountResult, ClientUnavailable, get_client
from .models import FetchBatch, FetchRun, FollowerSnapshot, LatestCount, Source

logger = logging.getLogger(__name__)


def fetch_run_plan(*, platform, client_name=None, account_ids=None, now=None):
    """Create a run for ``platform`` and split its active accounts into batches.

    Returns the run; the caller enqueues one fetch per batch after commit.
    """
    now = now or timezone.now()
    client_name = client_name or settings.FOLLOWER_CLIENT
    try:
        client = get_client(platform)
    except ClientUnavailable as exc:
        return FetchRun.objects.create(
            platform=platform,
            client=client_name,
            status=FetchRun.Status.SKIPPED,
            started_at=now,
            finished_at=now,
            note=str(exc)[:300],
        )
    batch_size = settings.FETCH_BATCH_SIZE or client.max_batch
    accounts = SocialAccount.objects.filter(platform=platform, active=True)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    ids = list(accounts.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        run = FetchRun.objects.create(platform=platform, client=client_name, started_at=now)
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

    Returns the batch, or None when it is gone or already done (a redelivered
    task after the batch committed).
    """
    batch = FetchBatch.objects.select_related("run").filter(pk=batch_id).first()
    if batch is None:
        logger.warning("Batch %s no longer exists", batch_id)
        return None
    if batch.status == FetchBatch.Status.DONE:
        return batch
    FetchBatch.objects.filter(pk=batch.pk).update(attempts=batch.attempts + 1)
    accounts = list(SocialAccount.objects.filter(pk__in=batch.account_ids, active=True).order_by("pk"))
    client = get_client(batch.run.platform)
    outcome = client.fetch(accounts)
    return record_batch_results(
        batch=batch, results=outcome.results, api_calls=outcome.api_calls, errors=outcome.errors
    )


def record_batch_failure(*, batch_id, error):
    """A batch that could not be fetched: its accounts keep their history; the run says why."""
    with transaction.atomic():
        batch = FetchBatch.objects.select_for_update().select_related("run").get(pk=batch_id)
        if batch.status == FetchBatch.Status.DONE:
            return batch
        batch.status = FetchBatch.Status.FAILED
        batch.accounts_ok = 0
        batch.accounts_failed = len(batch.account_ids)
        batch.errors = [str(error)[:500]]
        batch.finished_at = timezone.now()
        batch.save()
        _refresh_run(batch.run_id)
    return batch


def record_batch_results(*, batch, results, api_calls=0, errors=(), now=None):
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the batch: two deliveries of the same task serialise here.
        batch = FetchBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == FetchBatch.Status.DONE:
            return batch
        ok, failed = [], []
        for result in results:
            measured = result.status == SocialAccount.Status.OK and result.followers is not None
            (ok if measured else failed).append(result)
        snapshots_upsert(results=ok, source=Source.API if batch.run.client == "live" else Source.DEMO, now=now)
        accounts_update_status(results=results, now=now)
        batch.status = FetchBatch.Status.DONE
        batch.accounts_ok = len(ok)
        batch.accounts_failed = len(failed)
        batch.api_calls = api_calls
        # (Built from the split above: "r not in ok" compared every pair of results.)
        batch.errors = [str(e)[:500] for e in errors] + [
            f"{r.account_id}: {r.status} {r.error}".strip() for r in failed
        ]
        batch.finished_at = now
        # Not account_ids: a batch's list of accounts is written once, when planned.
        batch.save(update_fields=["status", "accounts_ok", "accounts_failed", "api_calls", "errors", "finished_at"])
        _refresh_run(batch.run_id)
    return batch


def _refresh_run(run_id):
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
    errors = []
    for batch_errors in run.batches.exclude(errors=[]).values_list("errors", flat=True)[:20]:
        errors.extend(batch_errors)
    run.errors = errors[:100]
    if run.batches_done >= run.batches_total:
        run.finished_at = timezone.now()
        run.status = FetchRun.Status.FAILED if totals["failed_batches"] == run.batches_total else FetchRun.Status.DONE
    run.save()


def snapshots_upsert(*, results, source, now=None):
    """Upsert one snapshot per account for today and move the latest counts forward.

    Two statements whatever the number of accounts (plus one read of the
    current latest days). Call inside a transaction.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    return _upsert_counts([(r.account_id, day, r.followers, r.posts) for r in results], source=source, now=now)


def _upsert_counts(rows, *, source, now, evidence_url=""):
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _upsert_counts_postgresql(rows, source=source, now=now, evidence_url=evidence_url)
    FollowerSnapshot.objects.bulk_create(
        [
            FollowerSnapshot(
                account_id=account_id,
                day=day,
                followers=followers,
                posts=posts,
                source=source,
                fetched_at=now,
                evidence_url=evidence_url,
            )
            for account_id, day, followers, posts in rows
        ],
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=["followers", "posts", "source", "fetched_at", "evidence_url"],
        batch_size=2000,
    )
    # The latest count moves only forward: a count for an older day (a
    # manual entry, an import) updates the history but not the latest.
    current = dict(LatestCount.objects.filter(account_id__in=[row[0] for row in rows]).values_list("account_id", "day"))
    newest = {}
    for account_id, day, followers, posts in rows:
        if account_id in current and current[account_id] > day:
            continue
        if account_id not in newest or newest[account_id][0] <= day:
            newest[account_id] = (day, followers, posts)
    LatestCount.objects.bulk_create(
        [
            LatestCount(account_id=account_id, day=day, followers=followers, posts=posts, source=source, fetched_at=now)
            for account_id, (day, followers, posts) in newest.items()
        ],
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=["day", "followers", "posts", "source", "fetched_at"],
        batch_size=2000,
    )
    return len(rows)


def _upsert_counts_postgresql(rows, *, source, now, evidence_url):
    """The same upsert as two statements over arrays (PostgreSQL's unnest).

    A day's poll of 20,000 accounts as 2 statements instead of 20 batches of
    model instances and a read of the latest days: the latest count moves
    only forward (the WHERE of the conflict update), as in the portable path.
    """
    account_ids, days, followers, posts = (list(column) for column in zip(*rows))
    arrays = "unnest(%s::bigint[], %s::date[], %s::bigint[], %s::bigint[]) AS r(account_id, day, followers, posts)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {FollowerSnapshot._meta.db_table}
                (account_id, day, followers, posts, source, fetched_at, evidence_url)
            SELECT r.account_id, r.day, r.followers, r.posts, %s, %s, %s FROM {arrays}
            ON CONFLICT (account_id, day) DO UPDATE SET followers = excluded.followers, posts = excluded.posts,
                source = excluded.source, fetched_at = excluded.fetched_at, evidence_url = excluded.evidence_url
            """,
            [source, now, evidence_url, account_ids, days, followers, posts],
        )
        cursor.execute(
            f"""
            INSERT INTO {LatestCount._meta.db_table} AS latest (account_id, day, followers, posts, source, fetched_at)
            SELECT DISTINCT ON (r.account_id) r.account_id, r.day, r.followers, r.posts, %s, %s FROM {arrays}
            ORDER BY r.account_id, r.day DESC
            ON CONFLICT (account_id) DO UPDATE SET day = excluded.day, followers = excluded.followers,
                posts = excluded.posts, source = excluded.source, fetched_at = excluded.fetched_at
            WHERE latest.day <= excluded.day
            """,
            [source, now, account_ids, days, followers, posts],
        )
    return len(rows)


def accounts_update_status(*, results, now):
    """Set each account's status from its result: never a number for a failure."""
    by_status = {}
    for result in results:
        by_status.setdefault((result.status, result.error[:500]), []).append(result.account_id)
    for (status, error), ids in by_status.items():
        fields = {"status": status, "last_checked_at": now, "last_error": error}
        if status == SocialAccount.Status.OK:
            fields["last_success_at"] = now
        SocialAccount.objects.filter(pk__in=ids).update(**fields)
    for result in results:
        changes = {}
        if result.platform_id:
            changes["platform_id"] = result.platform_id
        if result.handle:
            changes["handle"] = result.handle
        if changes:
            SocialAccount.objects.filter(pk=result.account_id).update(**changes)


def snapshot_enter(*, account, day, followers, posts=None, source=Source.MANUAL, evidence_url="", now=None):
    """Enter one count by hand (or from an import) for an account and day."""
    if followers is None or followers < 0:
        raise ValueError("A follower count must be zero or more.")
    if day > timezone.localdate():
        raise ValueError("A count cannot be entered for a day in the future.")
    now = now or timezone.now()
    with transaction.atomic():
        _upsert_counts([(account.pk, day, followers, posts)], source=source, now=now, evidence_url=evidence_url)


def stale_accounts(*, days=2, now=None):
    now = now or timezone.now()
    return SocialAccount.objects.filter(active=True).filter(
        Q(last_success_at__isnull=True) | Q(last_success_at__lt=now - timedelta(days=days))
    )


__all__ = [
    "AccountResult",
    "fetch_batch",
    "fetch_run_plan",
    "record_batch_failure",
    "record_batch_results",
    "snapshot_enter",
    "snapshots_upsert",
]

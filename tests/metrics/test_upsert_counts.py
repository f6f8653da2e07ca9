"""Writing a day's counts: history upserted, the latest count moved forward only.

On PostgreSQL the service loads the counts with COPY and writes them in two statements; on SQLite
through bulk upserts: the same behaviour on both (CI runs these on PostgreSQL).
"""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from legislators.models import Platform
from metrics import counts
from metrics.models import FollowerSnapshot, LatestCount, Source
from metrics.polling import runs
from metrics.polling.clients.base import AccountResult
from tests import factories

pytestmark = pytest.mark.django_db


def noon(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


def test_a_days_poll_writes_history_and_latest_for_every_account():
    member = factories.legislator()
    accounts = [factories.account(member, platform) for platform in (Platform.X, Platform.FACEBOOK)]
    today = timezone.localdate()
    results = [AccountResult(account_id=a.pk, followers=1_000 + i, posts=i) for i, a in enumerate(accounts)]

    written = counts.snapshots_upsert(results=results, source=Source.API, now=noon(today))

    assert written == 2
    assert sorted(FollowerSnapshot.objects.filter(day=today).values_list("followers", "posts")) == [
        (1_000, 0),
        (1_001, 1),
    ]
    assert sorted(LatestCount.objects.values_list("day", "followers")) == [(today, 1_000), (today, 1_001)]


def test_second_poll_the_same_day_overwrites_the_days_row_and_the_latest():
    account = factories.account(factories.legislator())
    today = timezone.localdate()
    counts.snapshots_upsert(
        results=[AccountResult(account_id=account.pk, followers=500)], source=Source.API, now=noon(today)
    )
    counts.snapshots_upsert(
        results=[AccountResult(account_id=account.pk, followers=510, posts=3)], source=Source.API, now=noon(today)
    )

    assert list(FollowerSnapshot.objects.values_list("day", "followers", "posts")) == [(today, 510, 3)]
    latest = LatestCount.objects.get(account=account)
    assert (latest.day, latest.followers, latest.posts) == (today, 510, 3)


def test_a_count_for_an_older_day_updates_history_but_not_the_latest():
    account = factories.account(factories.legislator())
    today = timezone.localdate()
    factories.counts(account, {today: 2_000})

    counts.snapshot_enter(account=account, day=today - timedelta(days=3), followers=1_700, evidence_url="https://e.x/1")

    assert FollowerSnapshot.objects.get(account=account, day=today - timedelta(days=3)).evidence_url == "https://e.x/1"
    latest = LatestCount.objects.get(account=account)
    assert (latest.day, latest.followers) == (today, 2_000)


def test_a_large_batch_records_every_count_and_status_in_set_based_statements(monkeypatch):
    """1,200 accounts (past the size where PostgreSQL takes the ids as one array): counts, blanks and failures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from legislators.models import SocialAccount
    from metrics.models import FetchBatch, FetchRun

    district = factories.district(name="Large")
    members = factories.members_in_bulk(1_200, district_=district, days=[timezone.localdate() - timedelta(days=1)])
    accounts = list(SocialAccount.objects.filter(legislator__in=members).order_by("pk"))
    SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(last_error="old trouble")
    failed = accounts[-1]
    results = [
        AccountResult(account_id=a.pk, followers=5_000 + i, posts=None if i % 2 else i)
        for i, a in enumerate(accounts[:-1])
    ]
    results.append(AccountResult(account_id=failed.pk, status=SocialAccount.Status.SUSPENDED, error="suspended"))
    now = timezone.now()
    run = FetchRun.objects.create(platform="x", client="live", started_at=now, batches_total=1)
    batch = FetchBatch.objects.create(run=run, index=0, account_ids=[a.pk for a in accounts])

    # The standings table kept in the batch's transaction: a fixed number of statements of its own.
    upkeep = []
    settle = runs.settle

    def counted_settle():
        with CaptureQueriesContext(connection) as settling:
            written = settle()
        upkeep.append((len(settling), written))
        return written

    monkeypatch.setattr(runs, "settle", counted_settle)
    with CaptureQueriesContext(connection) as queries:
        runs.record_batch_results(batch=batch, results=results, api_calls=12, now=now)
    (settle_queries, settle_rows), *_ = upkeep
    # The table starts with this poll: every member's rows from the first count (yesterday) to today.
    assert settle_rows == 2 * 1_200
    if connection.vendor == "postgresql":  # SQLite's bulk statements are cut by its limit on parameters
        assert len(queries) - settle_queries <= 20
        # lock, marks, bounds, a DELETE, per day the target, the engine's query, the aspirants' and a COPY, ...
        assert settle_queries <= 15

    today = timezone.localdate(now)
    stored = dict(FollowerSnapshot.objects.filter(day=today).values_list("account_id", "posts"))
    assert len(stored) == 1_199 and failed.pk not in stored
    assert stored[accounts[0].pk] == 0 and stored[accounts[1].pk] is None  # no post count: NULL, not 0
    assert LatestCount.objects.get(account=accounts[2]).followers == 5_002
    assert LatestCount.objects.get(account=failed).day < today  # the failure left its history alone
    statuses = dict(SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]).values_list("pk", "status"))
    assert list(statuses.values()).count(SocialAccount.Status.OK) == 1_199
    assert statuses[failed.pk] == SocialAccount.Status.SUSPENDED
    ok = SocialAccount.objects.get(pk=accounts[0].pk)
    assert (ok.last_success_at, ok.last_checked_at, ok.last_error) == (now, now, "")
    assert SocialAccount.objects.get(pk=failed.pk).last_error == "suspended"
    batch.refresh_from_db()
    assert (batch.status, batch.accounts_ok, batch.accounts_failed, len(batch.account_ids)) == ("done", 1_199, 1, 1_200)

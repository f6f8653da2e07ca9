"""Writing a day's counts: history upserted, the latest count moved forward only.

On PostgreSQL the service writes through arrays (two statements); on SQLite
through bulk upserts: the same behaviour on both (CI runs these on PostgreSQL).
"""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from legislators.models import Platform
from metrics import services
from metrics.clients.base import AccountResult
from metrics.models import FollowerSnapshot, LatestCount, Source
from tests import factories

pytestmark = pytest.mark.django_db


def noon(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


def test_a_days_poll_writes_history_and_latest_for_every_account():
    member = factories.legislator()
    accounts = [factories.account(member, platform) for platform in (Platform.X, Platform.FACEBOOK)]
    today = timezone.localdate()
    results = [AccountResult(account_id=a.pk, followers=1_000 + i, posts=i) for i, a in enumerate(accounts)]

    written = services.snapshots_upsert(results=results, source=Source.API, now=noon(today))

    assert written == 2
    assert sorted(FollowerSnapshot.objects.filter(day=today).values_list("followers", "posts")) == [
        (1_000, 0),
        (1_001, 1),
    ]
    assert sorted(LatestCount.objects.values_list("day", "followers")) == [(today, 1_000), (today, 1_001)]


def test_second_poll_the_same_day_overwrites_the_days_row_and_the_latest():
    account = factories.account(factories.legislator())
    today = timezone.localdate()
    services.snapshots_upsert(
        results=[AccountResult(account_id=account.pk, followers=500)], source=Source.API, now=noon(today)
    )
    services.snapshots_upsert(
        results=[AccountResult(account_id=account.pk, followers=510, posts=3)], source=Source.API, now=noon(today)
    )

    assert list(FollowerSnapshot.objects.values_list("day", "followers", "posts")) == [(today, 510, 3)]
    latest = LatestCount.objects.get(account=account)
    assert (latest.day, latest.followers, latest.posts) == (today, 510, 3)


def test_a_count_for_an_older_day_updates_history_but_not_the_latest():
    account = factories.account(factories.legislator())
    today = timezone.localdate()
    factories.counts(account, {today: 2_000})

    services.snapshot_enter(
        account=account, day=today - timedelta(days=3), followers=1_700, evidence_url="https://e.x/1"
    )

    assert FollowerSnapshot.objects.get(account=account, day=today - timedelta(days=3)).evidence_url == "https://e.x/1"
    latest = LatestCount.objects.get(account=account)
    assert (latest.day, latest.followers) == (today, 2_000)

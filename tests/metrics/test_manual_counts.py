"""Counts entered by hand: evidence, marked manual, and the newer reading wins a day."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from legislators.models import AuditEntry
from metrics.counts import snapshot_enter, snapshots_upsert
from metrics.models import FollowerSnapshot, LatestCount, Source
from metrics.polling.clients import AccountResult
from tests import factories

pytestmark = pytest.mark.django_db


def yesterday_noon():
    """A read time whose day cannot change an hour either side (local midnight is far)."""
    day = timezone.localdate() - timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def account():
    member = factories.legislator(name="Counted Member", constituency_=factories.constituency(electors=100000))
    return factories.account(member, platform="instagram", handle="counted_member")


def test_an_analyst_enters_a_count_with_evidence_and_the_audit_names_them(client, analyst, account):
    client.force_login(analyst)
    day = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("metrics:count_enter"),
        {
            "platform": "instagram",
            "handle": "https://instagram.com/counted_member",
            "day": day.isoformat(),
            "followers": "2500",
            "evidence_url": "https://example.org/shot.png",
        },
    )
    assert response.status_code == 302
    snapshot = FollowerSnapshot.objects.get(account=account, day=day)
    assert (snapshot.followers, snapshot.source, snapshot.evidence_url) == (
        2500,
        "manual",
        "https://example.org/shot.png",
    )
    entry = AuditEntry.objects.get(model="metrics.followersnapshot")
    assert entry.user == analyst and entry.changes["followers"] == [None, 2500]


def test_the_count_form_refuses_a_future_day_and_an_unknown_account_saying_what_is_expected(client, analyst, account):
    client.force_login(analyst)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("metrics:count_enter"),
        {
            "platform": "instagram",
            "handle": "nobody_here",
            "day": tomorrow.isoformat(),
            "followers": "5",
            "evidence_url": "https://example.org/x",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "is in the future: expected a day on or before" in content
    assert "is recorded: expected a recorded account" in content
    assert FollowerSnapshot.objects.count() == 0


def test_viewers_cannot_enter_counts(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("metrics:count_enter")).status_code == 403


def test_a_manual_count_is_marked_manual_on_the_member_page(client, viewer, account):
    snapshot_enter(account=account, day=timezone.localdate(), followers=777, evidence_url="https://example.org/e")
    client.force_login(viewer)
    response = client.get(reverse("metrics:member", args=[account.legislator_id]))
    assert 'class="badge manual"' in response.content.decode()


def test_a_later_api_count_the_same_day_replaces_the_manual_one_and_both_stay_in_the_audit(account):
    now = yesterday_noon()
    snapshot_enter(
        account=account,
        day=timezone.localdate(now),
        followers=1000,
        evidence_url="https://e.org/1",
        now=now - timedelta(minutes=30),
    )
    with transaction.atomic():
        snapshots_upsert(results=[AccountResult(account_id=account.pk, followers=1010)], source=Source.API, now=now)

    snapshot = FollowerSnapshot.objects.get(account=account)
    assert (snapshot.followers, snapshot.source) == (1010, "api")
    assert LatestCount.objects.get(account=account).followers == 1010
    trail = [entry.changes["followers"] for entry in AuditEntry.objects.order_by("pk")]
    assert trail == [[None, 1000], [1000, 1010]]


def test_an_api_count_read_before_the_manual_one_does_not_overwrite_it(account):
    now = yesterday_noon()
    snapshot_enter(
        account=account, day=timezone.localdate(now), followers=1000, evidence_url="https://e.org/1", now=now
    )
    with transaction.atomic():
        snapshots_upsert(
            results=[AccountResult(account_id=account.pk, followers=990)],
            source=Source.API,
            now=now - timedelta(hours=1),
        )

    snapshot = FollowerSnapshot.objects.get(account=account)
    assert (snapshot.followers, snapshot.source) == (1000, "manual")
    assert LatestCount.objects.get(account=account).followers == 1000
    refused = AuditEntry.objects.order_by("pk").last()
    assert refused.changes["followers"] == [1000, 990] and "not applied" in refused.note


def test_recording_a_poll_keeps_a_fixed_number_of_queries():
    member = factories.legislator()
    accounts = [factories.account(member, handle=f"acct_{i}") for i in range(60)]

    def queries(subset):
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            snapshots_upsert(
                results=[AccountResult(account_id=a.pk, followers=5) for a in subset],
                source=Source.API,
                now=timezone.now(),
            )
        return len(captured)

    assert queries(accounts[:5]) == queries(accounts[5:60])

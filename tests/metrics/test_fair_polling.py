"""Fair polling under a budget smaller than the roster: accounts are planned
oldest-refreshed first, so successive polls rotate through all of them, an
interrupted batch keeps what it read, and the freshness page says how stale
the tail is."""

import functools
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from legislators.models import Platform, SocialAccount
from metrics.models import FetchRun, LatestCount
from metrics.polling import runs
from metrics.polling.budget import RequestBudget
from metrics.standings.freshness import freshness
from tests import factories

pytestmark = pytest.mark.django_db
HOUR = 3600


class Clock:
    """The budget's clock: two polls an hour apart without waiting an hour."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_800_000_000 + 10)  # 10 s into an hour window
    monkeypatch.setattr("metrics.polling.client_factory.RequestBudget", functools.partial(RequestBudget, clock=clock))
    return clock


def _professionals(fake, count):
    member = factories.legislator()
    accounts = []
    for n in range(count):
        fake.add_professional(17841400000000000 + n, f"member.{n}", followers=2000 + n)
        accounts.append(factories.account(member, platform=Platform.INSTAGRAM, handle=f"member.{n}"))
    return accounts


def _poll_instagram():
    """One scheduled poll; under the budget some batches fail (the command says so)."""
    try:
        call_command("fetch_followers", platform=["instagram"], sync=True)
    except CommandError:
        pass
    return FetchRun.objects.filter(platform="instagram").order_by("-pk").first()


def test_accounts_are_planned_oldest_refreshed_first(db, settings):
    settings.FOLLOWER_CLIENT = "demo"
    member = factories.legislator()
    now = timezone.now()
    recent, never_checked, old, failing, oldest = (
        factories.account(member, platform=Platform.X, handle=f"member_{n}") for n in range(5)
    )
    SocialAccount.objects.filter(pk=recent.pk).update(last_success_at=now, last_checked_at=now)
    SocialAccount.objects.filter(pk=old.pk).update(last_success_at=now - timedelta(days=2))
    SocialAccount.objects.filter(pk=oldest.pk).update(last_success_at=now - timedelta(days=9))
    SocialAccount.objects.filter(pk=failing.pk).update(last_checked_at=now - timedelta(hours=1))  # never succeeded

    run = runs.fetch_run_plan(platform=Platform.X)

    assert run.batches.get().account_ids == [never_checked.pk, failing.pk, oldest.pk, old.pk, recent.pk]


def test_a_roster_twice_the_hourly_budget_is_refreshed_within_two_hours(fake_graph, settings, clock):
    settings.PLATFORM_REQUEST_BUDGETS = {**settings.PLATFORM_REQUEST_BUDGETS, "instagram": (30, HOUR)}
    accounts = _professionals(fake_graph, 60)

    first = _poll_instagram()
    # The budget went to 30 accounts: batch 1 whole, batch 2 cut after 5 calls (kept), batch 3 refused.
    assert (first.accounts_ok, first.api_calls) == (30, 30)
    refreshed_first = set(LatestCount.objects.values_list("account_id", flat=True))

    clock.now += HOUR  # the next hourly poll, in a new budget window
    second = _poll_instagram()

    assert (second.accounts_ok, second.api_calls) == (30, 30)
    refreshed_second = set(second.batches.values_list("account_ids", flat=True)[0][:25])
    assert not refreshed_first & refreshed_second  # it started with the accounts the first poll missed
    assert LatestCount.objects.count() == 60
    assert not SocialAccount.objects.filter(pk__in=[a.pk for a in accounts], last_success_at__isnull=True).exists()
    assert len(fake_graph.discovery_calls()) == 60  # no request spent twice on the same account


def test_polls_keep_rotating_when_the_budget_is_smaller_still(fake_graph, settings, clock):
    settings.PLATFORM_REQUEST_BUDGETS = {**settings.PLATFORM_REQUEST_BUDGETS, "instagram": (25, HOUR)}
    _professionals(fake_graph, 60)
    polled = []
    for _ in range(3):
        run = _poll_instagram()
        polled.append(run.accounts_ok)
        clock.now += HOUR
    assert polled == [25, 25, 25]
    assert LatestCount.objects.count() == 60  # 75 requests covered all 60, never the same account twice before


def test_the_freshness_page_says_how_stale_the_tail_is(client, analyst, fake_graph):
    member = factories.legislator()
    now = timezone.now()
    fresh_one, tail, _never_polled = (
        factories.account(member, platform=Platform.INSTAGRAM, handle=f"member.{n}") for n in range(3)
    )
    SocialAccount.objects.filter(pk=fresh_one.pk).update(last_success_at=now - timedelta(hours=1))
    SocialAccount.objects.filter(pk=tail.pk).update(last_success_at=now - timedelta(days=3, hours=2))
    retired = factories.account(member, platform=Platform.INSTAGRAM, handle="retired.one", active=False)
    SocialAccount.objects.filter(pk=retired.pk).update(last_success_at=now - timedelta(days=300))

    row = next(p for p in freshness(scope_user=None, now=now).platforms if p.platform == "instagram")
    assert row.oldest_success == SocialAccount.objects.get(pk=tail.pk).last_success_at  # retired accounts aside
    assert row.never_succeeded == 1

    client.force_login(analyst)
    page = client.get(reverse("metrics:freshness")).content.decode()
    assert "Oldest successful poll" in page
    assert timezone.localtime(row.oldest_success).strftime("%-d %b %Y, %H:%M") in page
    assert "3\xa0days" in page and "never: 1" in page

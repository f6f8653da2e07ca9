"""The demo pipeline: plan → batches → one transaction per batch, idempotent."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from legislators.models import Platform, SocialAccount
from metrics import counts
from metrics.models import FetchBatch, FetchRun, FollowerSnapshot, LatestCount
from metrics.polling import runs
from metrics.polling.clients import AccountResult
from metrics.polling.tasks import fetch_batch_task, plan_fetch_task
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_client")]


@pytest.fixture
def demo_client(settings):
    settings.FOLLOWER_CLIENT = "demo"
    settings.FETCH_BATCH_SIZE = 4


@pytest.fixture
def accounts():
    member = factories.legislator(constituency_=factories.constituency(electors=100_000))
    return [factories.account(member, Platform.X) for _ in range(10)]


def test_plan_splits_active_accounts_into_batches(accounts):
    SocialAccount.objects.filter(pk=accounts[0].pk).update(active=False)
    run = runs.fetch_run_plan(platform=Platform.X)
    assert run.batches_total == 3
    assert [len(b.account_ids) for b in run.batches.order_by("index")] == [4, 4, 1]
    assert accounts[0].pk not in sum((b.account_ids for b in run.batches.all()), [])


def test_a_poll_stores_one_snapshot_per_account_and_the_latest_count(accounts):
    call_command("fetch_followers", "--platform", "x", "--sync", stdout=io.StringIO())

    today = timezone.localdate()
    assert FollowerSnapshot.objects.filter(day=today).count() == 10
    assert LatestCount.objects.filter(day=today).count() == 10
    run = FetchRun.objects.get()
    assert (run.status, run.accounts_ok, run.accounts_failed, run.batches_done) == ("done", 10, 0, 3)
    assert SocialAccount.objects.filter(status="ok", last_success_at__isnull=False).count() == 10


def test_second_poll_same_day_overwrites(accounts):
    call_command("fetch_followers", "--platform", "x", "--sync", stdout=io.StringIO())
    first = dict(FollowerSnapshot.objects.values_list("account_id", "followers"))
    call_command("fetch_followers", "--platform", "x", "--sync", stdout=io.StringIO())

    assert FollowerSnapshot.objects.count() == 10
    latest = dict(LatestCount.objects.values_list("account_id", "followers"))
    assert latest == dict(FollowerSnapshot.objects.values_list("account_id", "followers"))
    assert set(first) == set(latest)


def test_running_a_batch_task_twice_does_not_double_count(accounts):
    run = runs.fetch_run_plan(platform=Platform.X)
    batch = run.batches.first()
    fetch_batch_task.apply(args=[batch.pk])
    fetch_batch_task.apply(args=[batch.pk])
    run.refresh_from_db()
    assert run.accounts_ok == 4
    assert FollowerSnapshot.objects.count() == 4
    assert FetchBatch.objects.get(pk=batch.pk).attempts == 1


def test_a_recorded_retry_overwrites_its_batch_figures(accounts):
    run = runs.fetch_run_plan(platform=Platform.X)
    batch = run.batches.first()
    ids = batch.account_ids
    runs.record_batch_failure(batch_id=batch.pk, error="timeout")
    run.refresh_from_db()
    assert run.accounts_failed == 4
    FetchBatch.objects.filter(pk=batch.pk).update(status=FetchBatch.Status.PENDING)
    runs.record_batch_results(batch=batch, results=[AccountResult(account_id=i, followers=10) for i in ids])
    run.refresh_from_db()
    assert (run.accounts_ok, run.accounts_failed) == (4, 0)


def test_a_failed_account_keeps_its_history_and_gets_a_status(accounts):
    yesterday = timezone.localdate() - timedelta(days=1)
    factories.counts(accounts[0], {yesterday: 1234})
    run = runs.fetch_run_plan(platform=Platform.X, account_ids=[accounts[0].pk])
    runs.record_batch_results(
        batch=run.batches.get(),
        results=[AccountResult(account_id=accounts[0].pk, status="suspended", error="User has been suspended")],
    )
    accounts[0].refresh_from_db()
    assert accounts[0].status == "suspended"
    assert "suspended" in accounts[0].last_error
    assert list(FollowerSnapshot.objects.filter(account=accounts[0]).values_list("followers", flat=True)) == [1234]
    assert LatestCount.objects.get(account=accounts[0]).followers == 1234


def test_an_older_count_does_not_move_the_latest_back(accounts):
    today = timezone.localdate()
    factories.counts(accounts[0], {today: 500})
    counts.snapshot_enter(account=accounts[0], day=today - timedelta(days=3), followers=400)
    assert LatestCount.objects.get(account=accounts[0]).followers == 500
    assert FollowerSnapshot.objects.filter(account=accounts[0]).count() == 2


def test_plan_task_enqueues_batches_only_after_commit(accounts, django_capture_on_commit_callbacks):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            plan_fetch_task.apply(args=["x"])
    assert len(callbacks) == 1
    assert FollowerSnapshot.objects.count() == 10


def test_live_client_without_credentials_is_a_visible_skip(accounts, settings):
    settings.FOLLOWER_CLIENT = "live"
    out = io.StringIO()
    call_command("fetch_followers", "--platform", "x", "--sync", stdout=out)
    run = FetchRun.objects.get()
    assert run.status == "skipped"
    assert run.note
    assert "skipped" in out.getvalue()
    assert FollowerSnapshot.objects.count() == 0


def test_unknown_platform_is_refused():
    with pytest.raises(Exception, match="invalid choice"):
        call_command("fetch_followers", "--platform", "myspace", "--sync")

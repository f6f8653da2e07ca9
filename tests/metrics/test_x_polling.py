"""Polling X end to end through `manage.py fetch_followers --platform x --sync`
against a fake X v2 server on 127.0.0.1 (tweepy's host rewritten to it)."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from legislators.models import HandleChange, Platform, SocialAccount
from metrics.models import FetchBatch, FetchRun, FollowerSnapshot, LatestCount
from metrics.polling import runs
from metrics.polling.tasks import fetch_batch_task
from tests import factories
from tests.metrics.conftest import X_TOKEN

Status = SocialAccount.Status
pytestmark = pytest.mark.django_db


def _accounts(fake, count, *, start=1000, with_ids=True):
    """``count`` X accounts, each a user on the fake server with followers = 10·id."""
    members = [factories.legislator() for _ in range(max(1, count // 10))]
    accounts = []
    for n in range(count):
        user_id = start + n
        fake.add_user(user_id, f"member_{user_id}", followers=user_id * 10, tweets=user_id)
        accounts.append(
            factories.account(
                members[n % len(members)],
                platform=Platform.X,
                handle=f"member_{user_id}",
                platform_id=str(user_id) if with_ids else "",
            )
        )
    return accounts


def _poll(capsys=None):
    call_command("fetch_followers", platform=["x"], sync=True)
    return FetchRun.objects.get()


def test_250_accounts_are_polled_in_3_id_lookups_with_statuses_and_a_rename(fake_x):
    accounts = _accounts(fake_x, 250)
    gone, banned = accounts[10], accounts[120]
    del fake_x.users[gone.platform_id]
    fake_x.suspended.add(banned.platform_id)
    renamed = accounts[200]
    fake_x.users[renamed.platform_id]["username"] = "Member_Renamed"

    run = _poll()

    lookups = fake_x.lookup_calls()
    assert [path for path, _ in lookups] == ["/2/users"] * 3
    assert sorted(len(params["ids"][0].split(",")) for _, params in lookups) == [50, 100, 100]
    assert all(params["user.fields"] == ["public_metrics"] for _, params in lookups)
    assert set(fake_x.bearer_seen) == {f"Bearer {X_TOKEN}"}
    assert run.status == FetchRun.Status.DONE
    assert (run.accounts_ok, run.accounts_failed, run.api_calls) == (248, 2, 3)
    assert run.status_counts == {"not_found": 1, "ok": 248, "suspended": 1}
    today = timezone.localdate()
    stored = dict(FollowerSnapshot.objects.filter(day=today).values_list("account__platform_id", "followers"))
    assert len(stored) == 248
    assert all(followers == int(user_id) * 10 for user_id, followers in stored.items())
    assert FollowerSnapshot.objects.get(account=accounts[0]).posts == 1000
    gone.refresh_from_db()
    banned.refresh_from_db()
    assert gone.status == Status.NOT_FOUND and "Could not find user" in gone.last_error
    assert banned.status == Status.SUSPENDED
    assert not FollowerSnapshot.objects.filter(account__in=[gone, banned]).exists()
    renamed.refresh_from_db()
    assert renamed.handle == "Member_Renamed"
    change = HandleChange.objects.get(account=renamed)
    assert (change.old_handle, change.new_handle, change.changed_on) == ("member_1200", "Member_Renamed", today)


def test_first_poll_resolves_handles_once_then_polls_by_id(fake_x):
    accounts = _accounts(fake_x, 3, with_ids=False)
    _poll()
    assert [path for path, _ in fake_x.lookup_calls()] == ["/2/users/by"]
    assert {a.platform_id for a in SocialAccount.objects.all()} == {"1000", "1001", "1002"}
    assert LatestCount.objects.get(account=accounts[1]).followers == 10010

    FetchRun.objects.all().delete()
    fake_x.users["1001"]["username"] = "now_someone_else"
    _poll()
    assert [path for path, _ in fake_x.lookup_calls()] == ["/2/users/by", "/2/users"]
    assert SocialAccount.objects.get(pk=accounts[1].pk).handle == "now_someone_else"


def test_a_malformed_handle_is_never_sent_and_fails_only_its_account(fake_x):
    accounts = _accounts(fake_x, 2, with_ids=False)
    bad = factories.account(accounts[0].legislator, platform=Platform.X, handle="bad-handle!")
    bad_id = factories.account(accounts[0].legislator, platform=Platform.X, handle="typo", platform_id="@typo")
    run = _poll()
    assert "bad-handle!" not in str(fake_x.lookup_calls()) and "@typo" not in str(fake_x.lookup_calls())
    bad.refresh_from_db()
    bad_id.refresh_from_db()
    assert bad.status == Status.ERROR and "not a valid X handle" in bad.last_error
    assert bad_id.status == Status.ERROR and "not a numeric X user id" in bad_id.last_error
    assert run.accounts_ok == 2


def test_a_400_fails_the_batch_with_the_reason_and_keeps_history(fake_x):
    _accounts(fake_x, 2)
    fake_x.queue(
        400,
        {
            "errors": [
                {
                    "parameters": {"usernames": ["bad-handle!"]},
                    "message": (
                        "The `usernames` query parameter value [bad-handle!] does not match ^[A-Za-z0-9_]{1,15}$"
                    ),
                }
            ],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )
    with pytest.raises(CommandError):
        _poll()
    run = FetchRun.objects.get()
    assert run.status == FetchRun.Status.FAILED
    assert "bad request (HTTP 400)" in run.errors[0] and "does not match" in run.errors[0]
    assert not FollowerSnapshot.objects.exists()


def test_429_waits_for_the_reset_and_completes_with_nothing_lost_or_doubled(fake_x):
    accounts = _accounts(fake_x, 150)
    reset = int(time.time()) + 2
    fake_x.queue(
        429,
        {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )
    started = time.monotonic()
    run = _poll()
    assert time.monotonic() - started >= 1  # it waited for the reset
    assert time.time() >= reset
    assert run.status == FetchRun.Status.DONE
    assert (run.accounts_ok, run.accounts_failed) == (150, 0)
    assert run.api_calls == 3  # the refused call counts: X's quota counted it
    assert FollowerSnapshot.objects.count() == 150
    assert set(FollowerSnapshot.objects.values_list("account_id", flat=True)) == {a.pk for a in accounts}
    assert sorted(FetchBatch.objects.values_list("attempts", flat=True)) == [1, 2]
    waited = FetchBatch.objects.get(attempts=2)
    assert (waited.rate_limit_waits, waited.transient_retries, waited.api_calls) == (1, 0, 2)
    assert "429" in waited.retry_history[0]["error"]  # the success kept the trace of the refusal


def test_500_twice_then_200_completes(fake_x):
    _accounts(fake_x, 5)
    server_error = {"title": "Internal Server Error", "detail": "Internal Server Error", "status": 500}
    fake_x.queue(500, server_error)
    fake_x.queue(503, server_error)
    run = _poll()
    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 5
    assert FetchBatch.objects.get().attempts == 3
    assert len(fake_x.lookup_calls()) == 3


def test_5xx_retries_are_bounded(fake_x, settings):
    _accounts(fake_x, 2)
    for _ in range(6):
        fake_x.queue(500, {"title": "Internal Server Error", "status": 500})
    with pytest.raises(CommandError):
        _poll()
    batch = FetchBatch.objects.get()
    assert batch.status == FetchBatch.Status.FAILED
    assert batch.attempts == settings.FETCH_TRANSIENT_RETRIES + 1
    assert "server error HTTP 500" in batch.errors[0]


def test_a_timeout_is_retried(fake_x, settings):
    settings.PLATFORM_HTTP_TIMEOUT = 1
    _accounts(fake_x, 2)
    fake_x.delays = [2.5]
    run = _poll()
    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 2
    assert FetchBatch.objects.get().attempts == 2


def test_malformed_json_every_time_fails_the_batch_and_leaves_history_unchanged(fake_x, settings):
    accounts = _accounts(fake_x, 3)
    yesterday = timezone.localdate() - timedelta(days=1)
    for account in accounts:
        factories.counts(account, {yesterday: 777})
    for _ in range(settings.FETCH_TRANSIENT_RETRIES + 1):
        fake_x.queue(200, b'{"data": [{"id": "1000", "username": "member_1000", "public_m')
    with pytest.raises(CommandError, match="malformed JSON"):
        _poll()
    run = FetchRun.objects.get()
    assert run.status == FetchRun.Status.FAILED
    assert "malformed JSON" in run.errors[0]
    assert run.api_calls == settings.FETCH_TRANSIENT_RETRIES + 1  # retried a bounded number of times
    assert run.status_counts == {"not_fetched": 3}
    assert list(FollowerSnapshot.objects.values_list("day", "followers").distinct()) == [(yesterday, 777)]
    assert set(LatestCount.objects.values_list("day", "followers")) == {(yesterday, 777)}
    assert set(SocialAccount.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_a_refused_token_stops_the_run_for_x_and_never_records_the_token(fake_x, caplog):
    _accounts(fake_x, 150)
    fake_x.queue(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
    with pytest.raises(CommandError, match="bearer token was refused"):
        _poll()
    run = FetchRun.objects.get()
    assert run.status == FetchRun.Status.STOPPED
    assert "X_BEARER_TOKEN" in run.note
    assert len(fake_x.lookup_calls()) == 1  # the second batch never called
    assert run.batches_done == run.batches_total == 2
    stored = str(list(FetchRun.objects.values())) + str(list(FetchBatch.objects.values())) + caplog.text
    assert X_TOKEN not in stored


def test_402_credits_depleted_stops_the_run(fake_x):
    _accounts(fake_x, 2)
    fake_x.queue(
        402,
        {
            "title": "CreditsDepleted",
            "detail": "Your enrolled account does not have any credits to fulfill this request.",
            "type": "https://api.twitter.com/2/problems/credits",
        },
    )
    with pytest.raises(CommandError, match="credits depleted"):
        _poll()
    assert FetchRun.objects.get().status == FetchRun.Status.STOPPED


def test_the_worker_task_retries_a_429_with_a_countdown_instead_of_sleeping(fake_x):
    _accounts(fake_x, 2)
    reset = int(time.time()) + 120
    fake_x.queue(429, {"title": "Too Many Requests", "status": 429}, headers={"x-rate-limit-reset": str(reset)})
    run = runs.fetch_run_plan(platform="x")
    batch = run.batches.get()
    with mock.patch.object(fetch_batch_task, "retry", side_effect=RuntimeError("retry requested")) as retry:
        started = time.monotonic()
        fetch_batch_task.apply(args=[batch.pk])
    assert time.monotonic() - started < 5
    countdown = retry.call_args.kwargs["countdown"]
    assert 115 <= countdown <= 122 * 1.2  # the reset, stretched by the jitter
    batch.refresh_from_db()
    assert batch.status == FetchBatch.Status.PENDING
    assert "429" in batch.last_attempt_error


def test_a_spent_shared_budget_waits_without_calling_x(fake_x, settings):
    # One request per window of 10^9 s (windows start at multiples of it: this one ends in 2033), so
    # no window ends during the test, as an hour's window did when the test ran near the hour.
    settings.PLATFORM_REQUEST_BUDGETS = {**settings.PLATFORM_REQUEST_BUDGETS, "x": (1, 10**9)}
    settings.FETCH_MAX_RETRY_WAIT = 30  # the window ends later than this: the batch fails with the reason
    _accounts(fake_x, 150)
    with pytest.raises(CommandError):
        _poll()
    assert len(fake_x.lookup_calls()) == 1
    failed = FetchBatch.objects.get(status=FetchBatch.Status.FAILED)
    assert "request budget spent" in failed.errors[0]

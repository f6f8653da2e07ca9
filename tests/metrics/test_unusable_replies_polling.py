"""Platforms that answer oddly lose nothing: fake X, Graph and YouTube servers on
127.0.0.1 send valid JSON of the wrong shape, a top-level error only, a
multi-id reply missing ids, malformed JSON, and our own configuration is
wrong. Each case: a readable reason, only its batch fails, a bounded number
of retries, the run settled (never left "running"), and ``fetch_followers
--sync`` exits non-zero when a batch failed or the run stopped."""

import pytest
from django.core.management import CommandError, call_command

from legislators.models import Platform, SocialAccount
from metrics.models import FetchBatch, FetchRun, FollowerSnapshot, LatestCount
from metrics.polling import runs
from metrics.polling.clients.x import XClient
from metrics.polling.tasks import fetch_batch_task
from tests import factories
from tests.fake_graph import graph_error

Status = SocialAccount.Status
pytestmark = pytest.mark.django_db
A = "UCaaaaaaaaaaaaaaaaaaaaaa"
B = "UCbbbbbbbbbbbbbbbbbbbbbb"
C = "UCcccccccccccccccccccccc"


def _poll(platform):
    call_command("fetch_followers", platform=[platform], sync=True)
    return FetchRun.objects.get(platform=platform)


def _poll_failing(platform, match=None):
    """A poll whose command must exit non-zero; returns its settled run."""
    with pytest.raises(CommandError, match=match):
        _poll(platform)
    run = FetchRun.objects.get(platform=platform)
    assert run.status != FetchRun.Status.RUNNING
    assert run.batches_done == run.batches_total
    assert not run.batches.filter(status=FetchBatch.Status.PENDING).exists()
    return run


def _x_accounts(fake, count, start=1000):
    member = factories.legislator()
    accounts = []
    for n in range(count):
        user_id = start + n
        fake.add_user(user_id, f"member_{user_id}", followers=user_id * 10)
        accounts.append(
            factories.account(member, platform=Platform.X, handle=f"member_{user_id}", platform_id=str(user_id))
        )
    return accounts


def _pages(fake, count):
    member = factories.legislator()
    accounts = []
    for n in range(count):
        page_id = str(5000 + n)
        fake.add_page(page_id, f"page.number{n}", followers=100 + n)
        accounts.append(
            factories.account(member, platform=Platform.FACEBOOK, handle=f"page.number{n}", platform_id=page_id)
        )
    return accounts


def _professionals(fake, count):
    member = factories.legislator()
    accounts = []
    for n in range(count):
        fake.add_professional(17841400000000000 + n, f"member.{n}", followers=2000 + n)
        accounts.append(factories.account(member, platform=Platform.INSTAGRAM, handle=f"member.{n}"))
    return accounts


def _channels(fake, *channel_ids):
    member = factories.legislator()
    accounts = []
    for n, channel_id in enumerate(channel_ids):
        fake.add_channel(channel_id, handle=f"channel{n}", subscribers=48100 + n)
        accounts.append(
            factories.account(member, platform=Platform.YOUTUBE, handle=f"channel{n}", platform_id=channel_id)
        )
    return accounts


def _queue_every_attempt(fake, settings, status, body):
    for _ in range(settings.FETCH_TRANSIENT_RETRIES + 1):
        fake.queue(status, body)


def _assert_given_up_after_bounded_retries(batch, settings, reason):
    assert batch.status == FetchBatch.Status.FAILED
    assert batch.attempts == batch.api_calls == settings.FETCH_TRANSIENT_RETRIES + 1
    assert batch.transient_retries == settings.FETCH_TRANSIENT_RETRIES and batch.rate_limit_waits == 0
    assert [entry["wait"] is None for entry in batch.retry_history] == [False] * settings.FETCH_TRANSIENT_RETRIES + [
        True
    ]
    assert all(reason in entry["error"] for entry in batch.retry_history)
    assert reason in batch.errors[-1]


# X


def test_x_data_as_an_object_fails_only_its_batch_after_bounded_retries(fake_x, settings):
    accounts = _x_accounts(fake_x, 150)  # two batches: 100, then 50
    user = {"id": "1000", "username": "member_1000", "public_metrics": {"followers_count": 1}}
    _queue_every_attempt(fake_x, settings, 200, {"data": user})

    run = _poll_failing("x", match="`data` is an object")

    first, second = run.batches.order_by("index")
    _assert_given_up_after_bounded_retries(first, settings, "`data` is an object")
    assert "x users lookup (GET /2/users?ids=): unusable reply: `data` is an object" in first.errors[-1]
    assert first.status_counts == {"not_fetched": 100}
    assert second.status == FetchBatch.Status.DONE and second.accounts_ok == 50
    assert run.status == FetchRun.Status.DONE and run.api_calls == settings.FETCH_TRANSIENT_RETRIES + 2
    first_ids = set(first.account_ids)
    assert set(SocialAccount.objects.filter(pk__in=first_ids).values_list("status", flat=True)) == {Status.PENDING}
    assert FollowerSnapshot.objects.count() == 50
    assert not FollowerSnapshot.objects.filter(account__in=first_ids).exists()
    assert len(accounts) == 150


def test_x_a_top_level_error_only_is_retried_and_x_s_words_kept(fake_x, settings):
    _x_accounts(fake_x, 3)
    problem = {
        "errors": [
            {
                "title": "Internal Error",
                "detail": "Something went wrong. Please try again later.",
                "type": "https://api.twitter.com/2/problems/internal-error",
            }
        ]
    }
    _queue_every_attempt(fake_x, settings, 200, problem)

    run = _poll_failing("x", match="Something went wrong")

    batch = run.batches.get()
    _assert_given_up_after_bounded_retries(batch, settings, "Something went wrong. Please try again later.")
    assert "the reply holds only an error: Internal Error: Something went wrong" in batch.errors[-1]
    assert run.status == FetchRun.Status.FAILED
    # Nobody was marked "missing from the reply" or "not found" on X's say-so.
    assert set(SocialAccount.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_x_a_top_level_problem_object_without_data_keeps_x_s_words(fake_x, settings):
    _x_accounts(fake_x, 2)
    _queue_every_attempt(
        fake_x, settings, 200, {"title": "Service Unavailable", "detail": "Overloaded.", "type": "about:blank"}
    )
    run = _poll_failing("x")
    assert "Service Unavailable: Overloaded." in run.errors[-1]


def test_x_errors_without_data_are_mapped_to_the_accounts_they_name(fake_x):
    banned, gone, unnamed = _x_accounts(fake_x, 3)
    fake_x.queue(
        200,
        {
            "errors": [
                {
                    "value": banned.platform_id,
                    "detail": f"User has been suspended: [{banned.platform_id}].",
                    "title": "Forbidden",
                    "resource_type": "user",
                    "parameter": "ids",
                    "resource_id": banned.platform_id,
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                },
                {  # named only in its detail
                    "detail": f"Could not find user with ids: [{gone.platform_id}].",
                    "title": "Not Found Error",
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                },
                {"title": "Partial Error", "detail": "Some users could not be read.", "type": "about:blank"},
            ]
        },
    )

    run = _poll("x")

    assert run.status == FetchRun.Status.DONE
    assert run.status_counts == {"error": 1, "not_found": 1, "suspended": 1}
    assert SocialAccount.objects.get(pk=banned.pk).status == Status.SUSPENDED
    assert SocialAccount.objects.get(pk=gone.pk).status == Status.NOT_FOUND
    unnamed.refresh_from_db()
    assert unnamed.status == Status.ERROR
    assert "missing from the reply" in unnamed.last_error and "Some users could not be read." in unnamed.last_error
    assert any("Partial Error: Some users could not be read." in error for error in run.errors)
    assert not FollowerSnapshot.objects.exists()


def test_x_a_user_left_out_of_the_reply_is_an_error_not_not_found(fake_x):
    found, left_out = _x_accounts(fake_x, 2)
    user = {"id": found.platform_id, "username": "member_1000", "public_metrics": {"followers_count": 5}}
    fake_x.queue(200, {"data": [user]})
    run = _poll("x")
    assert run.status_counts == {"error": 1, "ok": 1}
    left_out.refresh_from_db()
    assert left_out.status == Status.ERROR and left_out.last_error == "missing from the reply"


def test_x_malformed_then_good_is_retried(fake_x):
    accounts = _x_accounts(fake_x, 3)
    fake_x.queue(200, b'{"data": [{"id": "1000", "username": "member_1000", "public_m')
    run = _poll("x")
    batch = run.batches.get()
    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 3
    assert (batch.attempts, batch.api_calls, batch.transient_retries) == (2, 2, 1)
    assert "malformed JSON" in batch.retry_history[0]["error"] and batch.retry_history[0]["wait"] is not None
    assert LatestCount.objects.get(account=accounts[0]).followers == 10000


def test_x_an_error_body_tweepy_cannot_read_is_an_unusable_reply(fake_x):
    _x_accounts(fake_x, 2)
    fake_x.queue(503, [])  # tweepy reads an error body as an object
    run = _poll("x")
    batch = run.batches.get()
    assert run.status == FetchRun.Status.DONE and batch.attempts == 2
    assert "unusable error reply (HTTP 503)" in batch.retry_history[0]["error"]


def test_x_an_unknown_bearer_token_stops_the_run_naming_the_setting(fake_x):
    _x_accounts(fake_x, 2)
    fake_x.queue(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
    run = _poll_failing("x", match="X_BEARER_TOKEN")
    assert run.status == FetchRun.Status.STOPPED and "X_BEARER_TOKEN" in run.note


# Facebook Pages and Instagram (Graph API)


def test_facebook_a_data_list_instead_of_the_pages_fails_only_its_batch(fake_graph, settings):
    _pages(fake_graph, 2)
    _queue_every_attempt(fake_graph, settings, 200, {"data": []})

    run = _poll_failing("facebook", match="none of the 2 requested ids")

    batch = run.batches.get()
    _assert_given_up_after_bounded_retries(batch, settings, "none of the 2 requested ids is in it (its keys: data)")
    assert set(SocialAccount.objects.values_list("status", flat=True)) == {Status.PENDING}  # never "not found"


def test_facebook_a_page_left_out_of_the_reply_is_an_error_not_not_found(fake_graph):
    kept, left_out = _pages(fake_graph, 2)
    fake_graph.queue(200, {kept.platform_id: {"id": kept.platform_id, "followers_count": 77}})
    run = _poll("facebook")
    assert run.status_counts == {"error": 1, "ok": 1}
    left_out.refresh_from_db()
    assert left_out.status == Status.ERROR and left_out.last_error == "missing from the reply"
    assert LatestCount.objects.get(account=kept).followers == 77


def test_facebook_an_error_that_is_a_string_is_an_unusable_reply(fake_graph):
    _pages(fake_graph, 1)
    fake_graph.queue(200, {"error": "OAuthException"})
    run = _poll("facebook")
    batch = run.batches.get()
    assert run.status == FetchRun.Status.DONE and batch.transient_retries == 1
    assert 'holds an error that is not an object: a string ("OAuthException")' in batch.retry_history[0]["error"]


@pytest.mark.parametrize("bad_alias", ["ghost.page", "999999999"])
def test_facebook_a_bad_id_is_isolated_from_the_error_s_text_in_one_call_and_remembered(fake_graph, bad_alias):
    pages = _pages(fake_graph, 7)
    ghost = factories.account(pages[0].legislator, platform=Platform.FACEBOOK, handle="ghost.page")
    if bad_alias.isdigit():
        ghost.platform_id = bad_alias
        ghost.save()

    run = _poll("facebook")

    assert run.status_counts == {"not_found": 1, "ok": 7}
    assert run.api_calls == 2  # the group, then the group without the page its error named
    assert bad_alias in fake_graph.page_calls()[0]["ids"][0] and bad_alias not in fake_graph.page_calls()[1]["ids"][0]
    ghost.refresh_from_db()
    assert ghost.status == Status.NOT_FOUND
    assert not FollowerSnapshot.objects.filter(account=ghost).exists()

    # Remembered: the next poll asks it on its own, and the group call never fails for it.
    FetchRun.objects.all().delete()
    fake_graph.calls.clear()
    run = _poll("facebook")
    assert run.api_calls == 2 and run.status_counts == {"not_found": 1, "ok": 7}
    first, alone = (params["ids"][0].split(",") for params in fake_graph.page_calls())
    assert len(first) == 7 and bad_alias not in first and alone == [bad_alias]


def test_facebook_an_error_naming_no_page_falls_back_to_halving(fake_graph):
    pages = _pages(fake_graph, 8)
    factories.account(pages[0].legislator, platform=Platform.FACEBOOK, handle="ghost.page")
    fake_graph.queue(400, graph_error(803, "(#803) Some of the aliases you requested do not exist"))
    run = _poll("facebook")
    assert run.status_counts == {"not_found": 1, "ok": 8}
    assert 3 <= run.api_calls <= 5


def test_facebook_an_unknown_token_stops_the_run_naming_the_setting(fake_graph, live_settings):
    _pages(fake_graph, 1)
    live_settings.FACEBOOK_ACCESS_TOKEN = "EAAB-some-other-token-000"
    run = _poll_failing("facebook", match="FACEBOOK_ACCESS_TOKEN")
    assert run.status == FetchRun.Status.STOPPED and "code 190" in run.note


def test_instagram_a_wrong_business_account_id_stops_the_run_naming_the_setting(fake_graph, live_settings):
    _professionals(fake_graph, 60)
    live_settings.INSTAGRAM_BUSINESS_ACCOUNT_ID = "17841499999999999"  # Graph answers code 100/33 to every call

    run = _poll_failing("instagram", match="INSTAGRAM_BUSINESS_ACCOUNT_ID")

    assert run.status == FetchRun.Status.STOPPED
    assert "INSTAGRAM_BUSINESS_ACCOUNT_ID" in run.note and "17841499999999999" in run.note
    assert len(fake_graph.calls) == 1  # the first call says it all
    assert run.status_counts == {"not_fetched": 60}
    assert set(SocialAccount.objects.values_list("status", flat=True)) == {Status.PENDING}  # none "not found"


def test_instagram_a_business_discovery_reply_without_it_is_unusable(fake_graph, settings):
    _professionals(fake_graph, 2)
    _queue_every_attempt(fake_graph, settings, 200, {"id": "17841405309211844"})
    run = _poll_failing("instagram", match="business_discovery")
    assert "`business_discovery` is null, expected an object" in run.errors[-1]


def test_instagram_a_fault_at_call_k_keeps_the_counts_of_the_calls_before(fake_graph, settings):
    settings.FETCH_TRANSIENT_RETRIES = 0
    accounts = _professionals(fake_graph, 5)
    transient = graph_error(2, "An unexpected error has occurred. Please retry your request later.", is_transient=True)
    fake_graph.script(3, 500, transient)

    run = _poll_failing("instagram", match="temporary Graph error")

    batch = run.batches.get()
    assert batch.status == FetchBatch.Status.FAILED
    assert (batch.accounts_ok, batch.api_calls) == (2, 3)
    assert batch.status_counts == {"ok": 2, "not_fetched": 3}
    assert set(LatestCount.objects.values_list("account_id", flat=True)) == {accounts[0].pk, accounts[1].pk}


def test_instagram_a_retry_asks_only_for_the_accounts_left(fake_graph):
    accounts = _professionals(fake_graph, 5)
    transient = graph_error(2, "An unexpected error has occurred. Please retry your request later.", is_transient=True)
    fake_graph.script(3, 500, transient)

    run = _poll("instagram")

    batch = run.batches.get()
    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 5
    assert batch.api_calls == 6  # 3 in the first attempt (the third failed), 3 in the retry
    asked = [params["fields"][0].split("username(")[1].split(")")[0] for params in fake_graph.discovery_calls()]
    assert asked == ["member.0", "member.1", "member.2", "member.2", "member.3", "member.4"]
    assert LatestCount.objects.filter(account__in=accounts).count() == 5


# YouTube


def test_youtube_an_error_that_is_a_string_fails_only_its_batch_after_bounded_retries(fake_youtube, settings):
    _channels(fake_youtube, A, B)
    _queue_every_attempt(fake_youtube, settings, 200, {"error": "backendError"})

    run = _poll_failing("youtube", match="backendError")

    batch = run.batches.get()
    _assert_given_up_after_bounded_retries(
        batch, settings, 'holds an error that is not an object: a string ("backendError")'
    )
    assert run.status == FetchRun.Status.FAILED


def test_youtube_a_reply_that_is_not_a_channel_list_is_unusable(fake_youtube, settings):
    _channels(fake_youtube, A)
    fake_youtube.queue(200, {"kind": "youtube#videoListResponse", "result": []})
    run = _poll("youtube")
    batch = run.batches.get()
    assert run.status == FetchRun.Status.DONE and batch.transient_retries == 1
    assert "not a channel list" in batch.retry_history[0]["error"]


def test_youtube_malformed_then_good_is_retried(fake_youtube):
    (account,) = _channels(fake_youtube, A)
    fake_youtube.queue(200, b"<html><body>Service Unavailable</body></html>")
    run = _poll("youtube")
    assert run.status == FetchRun.Status.DONE and run.api_calls == 2
    assert LatestCount.objects.get(account=account).followers == 48100


def test_youtube_a_channel_left_out_of_an_id_reply_is_an_error_of_the_reply(fake_youtube):
    shown, _ = _channels(fake_youtube, A, B)
    gone = factories.account(shown.legislator, platform=Platform.YOUTUBE, handle="deleted", platform_id=C)
    run = _poll("youtube")
    assert run.status_counts == {"error": 1, "ok": 2} and run.api_calls == 1
    gone.refresh_from_db()
    assert gone.status == Status.ERROR and "missing from the reply" in gone.last_error


def test_youtube_a_bad_key_stops_the_run_naming_the_setting(fake_youtube, live_settings):
    _channels(fake_youtube, A)
    live_settings.YOUTUBE_API_KEY = "AIza-another-key-000000"
    run = _poll_failing("youtube", match="YOUTUBE_API_KEY")
    assert run.status == FetchRun.Status.STOPPED


@pytest.mark.parametrize(
    ("handle", "expected_calls"),
    [
        ("user/LegacyName", [("forUsername", "LegacyName")]),
        ("https://www.youtube.com/user/LegacyName", [("forUsername", "LegacyName")]),
        ("LegacyName", [("forHandle", "@LegacyName"), ("forUsername", "LegacyName")]),
    ],
)
def test_youtube_a_legacy_username_is_resolved_with_for_username(fake_youtube, handle, expected_calls):
    fake_youtube.add_channel(A, username="legacyname", subscribers=12300)
    account = factories.account(factories.legislator(), platform=Platform.YOUTUBE, handle=handle)

    run = _poll("youtube")

    calls = [next((name, params[name][0]) for name in ("forHandle", "forUsername") if name in params)
             for params in fake_youtube.channel_calls()]  # fmt: skip
    assert calls == expected_calls
    account.refresh_from_db()
    assert run.accounts_ok == 1 and account.platform_id == A
    assert LatestCount.objects.get(account=account).followers == 12300


def test_youtube_an_at_handle_is_resolved_with_for_handle_only(fake_youtube):
    fake_youtube.add_channel(A, handle="janedoe", subscribers=500)
    factories.account(factories.legislator(), platform=Platform.YOUTUBE, handle="@JaneDoe")
    nowhere = factories.account(factories.legislator(), platform=Platform.YOUTUBE, handle="@nobody.here")
    run = _poll("youtube")
    assert [params.get("forHandle") for params in fake_youtube.channel_calls()] == [["@JaneDoe"], ["@nobody.here"]]
    assert run.status_counts == {"not_found": 1, "ok": 1}
    assert "forHandle=@nobody.here" in SocialAccount.objects.get(pk=nowhere.pk).last_error


# The worker's path: the Celery task settles the run too.


@pytest.mark.parametrize(
    ("platform", "wrong"),
    [
        ("x", {"data": {"id": "1000"}}),
        ("facebook", {"data": []}),
        ("instagram", {"id": "17841405309211844"}),
        ("youtube", {"error": "backendError"}),
    ],
)
def test_the_celery_task_settles_a_run_whose_replies_are_unusable(
    platform, wrong, fake_x, fake_graph, fake_youtube, settings
):
    fake = {"x": fake_x, "facebook": fake_graph, "instagram": fake_graph, "youtube": fake_youtube}[platform]
    {
        "x": lambda: _x_accounts(fake_x, 2),
        "facebook": lambda: _pages(fake_graph, 2),
        "instagram": lambda: _professionals(fake_graph, 2),
        "youtube": lambda: _channels(fake_youtube, A, B),
    }[platform]()
    _queue_every_attempt(fake, settings, 200, wrong)
    run = runs.fetch_run_plan(platform=platform)

    result = fetch_batch_task.apply(args=[run.batches.get().pk])  # eager: its retries run at once

    assert result.successful()  # no traceback: the reason is on the run
    run.refresh_from_db()
    assert run.status == FetchRun.Status.FAILED and run.finished_at is not None
    assert "unusable reply" in run.errors[-1] or "holds" in run.errors[-1]
    batch = run.batches.get()
    assert batch.attempts == settings.FETCH_TRANSIENT_RETRIES + 1 == len(batch.retry_history)


def test_an_unforeseen_client_failure_settles_the_run_with_a_readable_reason(fake_x, monkeypatch):
    _x_accounts(fake_x, 2)

    def broken(self, outcome, body, wanted, *, by, endpoint):
        raise KeyError("public_metrics")

    monkeypatch.setattr(XClient, "_read", broken)
    run = runs.fetch_run_plan(platform="x")
    result = fetch_batch_task.apply(args=[run.batches.get().pk])
    assert isinstance(result.result, KeyError)  # a bug: the worker's log shows its traceback ...
    run.refresh_from_db()
    assert run.status == FetchRun.Status.FAILED  # ... and the run is settled, saying what happened
    assert "x: unexpected KeyError in the client: 'public_metrics'" in run.errors[-1]
    assert run.api_calls == 1  # the call was made and counted

    FetchRun.objects.all().delete()
    run = _poll_failing("x", match="unexpected KeyError")  # --sync: the other batches go on, exit non-zero
    assert run.status == FetchRun.Status.FAILED

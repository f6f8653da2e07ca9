"""Facebook Pages and Instagram Business Discovery at the HTTP level
(`responses`), with the Graph API's documented bodies and headers."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from django.core.management import CommandError, call_command

from legislators.models import Platform, SocialAccount
from metrics.models import FetchRun, FollowerSnapshot, LatestCount
from metrics.polling import runs
from metrics.polling.budget import RequestBudget
from metrics.polling.clients import RateLimited
from tests import factories

Status = SocialAccount.Status
pytestmark = pytest.mark.django_db
FB_TOKEN = "EAAB-facebook-secret-token-987"
IG_TOKEN = "EAAB-instagram-secret-token-654"
GRAPH = "https://graph.facebook.com/v26.0/"
OUR_IG_ID = "17841405309211844"


@pytest.fixture
def graph(live_settings):
    live_settings.FACEBOOK_ACCESS_TOKEN = FB_TOKEN
    live_settings.INSTAGRAM_ACCESS_TOKEN = IG_TOKEN
    live_settings.INSTAGRAM_BUSINESS_ACCOUNT_ID = OUR_IG_ID
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _error(code, message, subcode=None, **extra):
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123", **extra}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


def _pages(*specs):
    member = factories.legislator()
    return [
        factories.account(member, platform=Platform.FACEBOOK, handle=handle, platform_id=page_id)
        for handle, page_id in specs
    ]


def _ids(request):
    return parse_qs(urlparse(request.url).query)["ids"][0].split(",")


def _poll(platform):
    call_command("fetch_followers", platform=[platform], sync=True)
    return FetchRun.objects.get(platform=platform)


# Facebook Pages


def test_pages_are_read_50_a_call_with_the_token_in_a_header(graph):
    jane, john = _pages(("janedoe.mp", "111"), ("johnroe", "222"))
    graph.get(
        GRAPH,
        json={
            "111": {
                "id": "111",
                "username": "janedoe.mp",
                "name": "Jane Doe MP",
                "followers_count": 48210,
                "fan_count": 39877,
            },
            "222": {"id": "222", "username": "johnroe", "name": "John Roe", "fan_count": 1402},
        },
        headers={"X-App-Usage": json.dumps({"call_count": 28, "total_cputime": 25, "total_time": 25})},
    )
    run = _poll("facebook")
    request = graph.calls[0].request
    assert sorted(_ids(request)) == ["111", "222"]
    assert "followers_count" in parse_qs(urlparse(request.url).query)["fields"][0]
    assert request.headers["Authorization"] == f"Bearer {FB_TOKEN}"
    assert FB_TOKEN not in request.url
    assert run.accounts_ok == 2 and run.api_calls == 1
    assert LatestCount.objects.get(account=jane).followers == 48210
    assert LatestCount.objects.get(account=john).followers == 1402  # fan_count when followers_count is absent
    assert LatestCount.objects.get(account=jane).posts is None  # Pages report no post count


@pytest.mark.parametrize(
    "bad_page_error",
    [
        _error(803, "(#803) Some of the aliases you requested do not exist: ghost.page"),
        {
            "error": {
                "message": "Unsupported get request. Object with ID 'ghost.page' does not exist, cannot be loaded "
                "due to missing permissions, or does not support this operation.",
                "type": "GraphMethodException",
                "code": 100,
                "error_subcode": 33,
                "fbtrace_id": "AbC123",
            }
        },
    ],
)
def test_one_unknown_page_is_isolated_and_the_others_are_polled(graph, bad_page_error):
    specs = [(f"page{n}", str(500 + n)) for n in range(7)]
    accounts = _pages(*specs, ("ghost.page", ""))

    def reply(request):
        ids = _ids(request)
        if "ghost.page" in ids:
            return 400, {}, json.dumps(bad_page_error)
        return (
            200,
            {},
            json.dumps({i: {"id": i, "username": f"page{int(i) - 500}", "followers_count": int(i)} for i in ids}),
        )

    graph.add_callback(responses.GET, GRAPH, callback=reply)
    run = _poll("facebook")
    assert run.accounts_ok == 7 and run.status_counts == {"not_found": 1, "ok": 7}
    assert run.api_calls <= 8  # halving, not one call per page
    ghost = SocialAccount.objects.get(pk=accounts[-1].pk)
    assert ghost.status == Status.NOT_FOUND
    assert not FollowerSnapshot.objects.filter(account=ghost).exists()


def test_a_page_polled_by_id_follows_its_rename(graph):
    (page,) = _pages(("old.name", "111"))
    graph.get(GRAPH, json={"111": {"id": "111", "username": "new.name", "followers_count": 10}})
    _poll("facebook")
    page.refresh_from_db()
    assert page.handle == "new.name" and page.handle_changes.get().old_handle == "old.name"


def test_an_expired_facebook_token_stops_the_run_and_is_never_stored(graph):
    _pages(("janedoe.mp", "111"))
    graph.get(
        GRAPH,
        status=400,
        json=_error(190, f"Error validating access token: Session has expired (token {FB_TOKEN})", 463),
    )
    with pytest.raises(CommandError):
        _poll("facebook")
    run = FetchRun.objects.get()
    assert run.status == FetchRun.Status.STOPPED
    assert "code 190" in run.note
    assert FB_TOKEN not in str(list(FetchRun.objects.values_list("note", "errors")))


def test_a_graph_throttle_waits_for_the_time_the_platform_gives(graph):
    _pages(("janedoe.mp", "111"))
    buc = {"111": [{"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 30,
                    "estimated_time_to_regain_access": 7}]}  # fmt: skip
    graph.get(
        GRAPH,
        status=400,
        json=_error(32, "(#32) Page request limit reached"),
        headers={"X-Business-Use-Case-Usage": json.dumps(buc)},
    )
    run = runs.fetch_run_plan(platform="facebook")
    with pytest.raises(RateLimited) as raised:
        runs.fetch_batch(batch_id=run.batches.get().pk)
    assert raised.value.retry_after == 7 * 60
    assert 6 * 60 < RequestBudget("facebook").paused_for() <= 7 * 60  # every worker waits too
    assert 7 * 60 <= runs.retry_delay(raised.value) <= 7 * 60 * 1.2  # the platform's time, plus jitter


def test_high_app_usage_slows_every_worker_down(graph):
    _pages(("janedoe.mp", "111"))
    graph.get(
        GRAPH,
        json={"111": {"id": "111", "followers_count": 5}},
        headers={"X-App-Usage": json.dumps({"call_count": 95, "total_cputime": 10, "total_time": 12})},
    )
    _poll("facebook")
    assert RequestBudget("facebook").paused_for() > 60


def test_a_graph_server_error_is_retried(graph):
    _pages(("janedoe.mp", "111"))
    graph.get(
        GRAPH,
        status=500,
        json=_error(2, "An unexpected error has occurred. Please retry your request later.", is_transient=True),
    )
    graph.get(GRAPH, json={"111": {"id": "111", "followers_count": 5}})
    run = _poll("facebook")
    assert run.status == FetchRun.Status.DONE and run.accounts_ok == 1


# Instagram Business Discovery


def _ig_accounts(*handles):
    member = factories.legislator()
    return [factories.account(member, platform=Platform.INSTAGRAM, handle=h) for h in handles]


def _discovery(request):
    fields = parse_qs(urlparse(request.url).query)["fields"][0]
    return fields.split("username(")[1].split(")")[0]


def test_professional_accounts_are_read_through_business_discovery(graph):
    jane, personal = _ig_accounts("janedoe.mp", "someone.personal")

    def reply(request):
        handle = _discovery(request)
        if handle == "janedoe.mp":
            found = {"id": "17841400000000001", "username": handle, "followers_count": 23876, "media_count": 912}
            return 200, {}, json.dumps({"business_discovery": found, "id": OUR_IG_ID})
        body = _error(
            110,
            "Invalid user id",
            2207013,
            is_transient=False,
            error_user_title="Cannot find User",
            error_user_msg=f"The user with username: {handle} cannot be found.",
        )
        return 400, {}, json.dumps(body)

    graph.add_callback(responses.GET, GRAPH + OUR_IG_ID, callback=reply)
    run = _poll("instagram")
    assert run.api_calls == 2 and run.status_counts == {"ok": 1, "private": 1}
    assert graph.calls[0].request.headers["Authorization"] == f"Bearer {IG_TOKEN}"
    latest = LatestCount.objects.get(account=jane)
    assert (latest.followers, latest.posts) == (23876, 912)
    jane.refresh_from_db()
    personal.refresh_from_db()
    assert jane.platform_id == "17841400000000001"
    assert personal.status == Status.PRIVATE and "not a professional account" in personal.last_error
    assert not FollowerSnapshot.objects.filter(account=personal).exists()


def test_an_instagram_rate_limit_pauses_the_platform(graph):
    _ig_accounts("janedoe.mp")
    graph.get(
        GRAPH + OUR_IG_ID, status=400, json=_error(4, "(#4) Application request limit reached", is_transient=True)
    )
    run = runs.fetch_run_plan(platform="instagram")
    with pytest.raises(RateLimited):
        runs.fetch_batch(batch_id=run.batches.get().pk)
    assert RequestBudget("instagram").paused_for() > 0


def test_instagram_without_credentials_is_skipped_with_the_reason(live_settings):
    live_settings.INSTAGRAM_ACCESS_TOKEN = ""
    _ig_accounts("janedoe.mp")
    run = _poll("instagram")
    assert run.status == FetchRun.Status.SKIPPED
    assert "INSTAGRAM_ACCESS_TOKEN" in run.note


def test_an_expired_instagram_token_stops_the_run(graph):
    _ig_accounts("janedoe.mp", "other")
    graph.get(GRAPH + OUR_IG_ID, status=400, json=_error(190, "Error validating access token: expired", 463))
    with pytest.raises(CommandError):
        _poll("instagram")
    run = FetchRun.objects.get()
    assert run.status == FetchRun.Status.STOPPED and len(graph.calls) == 1

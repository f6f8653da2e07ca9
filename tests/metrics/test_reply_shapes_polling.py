"""No reply, whatever its shape, reaches a traceback: every client turns any JSON
body into one result per account or a platform error with a reason (a
property test over generated bodies, sent through each client's whole reading
path with the HTTP layer replaced)."""

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legislators.models import Platform, SocialAccount
from metrics.polling.clients import ClientUnavailable, PlatformError, UnusableReply
from metrics.polling.clients.base import TimeoutSession
from metrics.polling.clients.facebook import FacebookClient
from metrics.polling.clients.instagram import InstagramClient
from metrics.polling.clients.x import XClient
from metrics.polling.clients.youtube import YouTubeClient

A = "UCaaaaaaaaaaaaaaaaaaaaaa"
KEYS = [
    "data", "errors", "error", "id", "username", "public_metrics", "followers_count", "fan_count", "title",
    "detail", "value", "message", "code", "error_subcode", "items", "statistics", "subscriberCount",
    "hiddenSubscriberCount", "kind", "pageInfo", "business_discovery", "reason", "1000", "5000", "page.one", A,
]  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=False) | st.text(max_size=12)
JSON = st.recursive(
    SCALARS | st.sampled_from(["1000", "5000", A, "youtube#channelListResponse"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=25,
)


class Budget:
    def spend(self):
        return 0

    def pause_until(self, epoch):
        pass

    def paused_for(self, **kwargs):
        return 0


class Reply(requests.Response):
    def __init__(self, body, status):
        super().__init__()
        self.status_code = status
        self._content = json.dumps(body).encode()
        self.headers["content-type"] = "application/json"
        self.url = "http://127.0.0.1/"


def _accounts(platform):
    specs = {
        Platform.X: [("member_1000", "1000"), ("member_1001", "1001")],
        Platform.FACEBOOK: [("page.one", "5000"), ("page.two", "")],
        Platform.INSTAGRAM: [("member.one", ""), ("member.two", "")],
        Platform.YOUTUBE: [("channel0", A), ("someone", "")],
    }[platform]
    return [
        SocialAccount(pk=n + 1, platform=platform, handle=handle, platform_id=platform_id)
        for n, (handle, platform_id) in enumerate(specs)
    ]


def _client(platform):
    common = {"timeout": 1, "budget": Budget()}
    graph = {"base_url": "http://127.0.0.1", "version": "v26.0", **common}
    if platform == Platform.X:
        return XClient(bearer_token="t" * 20, base_url="http://127.0.0.1", **common)
    if platform == Platform.FACEBOOK:
        return FacebookClient(access_token="t" * 20, **graph)
    if platform == Platform.INSTAGRAM:
        return InstagramClient(access_token="t" * 20, business_account_id="17841405309211844", **graph)
    return YouTubeClient(api_key="k" * 20, base_url="http://127.0.0.1", **common)


@pytest.mark.parametrize("platform", [Platform.X, Platform.FACEBOOK, Platform.INSTAGRAM, Platform.YOUTUBE])
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON, status=st.sampled_from([200, 200, 200, 400, 404, 500]))
def test_any_json_body_is_a_result_per_account_or_a_platform_error(platform, body, status, monkeypatch):
    monkeypatch.setattr(TimeoutSession, "request", lambda self, method, url, *args, **kwargs: Reply(body, status))
    accounts = _accounts(platform)
    try:
        outcome = _client(platform).fetch(accounts)
    except (PlatformError, ClientUnavailable) as exc:
        assert str(exc)  # a reason a person can read
        assert exc.outcome.api_calls >= 1  # the calls made travel with the error
        return
    assert sorted(result.account_id for result in outcome.results) == [1, 2]
    assert outcome.api_calls >= 1


@pytest.mark.parametrize(
    ("platform", "body", "reason"),
    [
        (Platform.X, {"data": {"id": "1000"}}, "`data` is an object"),
        (Platform.X, {"data": [{"id": 1000}]}, "`data[0].id` is a number (1000), expected a non-empty string"),
        (Platform.X, {"errors": "oops"}, "`errors` is a string"),
        (Platform.X, {}, "neither `data` nor `errors` in it"),
        (Platform.FACEBOOK, [], "the reply is a list ([]), expected an object"),
        (Platform.FACEBOOK, {"5000": 7}, "the entry for 5000 is a number (7), expected an object"),
        (Platform.FACEBOOK, {"error": {"code": "190"}}, "`error.code` is a string"),
        (Platform.INSTAGRAM, {"business_discovery": []}, "`business_discovery` is a list"),
        (Platform.YOUTUBE, {"items": {}}, "`items` is an object"),
        (Platform.YOUTUBE, {"items": [{"statistics": {}}]}, "`items[0].id` is null"),
        (Platform.YOUTUBE, {"error": ["backendError"]}, "holds an error that is not an object"),
    ],
)
def test_each_wrong_shape_is_named(platform, body, reason, monkeypatch):
    monkeypatch.setattr(TimeoutSession, "request", lambda self, method, url, *args, **kwargs: Reply(body, 200))
    with pytest.raises(UnusableReply, match="unusable reply|holds an error") as raised:
        _client(platform).fetch(_accounts(platform))
    assert reason in str(raised.value)

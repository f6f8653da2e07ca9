"""YouTube Data API channels.list at the HTTP level (`responses`)."""

from datetime import datetime
from unittest import mock
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
import responses
from django.core.management import CommandError, call_command

from legislators.models import Platform, SocialAccount
from metrics.models import FetchRun, FollowerSnapshot, LatestCount
from metrics.polling.budget import RequestBudget
from metrics.polling.clients.youtube import seconds_until_quota_reset
from tests import factories

Status = SocialAccount.Status
pytestmark = pytest.mark.django_db
YT_KEY = "AIza-youtube-secret-key-123456"
CHANNELS = "https://www.googleapis.com/youtube/v3/channels"
A = "UCaaaaaaaaaaaaaaaaaaaaaa"
B = "UCbbbbbbbbbbbbbbbbbbbbbb"
C = "UCcccccccccccccccccccccc"


@pytest.fixture
def youtube(live_settings):
    live_settings.YOUTUBE_API_KEY = YT_KEY
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _channels(*specs):
    member = factories.legislator()
    return [
        factories.account(member, platform=Platform.YOUTUBE, handle=handle, platform_id=channel_id)
        for handle, channel_id in specs
    ]


def _poll():
    call_command("fetch_followers", platform=["youtube"], sync=True)
    return FetchRun.objects.get(platform="youtube")


def _error(code, reason, message, domain="global", **extra):
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            **extra,
        }
    }


def test_counts_hidden_and_missing_channels_in_one_call(youtube):
    shown, hidden, gone = _channels(("janedoe", A), ("quietone", B), ("deleted", C))
    youtube.get(
        CHANNELS,
        json={
            "kind": "youtube#channelListResponse",
            "etag": "x",
            "pageInfo": {"totalResults": 2, "resultsPerPage": 2},
            "items": [
                {
                    "kind": "youtube#channel",
                    "etag": "a",
                    "id": A,
                    "statistics": {
                        "viewCount": "5120033",
                        "subscriberCount": "48100",
                        "hiddenSubscriberCount": False,
                        "videoCount": "412",
                    },
                },
                {
                    "kind": "youtube#channel",
                    "etag": "b",
                    "id": B,
                    "statistics": {"viewCount": "90321", "hiddenSubscriberCount": True, "videoCount": "37"},
                },
            ],
        },
    )
    run = _poll()
    request = youtube.calls[0].request
    query = parse_qs(urlparse(request.url).query)
    assert sorted(query["id"][0].split(",")) == [A, B, C] and query["part"] == ["statistics"]
    assert request.headers["X-Goog-Api-Key"] == YT_KEY and YT_KEY not in request.url
    assert run.api_calls == 1 and run.status_counts == {"error": 1, "hidden": 1, "ok": 1}
    latest = LatestCount.objects.get(account=shown)
    assert (latest.followers, latest.posts) == (48100, 412)  # strings cast to numbers
    assert not FollowerSnapshot.objects.filter(account__in=[hidden, gone]).exists()  # hidden is no number, never 0
    assert SocialAccount.objects.get(pk=hidden.pk).status == Status.HIDDEN
    # YouTube leaves unknown and terminated channels out without saying which: an error of the reply.
    gone.refresh_from_db()
    assert gone.status == Status.ERROR and "missing from the reply" in gone.last_error


def test_an_all_miss_reply_without_items_is_read_as_every_channel_missing(youtube):
    _channels(("janedoe", A))
    youtube.get(CHANNELS, json={"kind": "youtube#channelListResponse", "etag": "x", "pageInfo": {"totalResults": 0}})
    run = _poll()
    assert run.status == FetchRun.Status.DONE and run.status_counts == {"error": 1}
    assert "missing from the reply" in SocialAccount.objects.get().last_error


def test_a_handle_is_resolved_once_and_its_channel_id_kept(youtube):
    (account,) = _channels(("@janedoe", ""))
    youtube.get(
        CHANNELS,
        json={
            "kind": "youtube#channelListResponse",
            "pageInfo": {"totalResults": 1},
            "items": [{"id": A, "statistics": {"subscriberCount": "1230", "videoCount": "5"}}],
        },
    )
    _poll()
    assert parse_qs(urlparse(youtube.calls[0].request.url).query)["forHandle"] == ["@janedoe"]
    account.refresh_from_db()
    assert account.platform_id == A and LatestCount.objects.get(account=account).followers == 1230


def test_quota_exceeded_waits_for_midnight_pacific_instead_of_retrying(youtube):
    _channels(("janedoe", A))
    five_hours_to_reset = mock.patch("metrics.polling.clients.youtube.seconds_until_quota_reset", return_value=5 * 3600)
    message = "The request cannot be completed because you have exceeded your quota."
    youtube.get(CHANNELS, status=403, json=_error(403, "quotaExceeded", message, domain="youtube.quota"))
    with five_hours_to_reset, pytest.raises(CommandError):
        _poll()
    run = FetchRun.objects.get()
    assert len(youtube.calls) == 1  # no backoff retries against a daily quota
    assert "midnight Pacific" in run.errors[0]
    assert 4.9 * 3600 < RequestBudget("youtube").paused_for() <= 5 * 3600
    FetchRun.objects.all().delete()
    next_run = _poll()  # the next scheduled poll before the reset is skipped, saying until when
    assert next_run.status == FetchRun.Status.SKIPPED and "paused" in next_run.note
    assert len(youtube.calls) == 1


def test_a_bad_api_key_stops_the_run(youtube):
    _channels(("janedoe", A))
    message = "API key not valid. Please pass a valid API key."
    youtube.get(CHANNELS, status=400, json=_error(400, "badRequest", message, status="INVALID_ARGUMENT"))
    with pytest.raises(CommandError, match="YOUTUBE_API_KEY"):
        _poll()
    assert FetchRun.objects.get().status == FetchRun.Status.STOPPED


def test_a_per_minute_limit_is_retried(youtube, settings):
    settings.FETCH_MAX_RETRY_WAIT = 1  # the 60 s wait is longer: the batch fails, saying why
    _channels(("janedoe", A))
    message = "The request cannot be completed because you have exceeded your quota."
    youtube.get(CHANNELS, status=403, json=_error(403, "rateLimitExceeded", message, domain="usageLimits"))
    with pytest.raises(CommandError):
        _poll()
    assert "per-minute limit" in FetchRun.objects.get().errors[0]


def test_the_quota_resets_at_midnight_pacific():
    pacific = ZoneInfo("America/Los_Angeles")
    assert seconds_until_quota_reset(datetime(2026, 11, 26, 23, 0, tzinfo=pacific)) == 3600
    kolkata_noon = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("Asia/Kolkata"))  # 22:30 the day before in PT
    assert seconds_until_quota_reset(kolkata_noon) == 1.5 * 3600

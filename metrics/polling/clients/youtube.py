"""YouTube channels through the Data API v3: ``channels.list``, 50 ids a call.

Channels are polled by their ``UC…`` id; an account known only by its
``@handle`` is resolved once with ``forHandle`` (one call, which returns the
statistics too). Unknown or terminated channels are silently left out of
``items``: they are "not found". ``hiddenSubscriberCount`` means hidden: no
number is stored, never 0. Counts arrive as strings, rounded down by YouTube
to three significant figures.

The quota (10,000 units a day, 1 unit a call) resets at midnight Pacific
time: ``quotaExceeded`` pauses the platform until then instead of retrying.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import requests

from follower_tracker.logging import redact
from legislators.models import SocialAccount

from .base import (
    AccountResult,
    ClientUnavailable,
    FetchOutcome,
    PlatformError,
    RateLimited,
    TimeoutSession,
    TransientError,
    as_count,
    json_body,
)

Status = SocialAccount.Status
CHANNEL_ID_RE = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
PACIFIC = ZoneInfo("America/Los_Angeles")


def seconds_until_quota_reset(now=None):
    """Seconds from ``now`` to the next midnight Pacific time (YouTube's daily reset)."""
    now = now or datetime.now(tz=PACIFIC)
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    return (midnight - local).total_seconds()


class YouTubeClient:
    name = "youtube"
    max_batch = 50

    def __init__(self, *, api_key, base_url, timeout, budget):
        self.root = base_url.rstrip("/")
        self.session = TimeoutSession(timeout=timeout)
        # The key goes in a header, never in the URL, so no log carries it.
        self.session.headers["X-Goog-Api-Key"] = api_key
        self.budget = budget

    def fetch(self, accounts):
        outcome = FetchOutcome()
        by_id, by_handle = {}, []
        for account in accounts:
            channel_id = account.platform_id or account.handle.strip()
            if CHANNEL_ID_RE.match(channel_id):
                by_id[channel_id] = account
            else:
                by_handle.append(account)
        ids = list(by_id)
        for start in range(0, len(ids), 50):
            chunk = ids[start : start + 50]
            body = self._get(outcome, {"part": "statistics", "id": ",".join(chunk), "maxResults": 50})
            items = {item.get("id"): item for item in body.get("items") or [] if isinstance(item, dict)}
            for channel_id in chunk:
                account = by_id[channel_id]
                item = items.get(channel_id)
                if item is None:
                    outcome.results.append(
                        AccountResult(account_id=account.pk, status=Status.NOT_FOUND, error="channel not returned")
                    )
                else:
                    outcome.results.append(_result(account, item))
        for account in by_handle:
            handle = account.handle.strip().rstrip("/").rsplit("/", 1)[-1].lstrip("@")
            body = self._get(outcome, {"part": "statistics", "forHandle": f"@{handle}"})
            items = [item for item in body.get("items") or [] if isinstance(item, dict)]
            if not items:
                outcome.results.append(
                    AccountResult(account_id=account.pk, status=Status.NOT_FOUND, error="no channel with this handle")
                )
            else:
                outcome.results.append(_result(account, items[0]))
        return outcome

    def _get(self, outcome, params):
        wait = self.budget.spend()
        if wait:
            raise RateLimited(f"youtube: request budget spent; next window in {wait:.0f}s", wait)
        outcome.api_calls += 1
        try:
            response = self.session.get(f"{self.root}/channels", params=params)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(redact(f"youtube: {type(exc).__name__}: {exc}")[:300]) from None
        if response.status_code >= 500:
            raise TransientError(f"youtube: server error HTTP {response.status_code}")
        body = json_body(response, "youtube")
        if not isinstance(body, dict):
            raise PlatformError("youtube: the reply is not a JSON object")
        if response.status_code == 404:
            return {}  # channelNotFound: every channel asked is missing
        if response.status_code != 200 or "error" in body:
            _raise_for_error(response.status_code, body.get("error") or {}, self.budget)
        return body


def _raise_for_error(status, error, budget):
    reasons = {e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)}
    message = redact(str(error.get("message", "")))[:300]
    if "quotaExceeded" in reasons or "dailyLimitExceeded" in reasons:
        wait = seconds_until_quota_reset()
        budget.pause_until(datetime.now().timestamp() + wait)
        raise RateLimited("youtube: daily quota exceeded; polling resumes after midnight Pacific time", wait)
    if reasons & {"rateLimitExceeded", "userRateLimitExceeded"}:
        raise RateLimited(f"youtube: per-minute limit reached: {message}", 60)
    if reasons & {"keyInvalid", "keyExpired"} or "API key not valid" in message:
        raise ClientUnavailable("youtube: the API key was refused: replace YOUTUBE_API_KEY")
    if reasons & {"accessNotConfigured", "forbidden", "ipRefererBlocked"}:
        raise ClientUnavailable(f"youtube: the API key may not call the Data API ({', '.join(sorted(reasons))})")
    raise PlatformError(f"youtube: HTTP {status} {', '.join(sorted(r for r in reasons if r))}: {message}")


def _result(account, item):
    statistics = item.get("statistics") or {}
    posts = as_count(statistics.get("videoCount"))
    channel_id = str(item.get("id") or "")
    if statistics.get("hiddenSubscriberCount"):
        return AccountResult(
            account_id=account.pk,
            status=Status.HIDDEN,
            posts=posts,
            platform_id=channel_id,
            error="the channel hides its subscriber count",
        )
    followers = as_count(statistics.get("subscriberCount"))
    if followers is None:
        return AccountResult(account_id=account.pk, status=Status.ERROR, error="no subscriberCount in the reply")
    return AccountResult(account_id=account.pk, followers=followers, posts=posts, platform_id=channel_id)

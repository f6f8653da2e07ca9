"""YouTube channels through the Data API v3: ``channels.list``, 50 ids a call.

Channels are polled by their ``UC…`` id; an account known only by its
name is resolved once (one call, which returns the statistics too, and the
channel id is kept): ``forHandle`` for an ``@handle``, ``forUsername`` for a
legacy ``/user/<name>`` username, and for a bare name (the import keeps
only the name of a ``youtube.com/user/<name>`` URL) ``forHandle`` first, then
``forUsername``. A name neither finds is "not found".

YouTube leaves unknown or terminated channels out of an ``id=`` reply without
saying which: a channel asked for and left out is that account's error,
"missing from the reply", not "not found". Every reply is checked against
the documented shape first (``replies.youtube_channels``): a 200 whose
``error`` is a string (``{"error": "backendError"}``) or a body that is not a
channel list is unusable and retried a bounded number of times.
``hiddenSubscriberCount`` means hidden: no number is stored, never 0. Counts
arrive as strings, rounded down by YouTube to three significant figures.

The quota (10,000 units a day, 1 unit a call) resets at midnight Pacific
time: ``quotaExceeded`` pauses the platform until then instead of retrying.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import requests

from follower_tracker.logging import redact
from legislators.models import SocialAccount

from . import replies
from .base import (
    AccountResult,
    ClientUnavailable,
    FetchOutcome,
    PlatformError,
    RateLimited,
    TimeoutSession,
    TransientError,
    UnusableReply,
    as_count,
    json_body,
    keeping_progress,
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
        with keeping_progress(outcome):
            self._fetch(accounts, outcome)
        return outcome

    def _fetch(self, accounts, outcome):
        by_id, by_name = {}, []
        for account in accounts:
            channel_id = account.platform_id or _last_part(account.handle)
            if CHANNEL_ID_RE.match(channel_id):
                by_id[channel_id] = account
            else:
                by_name.append(account)
        ids = list(by_id)
        for start in range(0, len(ids), 50):
            chunk = ids[start : start + 50]
            items = self._get(outcome, {"part": "statistics", "id": ",".join(chunk), "maxResults": 50})
            if items is None:  # a documented 404 channelNotFound
                for channel_id in chunk:
                    status, error = (
                        (Status.NOT_FOUND, "channel not found (404 channelNotFound)")
                        if len(chunk) == 1
                        else (Status.ERROR, "YouTube answered 404 channelNotFound for the whole request")
                    )
                    outcome.results.append(AccountResult(account_id=by_id[channel_id].pk, status=status, error=error))
                continue
            found = {item["id"]: item for item in items}
            if found and not found.keys() & set(chunk):
                raise UnusableReply(
                    f"{replies.YOUTUBE_CHANNELS}: unusable reply: none of the {len(chunk)} channels asked is in it"
                )
            for channel_id in chunk:
                account = by_id[channel_id]
                item = found.get(channel_id)
                if item is None:
                    outcome.results.append(
                        AccountResult(
                            account_id=account.pk,
                            status=Status.ERROR,
                            error="missing from the reply (YouTube leaves out unknown or terminated channels "
                            "without saying which)",
                        )
                    )
                else:
                    outcome.results.append(_result(account, item))
        for account in by_name:
            outcome.results.append(self._resolve(outcome, account))

    def _resolve(self, outcome, account):
        """One channel by name: ``forHandle`` and/or ``forUsername`` (see the module's note)."""
        filters = name_filters(account.handle)
        for name, value in filters:
            items = self._get(outcome, {"part": "statistics", name: value}) or []
            if items:
                return _result(account, items[0])
        tried = " or ".join(f"{name}={value}" for name, value in filters)
        return AccountResult(account_id=account.pk, status=Status.NOT_FOUND, error=f"no channel for {tried}")

    def _get(self, outcome, params):
        """The ``items`` of a channels.list reply ([] when none matched), or
        None for a 404 channelNotFound; errors as the base errors."""
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
        error = replies.youtube_error(body, replies.YOUTUBE_CHANNELS)
        if error is not None:
            reasons = _reasons(error)
            if response.status_code == 404 or "channelNotFound" in reasons:
                return None
            _raise_for_error(response.status_code, error, self.budget)
        if response.status_code != 200:
            raise UnusableReply(f"{replies.YOUTUBE_CHANNELS}: HTTP {response.status_code} without an error object")
        return replies.youtube_channels(body, replies.YOUTUBE_CHANNELS)


def _last_part(handle):
    return handle.strip().rstrip("/").rsplit("/", 1)[-1]


def name_filters(handle):
    """The channels.list filters that find a channel known by ``handle``, in the order to try.

    ``@name`` and ``…/@name`` → forHandle; ``user/name`` and ``…/user/name``
    (a legacy username) → forUsername; a bare ``name`` → forHandle, then
    forUsername (the import keeps only the name of a ``/user/<name>`` URL).
    """
    text = handle.strip().rstrip("/")
    parts = [part for part in text.split("/") if part]
    name = parts[-1] if parts else text
    if len(parts) >= 2 and parts[-2].lower() == "user":
        return [("forUsername", name)]
    if name.startswith("@"):
        return [("forHandle", name)]
    return [("forHandle", f"@{name}"), ("forUsername", name)]


def _reasons(error):
    return {e.get("reason") for e in error.get("errors") or [] if isinstance(e.get("reason"), str)}


def _raise_for_error(status, error, budget):
    reasons = _reasons(error)
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
        raise ClientUnavailable(
            f"youtube: the API key may not call the Data API ({', '.join(sorted(reasons))}): "
            "enable the YouTube Data API v3 for the project of YOUTUBE_API_KEY"
        )
    if reasons & {"backendError", "internalError"}:
        raise TransientError(f"youtube: temporary error ({', '.join(sorted(reasons))}): {message}")
    raise PlatformError(f"youtube: HTTP {status} {', '.join(sorted(r for r in reasons if r))}: {message}")


def _result(account, item):
    statistics = item.get("statistics")
    if not isinstance(statistics, dict):
        return AccountResult(account_id=account.pk, status=Status.ERROR, error="no statistics in the reply")
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

"""Audience geography of connected accounts: where followers (or viewers) live, by city.

- Instagram professional accounts: ``GET /{ig-user-id}?fields=followers_count`` then
  ``GET /{ig-user-id}/insights?metric=follower_demographics&period=lifetime&metric_type=total_value&breakdown=city``
  (top cities; only for accounts with at least 100 followers: below that no call is made).
- Facebook Pages: ``GET /{page-id}?fields=followers_count,fan_count`` then
  ``GET /{page-id}/insights?metric=page_fans_city&period=lifetime`` (fans by city, top cities).
- YouTube channels (the owner's grant): YouTube Analytics ``reports.query`` with ``ids=channel==MINE``,
  ``metrics=views`` over GEOGRAPHY_VIEWS_DAYS days: once by ``dimensions=city`` (top 200 cities,
  ``filters=country==IN``) and once without (all views), so the remainder is known.

Each account is asked with its own token (``GeographyRequest.token``, decrypted by the caller for this call
only). What concerns one account is its result: ``below_threshold``, ``no_data``, ``revoked`` (the grant or a
permission withdrawn), ``expired`` (the token). What concerns the batch raises, as for counts: rate limits
(``RateLimited``, and the shared budget paused), 5xx and timeouts (``TransientError``), a reply of the wrong shape
(``UnusableReply``): the batch is retried and, failing, leaves every stored geography as it was.
"""

import time
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from django.utils import timezone

from follower_tracker.logging import redact

from . import replies
from .base import (
    FetchOutcome,
    PlatformError,
    RateLimited,
    TimeoutSession,
    TransientError,
    UnusableReply,
    json_body,
    keeping_progress,
)
from .facebook import usage_pause_seconds
from .youtube import seconds_until_quota_reset

MIN_FOLLOWERS = 100  # Instagram and Page audience demographics need at least this many followers
GRAPH_RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002, 341}
GRAPH_REVOKED_SUBCODES = {458, 460, 467}
GRAPH_PERMISSION_CODES = {10, *range(200, 300)}
DEFAULT_THROTTLE_SECONDS = 10 * 60


class Outcome:
    OK = "ok"
    NO_DATA = "no_data"
    BELOW_THRESHOLD = "below_threshold"
    REVOKED = "revoked"
    EXPIRED = "expired"
    ERROR = "error"
    NOT_CONNECTED = "not_connected"  # revoked between the plan and the fetch: nothing asked, nothing written


@dataclass
class GeographyRequest:
    account_id: int
    external_id: str
    token: str
    followers: int | None = None  # the latest public count (YouTube: subscribers)


@dataclass
class GeographyResult:
    account_id: int
    status: str = Outcome.OK
    error: str = ""
    metric: str = "followers"
    total: int = 0
    followers: int | None = None
    cities: dict = field(default_factory=dict)


class AccountProblem(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class GraphGeographyClient:
    """Instagram ``follower_demographics`` or Facebook ``page_fans_city``, one account at a time."""

    max_batch = 25

    def __init__(self, *, platform, base_url, version, timeout, budget):
        self.name = platform
        self.platform = platform
        self.root = f"{base_url.rstrip('/')}/{version}"
        self.session = TimeoutSession(timeout=timeout)
        self.budget = budget

    def fetch(self, requests_):
        outcome = FetchOutcome()
        with keeping_progress(outcome):
            for request in requests_:
                outcome.results.append(self._one(outcome, request))
        return outcome

    def _one(self, outcome, request):
        try:
            fields = "followers_count" if self.platform == "instagram" else "followers_count,fan_count"
            account = replies.expect_object(
                self._get(outcome, request, request.external_id, {"fields": fields}),
                replies.GRAPH_FOLLOWERS,
                "the reply",
            )
            followers = account.get("followers_count", account.get("fan_count"))
            followers = replies.expect_count(followers, replies.GRAPH_FOLLOWERS, "`followers_count`")
            if followers < MIN_FOLLOWERS:
                return GeographyResult(
                    account_id=request.account_id,
                    status=Outcome.BELOW_THRESHOLD,
                    followers=followers,
                    error=f"{followers} followers: the platform shows audience by city from {MIN_FOLLOWERS}",
                )
            if self.platform == "instagram":
                params = {
                    "metric": "follower_demographics",
                    "period": "lifetime",
                    "metric_type": "total_value",
                    "breakdown": "city",
                }
                path, endpoint = f"{request.external_id}/insights", replies.IG_FOLLOWER_DEMOGRAPHICS
                cities = replies.ig_follower_demographics(self._get(outcome, request, path, params, endpoint))
            else:
                params = {"metric": "page_fans_city", "period": "lifetime"}
                path, endpoint = f"{request.external_id}/insights", replies.FB_PAGE_FANS_CITY
                cities = replies.fb_page_fans_city(self._get(outcome, request, path, params, endpoint))
        except AccountProblem as problem:
            return GeographyResult(account_id=request.account_id, status=problem.status, error=str(problem))
        if not cities:
            return GeographyResult(
                account_id=request.account_id,
                status=Outcome.NO_DATA,
                followers=followers,
                error="the platform reported no cities",
            )
        return GeographyResult(
            account_id=request.account_id,
            total=max(followers, sum(cities.values())),
            followers=followers,
            cities=cities,
        )

    def _get(self, outcome, request, path, params, endpoint=replies.GRAPH_FOLLOWERS):
        wait = self.budget.spend()
        if wait:
            raise RateLimited(f"{self.platform}: request budget spent; next window in {wait:.0f}s", wait)
        outcome.api_calls += 1
        try:
            response = self.session.get(
                f"{self.root}/{path}", params=params, headers={"Authorization": f"Bearer {request.token}"}
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(redact(f"{self.platform}: {type(exc).__name__}: {exc}")[:300]) from None
        pause = usage_pause_seconds(response.headers)
        if pause:
            self.budget.pause_until(time.time() + pause)
        if response.status_code >= 500:
            raise TransientError(f"{self.platform}: server error HTTP {response.status_code}")
        body = json_body(response, self.platform)
        error = replies.graph_error(body, endpoint)
        if error is not None:
            self._raise_for(error, pause)
        if response.status_code != 200:
            raise UnusableReply(f"{self.platform}: HTTP {response.status_code} without a Graph error in the reply")
        return body

    def _raise_for(self, error, pause=0):
        code, subcode = error.get("code"), error.get("error_subcode")
        message = redact(str(error.get("message", "")))[:200]
        if code == 190:
            status = Outcome.REVOKED if subcode in GRAPH_REVOKED_SUBCODES else Outcome.EXPIRED
            raise AccountProblem(status, f"token refused (190/{subcode}): {message}")
        if code in GRAPH_PERMISSION_CODES:
            raise AccountProblem(Outcome.REVOKED, f"permission withdrawn (code {code}): {message}")
        if code in GRAPH_RATE_LIMIT_CODES:
            wait = pause or DEFAULT_THROTTLE_SECONDS
            self.budget.pause_until(time.time() + wait)
            raise RateLimited(f"{self.platform}: rate limited (code {code}): {message}", wait)
        if code in (1, 2):
            raise TransientError(f"{self.platform}: temporary Graph error (code {code}): {message}")
        raise AccountProblem(Outcome.ERROR, f"Graph error {code}/{subcode}: {message}")


class YouTubeGeographyClient:
    """YouTube Analytics views by city over the last GEOGRAPHY_VIEWS_DAYS days, per channel (its owner's token)."""

    name = "youtube"
    max_batch = 25

    def __init__(self, *, base_url, timeout, budget, days):
        self.root = base_url.rstrip("/")
        self.session = TimeoutSession(timeout=timeout)
        self.budget = budget
        self.days = days

    def fetch(self, requests_):
        outcome = FetchOutcome()
        with keeping_progress(outcome):
            for request in requests_:
                outcome.results.append(self._one(outcome, request))
        return outcome

    def _one(self, outcome, request):
        end = timezone.localdate() - timedelta(days=1)
        window = {
            "ids": "channel==MINE",
            "startDate": (end - timedelta(days=self.days - 1)).isoformat(),
            "endDate": end.isoformat(),
            "metrics": "views",
        }
        try:
            _names, total_rows = self._report(outcome, request, window)
            total = int(total_rows[0][0]) if total_rows else 0
            if total <= 0:
                return GeographyResult(
                    account_id=request.account_id,
                    status=Outcome.NO_DATA,
                    metric="views",
                    error="no views in the window",
                )
            by_city = {**window, "dimensions": "city", "filters": "country==IN", "sort": "-views", "maxResults": 200}
            names, rows = self._report(outcome, request, by_city)
        except AccountProblem as problem:
            return GeographyResult(
                account_id=request.account_id, status=problem.status, metric="views", error=str(problem)
            )
        city_at, views_at = (
            names.index("city") if "city" in names else 0,
            names.index("views") if "views" in names else -1,
        )
        cities = {}
        for row in rows:
            if isinstance(row[views_at], int) and not isinstance(row[views_at], bool) and row[views_at] >= 0:
                cities[str(row[city_at])] = cities.get(str(row[city_at]), 0) + row[views_at]
        if not cities:
            return GeographyResult(
                account_id=request.account_id, status=Outcome.NO_DATA, metric="views", error="no views by city reported"
            )
        return GeographyResult(
            account_id=request.account_id,
            metric="views",
            total=max(total, sum(cities.values())),
            followers=request.followers,
            cities=cities,
        )

    def _report(self, outcome, request, params):
        wait = self.budget.spend()
        if wait:
            raise RateLimited(f"youtube: request budget spent; next window in {wait:.0f}s", wait)
        outcome.api_calls += 1
        try:
            response = self.session.get(
                f"{self.root}/reports", params=params, headers={"Authorization": f"Bearer {request.token}"}
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(redact(f"youtube analytics: {type(exc).__name__}: {exc}")[:300]) from None
        if response.status_code >= 500:
            raise TransientError(f"youtube analytics: server error HTTP {response.status_code}")
        body = json_body(response, "youtube analytics")
        error = replies.youtube_error(body, replies.YOUTUBE_ANALYTICS)
        if error is not None:
            self._raise_for(response.status_code, error)
        return replies.youtube_report(body)

    def _raise_for(self, status, error):
        reasons = {e.get("reason") for e in error.get("errors") or [] if isinstance(e.get("reason"), str)}
        message = redact(str(error.get("message", "")))[:200]
        if "quotaExceeded" in reasons or "dailyLimitExceeded" in reasons:
            wait = seconds_until_quota_reset()
            self.budget.pause_until(time.time() + wait)
            raise RateLimited("youtube analytics: daily quota exceeded; resumes after midnight Pacific time", wait)
        if reasons & {"rateLimitExceeded", "userRateLimitExceeded"} or status == 429:
            raise RateLimited(f"youtube analytics: rate limited: {message}", 60)
        if status == 401:
            raise AccountProblem(Outcome.EXPIRED, f"token refused (HTTP 401): {message}")
        if status == 403 or reasons & {"insufficientPermissions", "forbidden"}:
            raise AccountProblem(
                Outcome.REVOKED, f"permission withdrawn ({', '.join(sorted(reasons)) or 403}): {message}"
            )
        raise PlatformError(f"youtube analytics: HTTP {status} {', '.join(sorted(reasons))}: {message}")

"""Facebook Pages through the Graph API: ``GET /{version}/?ids=…``, 50 a call.

One unknown id or alias fails the whole multi-id call (code 803, or 100),
so on that error the batch is split in halves until the bad ids stand alone:
a single bad page costs about 2·log2(50) ≈ 12 calls, not 50, and every other
page is still polled. Pages report ``followers_count`` (``fan_count``, the old
"likes", is the fallback) and no post count.

Errors are read from ``error.code``/``error_subcode``, not the HTTP status;
the helpers here are shared with the Instagram client (same Graph API).
"""

import json
import time

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
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002, 341}
NOT_FOUND_CODES = {803, 100}
PERMISSION_CODES = {10, *range(200, 300)}
# With no usage header to say how long, a throttled app waits this long.
DEFAULT_THROTTLE_SECONDS = 10 * 60
# Above this share of the app's hourly allowance every worker slows down.
USAGE_PAUSE_PERCENT = 90


class GraphApiError(Exception):
    def __init__(self, error):
        self.code = error.get("code")
        self.subcode = error.get("error_subcode")
        self.message = redact(str(error.get("message", "")))[:300]
        super().__init__(f"Graph error {self.code}/{self.subcode}: {self.message}")


class GraphApi:
    """GET calls to the Graph API with a token in the Authorization header
    (never in the URL, so no log or exception carries it), a timeout, the
    shared budget, and the usage headers turned into pauses."""

    def __init__(self, *, platform, access_token, base_url, version, timeout, budget):
        self.platform = platform
        self.root = f"{base_url.rstrip('/')}/{version}"
        self.session = TimeoutSession(timeout=timeout)
        self.session.headers["Authorization"] = f"Bearer {access_token}"
        self.budget = budget

    def get(self, outcome, path, params):
        """The JSON of a successful call; ``GraphApiError`` for an error the caller
        may map to an account; other failures as the base errors."""
        wait = self.budget.spend()
        if wait:
            raise RateLimited(f"{self.platform}: request budget spent; next window in {wait:.0f}s", wait)
        outcome.api_calls += 1
        try:
            response = self.session.get(f"{self.root}/{path.lstrip('/')}", params=params)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(redact(f"{self.platform}: {type(exc).__name__}: {exc}")[:300]) from None
        self._slow_down_from_usage(response.headers)
        if response.status_code >= 500 and not _has_graph_error(response):
            raise TransientError(f"{self.platform}: server error HTTP {response.status_code}")
        body = json_body(response, self.platform)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = GraphApiError(body["error"])
            self._raise_for_run(error, response)
            raise error
        if response.status_code != 200 or not isinstance(body, dict):
            raise PlatformError(f"{self.platform}: unexpected reply (HTTP {response.status_code})")
        return body

    def _raise_for_run(self, error, response):
        """Errors that concern the whole platform, not one account."""
        if error.code == 190:
            raise ClientUnavailable(
                f"{self.platform}: the access token is invalid or expired (code 190/{error.subcode}): "
                "renew it in the environment"
            )
        if error.code in PERMISSION_CODES:
            raise ClientUnavailable(f"{self.platform}: missing permission (code {error.code}): {error.message}")
        if error.code in RATE_LIMIT_CODES:
            wait = _regain_seconds(response.headers) or DEFAULT_THROTTLE_SECONDS
            self.budget.pause_until(time.time() + wait)
            raise RateLimited(f"{self.platform}: rate limited (code {error.code}): {error.message}", wait)
        if error.code in (1, 2) or response.status_code >= 500:
            raise TransientError(f"{self.platform}: temporary Graph error (code {error.code}): {error.message}")

    def _slow_down_from_usage(self, headers):
        regain = _regain_seconds(headers)
        if regain:
            self.budget.pause_until(time.time() + regain)
        elif _usage_percent(headers) >= USAGE_PAUSE_PERCENT:
            # Usage is a rolling hour: pausing a few minutes lets it fall back.
            self.budget.pause_until(time.time() + 5 * 60)


def _has_graph_error(response):
    try:
        return isinstance(response.json().get("error"), dict)
    except (ValueError, AttributeError):
        return False


def _usage_percent(headers):
    """The highest percentage in X-App-Usage / X-Business-Use-Case-Usage / X-Page-Usage."""
    highest = 0
    for name in ("X-App-Usage", "X-Page-Usage"):
        usage = _json_header(headers, name)
        if isinstance(usage, dict):
            highest = max([highest, *[v for v in usage.values() if isinstance(v, int | float)]])
    for entries in _buc_entries(headers):
        for key in ("call_count", "total_cputime", "total_time"):
            value = entries.get(key)
            if isinstance(value, int | float):
                highest = max(highest, value)
    return highest


def _regain_seconds(headers):
    """``estimated_time_to_regain_access`` (minutes) from the BUC header, in seconds."""
    minutes = [
        entry.get("estimated_time_to_regain_access") or 0
        for entry in _buc_entries(headers)
        if isinstance(entry.get("estimated_time_to_regain_access"), int | float)
    ]
    return max(minutes, default=0) * 60


def _buc_entries(headers):
    usage = _json_header(headers, "X-Business-Use-Case-Usage")
    if not isinstance(usage, dict):
        return []
    return [
        entry for entries in usage.values() if isinstance(entries, list) for entry in entries if isinstance(entry, dict)
    ]


def _json_header(headers, name):
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class FacebookClient:
    name = "facebook"
    max_batch = 50

    def __init__(self, *, access_token, base_url, version, timeout, budget):
        self.api = GraphApi(
            platform="facebook",
            access_token=access_token,
            base_url=base_url,
            version=version,
            timeout=timeout,
            budget=budget,
        )

    def fetch(self, accounts):
        outcome = FetchOutcome()
        by_alias = {}
        for account in accounts:
            by_alias[(account.platform_id or account.handle.strip().lstrip("@")).lower()] = account
        self._fetch_group(outcome, list(by_alias), by_alias)
        return outcome

    def _fetch_group(self, outcome, aliases, by_alias):
        if not aliases:
            return
        try:
            body = self.api.get(
                outcome,
                "",
                {
                    "ids": ",".join(by_alias[a].platform_id or by_alias[a].handle.strip().lstrip("@") for a in aliases),
                    "fields": "id,username,followers_count,fan_count",
                },
            )
        except GraphApiError as error:
            if error.code not in NOT_FOUND_CODES:
                raise PlatformError(f"facebook: {error}") from None
            if len(aliases) == 1:
                account = by_alias[aliases[0]]
                outcome.results.append(
                    AccountResult(account_id=account.pk, status=Status.NOT_FOUND, error=error.message)
                )
                return
            # One bad id fails the whole call: split until it stands alone.
            middle = len(aliases) // 2
            self._fetch_group(outcome, aliases[:middle], by_alias)
            self._fetch_group(outcome, aliases[middle:], by_alias)
            return
        returned = {str(key).lower(): value for key, value in body.items()}
        for alias in aliases:
            account = by_alias[alias]
            page = returned.get(alias)
            if not isinstance(page, dict):
                outcome.results.append(
                    AccountResult(account_id=account.pk, status=Status.NOT_FOUND, error="missing from the reply")
                )
                continue
            followers = as_count(page.get("followers_count"))
            if followers is None:
                followers = as_count(page.get("fan_count"))
            if followers is None:
                outcome.results.append(
                    AccountResult(account_id=account.pk, status=Status.HIDDEN, error="the Page shows no follower count")
                )
                continue
            username = str(page.get("username") or "")
            renamed = username and account.platform_id and username.lower() != account.handle.lower()
            outcome.results.append(
                AccountResult(
                    account_id=account.pk,
                    followers=followers,
                    platform_id=str(page.get("id") or ""),
                    handle=username if renamed else "",
                )
            )

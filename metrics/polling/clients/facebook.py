"""Facebook Pages through the Graph API: ``GET /{version}/?ids=…``, 50 a call.

One unknown id or alias fails the whole multi-id call (code 803, or 100/33),
and the error names it: "(#803) Some of the aliases you requested do not
exist: jane.doe.old", "Object with ID 'jane.doe.old' does not exist". The
named pages are marked "not found" and the call is made again without them:
one extra call, not a search. Only when the error names none of the pages
asked is the group split in halves until the bad ids stand alone. A page
found missing is remembered (its status, "not found"): on the next polls it
is asked on its own, so it can no longer fail its neighbours' call.

A multi-id reply holds every id asked or is an error: a reply holding none
of them is unusable (retried), one leaving some out marks those "missing
from the reply", never "not found". Pages report ``followers_count``
(``fan_count``, the old "likes", is the fallback) and no post count.

Errors are read from ``error.code``/``error_subcode``, not the HTTP status;
the helpers here are shared with the Instagram client (same Graph API).
"""

import json
import re
import time

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
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002, 341}
NOT_FOUND_CODES = {803, 100}
PERMISSION_CODES = {10, *range(200, 300)}
# With no usage header to say how long, a throttled app waits this long.
DEFAULT_THROTTLE_SECONDS = 10 * 60
# Above this share of the app's hourly allowance every worker slows down.
USAGE_PAUSE_PERCENT = 90
# The pages an 803 / 100 error names: "…do not exist: a, b" and "Object with ID 'a' does not exist".
ALIASES_NAMED_RE = re.compile(r"do not exist:\s*(.+?)\s*$", re.DOTALL)
OBJECT_NAMED_RE = re.compile(r"Object with ID '([^']+)'")


class GraphApiError(Exception):
    def __init__(self, error):
        self.code = error.get("code")
        self.subcode = error.get("error_subcode")
        # The whole message (redacted) to read the names in it; a short one to store.
        self.full_message = redact(str(error.get("message", "")))
        self.message = self.full_message[:300]
        super().__init__(f"Graph error {self.code}/{self.subcode}: {self.message}")

    def names(self):
        """The lower-cased ids or aliases the error says do not exist."""
        named = set()
        match = ALIASES_NAMED_RE.search(self.full_message)
        if match:
            named.update(part.strip().rstrip(".").lower() for part in match.group(1).split(","))
        named.update(name.lower() for name in OBJECT_NAMED_RE.findall(self.full_message))
        return {name for name in named if name}


class GraphApi:
    """GET calls to the Graph API with a token in the Authorization header
    (never in the URL, so no log or exception carries it), a timeout, the
    shared budget, and the usage headers turned into pauses."""

    def __init__(self, *, platform, access_token, base_url, version, timeout, budget, token_setting):
        self.platform = platform
        self.token_setting = token_setting  # the setting to fix when the token is refused
        self.root = f"{base_url.rstrip('/')}/{version}"
        self.session = TimeoutSession(timeout=timeout)
        self.session.headers["Authorization"] = f"Bearer {access_token}"
        self.budget = budget

    def get(self, outcome, path, params, *, endpoint):
        """The JSON object of a successful call; ``GraphApiError`` for an error the
        caller may map to an account; other failures as the base errors."""
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
        error = replies.graph_error(body, endpoint)
        if error is not None:
            error = GraphApiError(error)
            self._raise_for_run(error, response)
            raise error
        if response.status_code != 200:
            raise UnusableReply(f"{endpoint}: HTTP {response.status_code} without a Graph error in the reply")
        return body

    def _raise_for_run(self, error, response):
        """Errors that concern the whole platform, not one account."""
        if error.code == 190:
            raise ClientUnavailable(
                f"{self.platform}: the access token is invalid or expired (code 190/{error.subcode}): "
                f"renew {self.token_setting}"
            )
        if error.code in PERMISSION_CODES:
            raise ClientUnavailable(
                f"{self.platform}: missing permission (code {error.code}): {error.message}: "
                f"give the app behind {self.token_setting} the permission or feature named"
            )
        if error.code in RATE_LIMIT_CODES:
            wait = _regain_seconds(response.headers) or DEFAULT_THROTTLE_SECONDS
            self.budget.pause_until(time.time() + wait)
            raise RateLimited(f"{self.platform}: rate limited (code {error.code}): {error.message}", wait)
        if error.code in (1, 2) or response.status_code >= 500:
            raise TransientError(f"{self.platform}: temporary Graph error (code {error.code}): {error.message}")

    def _slow_down_from_usage(self, headers):
        pause = usage_pause_seconds(headers)
        if pause:
            self.budget.pause_until(time.time() + pause)


def usage_pause_seconds(headers):
    """How long every worker should wait after a reply with these usage headers (0: no need).

    The BUC header's ``estimated_time_to_regain_access``; else, above USAGE_PAUSE_PERCENT of the app's
    allowance, a few minutes (usage is a rolling hour: pausing lets it fall back).
    """
    regain = _regain_seconds(headers)
    if regain:
        return regain
    return 5 * 60 if _usage_percent(headers) >= USAGE_PAUSE_PERCENT else 0


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
            token_setting="FACEBOOK_ACCESS_TOKEN",
        )

    def fetch(self, accounts):
        outcome = FetchOutcome()
        with keeping_progress(outcome):
            self._fetch(accounts, outcome)
        return outcome

    def _fetch(self, accounts, outcome):
        by_alias, alone = {}, []
        for account in accounts:
            alias = (account.platform_id or account.handle.strip().lstrip("@")).lower()
            by_alias[alias] = account
            if account.status == Status.NOT_FOUND:
                alone.append(alias)
        # A page found missing before is asked on its own: it cannot fail the group's call.
        self._fetch_group(outcome, [alias for alias in by_alias if alias not in alone], by_alias)
        for alias in alone:
            self._fetch_group(outcome, [alias], by_alias)

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
                endpoint=replies.GRAPH_PAGES,
            )
        except GraphApiError as error:
            if error.code not in NOT_FOUND_CODES:
                raise PlatformError(f"facebook: {error}") from None
            if len(aliases) == 1:
                if not (error.code == 803 or error.subcode == 33 or aliases[0] in error.names()):
                    # A code 100 about the request itself ("nonexisting field"), not the page.
                    raise PlatformError(f"facebook: {error}") from None
                account = by_alias[aliases[0]]
                outcome.results.append(
                    AccountResult(account_id=account.pk, status=Status.NOT_FOUND, error=error.message)
                )
                return
            named = [alias for alias in aliases if alias in error.names()]
            if named:
                # The error says which: those are not found, the others are asked again.
                for alias in named:
                    outcome.results.append(
                        AccountResult(account_id=by_alias[alias].pk, status=Status.NOT_FOUND, error=error.message)
                    )
                self._fetch_group(outcome, [alias for alias in aliases if alias not in named], by_alias)
                return
            # It names none of them: split until the bad ids stand alone.
            middle = len(aliases) // 2
            self._fetch_group(outcome, aliases[:middle], by_alias)
            self._fetch_group(outcome, aliases[middle:], by_alias)
            return
        returned = replies.graph_pages(body, replies.GRAPH_PAGES, aliases)
        for alias in aliases:
            account = by_alias[alias]
            page = returned.get(alias)
            if page is None:
                outcome.results.append(
                    AccountResult(account_id=account.pk, status=Status.ERROR, error="missing from the reply")
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

"""X (Twitter) API v2 through tweepy: users lookup by id, 100 a call.

Accounts whose user id is known are polled by id (``GET /2/users?ids=``), so
a rename is followed and the new handle reported. Accounts without an id are
resolved once by handle (``GET /2/users/by?usernames=``), which returns the
same ``public_metrics``: the first poll stores counts too.

Partial errors come back as HTTP 200 with ``errors[]`` beside ``data``: a
suspended user has title "Forbidden" ("User has been suspended"), a missing
one "Not Found Error". tweepy raises for non-2xx; it never waits here
(``wait_on_rate_limit`` stays off: a 429 becomes ``RateLimited`` and the task
retries after ``x-rate-limit-reset``).
"""

import re
import time

import requests
import tweepy

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
    json_body,
)

TWEEPY_HOST = "https://api.twitter.com"
HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
USER_FIELDS = ["public_metrics"]
Status = SocialAccount.Status


def clean_handle(handle):
    """``@Name``, ``x.com/Name`` or ``Name`` → ``Name``."""
    handle = handle.strip().rstrip("/")
    handle = handle.rsplit("/", 1)[-1]
    return handle.lstrip("@")


class XClient:
    name = "x"
    max_batch = 100

    def __init__(self, *, bearer_token, base_url, timeout, budget):
        self.budget = budget
        self.tweepy = tweepy.Client(bearer_token=bearer_token, wait_on_rate_limit=False, return_type=requests.Response)
        self.tweepy.session = TimeoutSession(timeout=timeout, base_url=base_url, default_base=TWEEPY_HOST)

    def fetch(self, accounts):
        outcome = FetchOutcome()
        by_id, by_handle = {}, {}
        for account in accounts:
            if account.platform_id.isdigit():
                by_id[account.platform_id] = account
                continue
            if account.platform_id:
                # One non-numeric id would fail the whole call with a 400: keep it out.
                outcome.results.append(
                    AccountResult(
                        account_id=account.pk,
                        status=Status.ERROR,
                        error=f"platform id '{account.platform_id}' is not a numeric X user id",
                    )
                )
                continue
            handle = clean_handle(account.handle)
            if HANDLE_RE.match(handle):
                by_handle[handle.lower()] = account
            else:
                # One malformed handle would fail the whole call with a 400: keep it out.
                outcome.results.append(
                    AccountResult(
                        account_id=account.pk,
                        status=Status.ERROR,
                        error=f"'{account.handle}' is not a valid X handle (letters, digits, _; at most 15)",
                    )
                )
        ids = list(by_id)
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            body = self._call(outcome, ids=chunk)
            outcome.results.extend(self._results(body, {key: by_id[key] for key in chunk}, by="id"))
        handles = list(by_handle)
        for start in range(0, len(handles), 100):
            chunk = handles[start : start + 100]
            body = self._call(outcome, usernames=[clean_handle(by_handle[h].handle) for h in chunk])
            outcome.results.extend(self._results(body, {key: by_handle[key] for key in chunk}, by="username"))
        return outcome

    def _call(self, outcome, **lookup):
        wait = self.budget.spend()
        if wait:
            raise RateLimited(f"x: request budget spent; next window in {wait:.0f}s", wait)
        outcome.api_calls += 1
        try:
            response = self.tweepy.get_users(user_fields=USER_FIELDS, **lookup)
        except tweepy.TooManyRequests as exc:
            reset = exc.reset_time or int(time.time()) + 60
            self.budget.pause_until(reset)
            raise RateLimited(f"x: 429 Too Many Requests; reset at {reset}", reset - time.time() + 1) from None
        except tweepy.Unauthorized:
            raise ClientUnavailable("x: the bearer token was refused (HTTP 401): replace X_BEARER_TOKEN") from None
        except tweepy.TwitterServerError as exc:
            raise TransientError(f"x: server error HTTP {exc.response.status_code}") from None
        except tweepy.BadRequest as exc:
            raise PlatformError(redact(f"x: bad request (HTTP 400): {'; '.join(exc.api_messages)[:300]}")) from None
        except tweepy.Forbidden as exc:
            raise ClientUnavailable(
                redact(f"x: the app may not use users lookup (HTTP 403): {'; '.join(exc.api_messages)[:200]}")
            ) from None
        except tweepy.HTTPException as exc:
            status = exc.response.status_code
            if status == 402:
                raise ClientUnavailable(
                    "x: credits depleted (HTTP 402 CreditsDepleted): polling of X stopped"
                ) from None
            raise PlatformError(f"x: unexpected HTTP {status}") from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientError(redact(f"x: {type(exc).__name__}: {exc}")[:300]) from None
        remaining = response.headers.get("x-rate-limit-remaining")
        reset = response.headers.get("x-rate-limit-reset")
        if remaining == "0" and reset and reset.isdigit():
            # The window is spent: make every worker wait for it, before the 429.
            self.budget.pause_until(int(reset))
        body = json_body(response, "x")
        if not isinstance(body, dict):
            raise PlatformError("x: the reply is not a JSON object")
        return body

    def _results(self, body, wanted, *, by):
        """One result per wanted account, from ``data`` and ``errors``."""
        results = {}
        for user in body.get("data") or []:
            key = str(user.get("id")) if by == "id" else str(user.get("username", "")).lower()
            account = wanted.get(key)
            if account is None:
                continue
            metrics = user.get("public_metrics") or {}
            followers = metrics.get("followers_count")
            if not isinstance(followers, int) or followers < 0:
                results[account.pk] = AccountResult(
                    account_id=account.pk, status=Status.ERROR, error="no followers_count in the reply"
                )
                continue
            username = str(user.get("username", ""))
            renamed = username and username.lower() != clean_handle(account.handle).lower()
            results[account.pk] = AccountResult(
                account_id=account.pk,
                followers=followers,
                posts=metrics.get("tweet_count"),
                platform_id=str(user.get("id", "")),
                handle=username if renamed else "",
            )
        for error in body.get("errors") or []:
            value = str(error.get("value") or error.get("resource_id") or "")
            key = value if by == "id" else value.lower()
            account = wanted.get(key)
            if account is None or account.pk in results:
                continue
            title = error.get("title", "")
            detail = error.get("detail", "")
            if title == "Forbidden" or detail.startswith("User has been suspended"):
                status = Status.SUSPENDED
            elif title == "Not Found Error":
                status = Status.NOT_FOUND
            else:
                status = Status.ERROR
            results[account.pk] = AccountResult(account_id=account.pk, status=status, error=detail[:300])
        for account in wanted.values():
            if account.pk not in results:
                results[account.pk] = AccountResult(
                    account_id=account.pk, status=Status.ERROR, error="missing from the reply"
                )
        return list(results.values())

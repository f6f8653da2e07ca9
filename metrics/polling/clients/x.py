"""X (Twitter) API v2 through tweepy: users lookup by id, 100 a call.

Accounts whose user id is known are polled by id (``GET /2/users?ids=``), so
a rename is followed and the new handle reported. Accounts without an id are
resolved once by handle (``GET /2/users/by?usernames=``), which returns the
same ``public_metrics``: the first poll stores counts too.

Partial errors come back as HTTP 200 with ``errors[]`` beside ``data``: a
suspended user has title "Forbidden" ("User has been suspended"), a missing
one "Not Found Error"; each names its user (``value``, ``resource_id``, or
the ``[…]`` of its detail). A reply is checked against its documented shape
(``replies.x_users``) before it is read. A 200 holding only errors that name
none of the users asked (X's own trouble) is an unusable reply, retried a
bounded number of times, with X's words kept as the reason; a user asked for
and named nowhere in the reply is that account's error, "missing from the
reply", never "not found".

tweepy raises for non-2xx; it never waits here (``wait_on_rate_limit`` stays
off: a 429 becomes ``RateLimited`` and the task retries after
``x-rate-limit-reset``).
"""

import re
import time

import requests
import tweepy

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
    json_body,
    keeping_progress,
)

TWEEPY_HOST = "https://api.twitter.com"
HANDLE_RE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
USER_FIELDS = ["public_metrics"]
Status = SocialAccount.Status
# "Could not find user with ids: [123]." / "User has been suspended: [bannedpol]."
DETAIL_SUBJECT_RE = re.compile(r"\[([^\]]+)\]")


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
        self._last_status = None
        self.tweepy.session.hooks["response"].append(self._remember_status)

    def _remember_status(self, response, *args, **kwargs):
        self._last_status = response.status_code

    def fetch(self, accounts):
        outcome = FetchOutcome()
        with keeping_progress(outcome):
            self._fetch(accounts, outcome)
        return outcome

    def _fetch(self, accounts, outcome):
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
            body = self._call(outcome, replies.X_BY_ID, ids=chunk)
            self._read(outcome, body, {key: by_id[key] for key in chunk}, by="id", endpoint=replies.X_BY_ID)
        handles = list(by_handle)
        for start in range(0, len(handles), 100):
            chunk = handles[start : start + 100]
            endpoint = replies.X_BY_USERNAME
            body = self._call(outcome, endpoint, usernames=[clean_handle(by_handle[h].handle) for h in chunk])
            self._read(outcome, body, {key: by_handle[key] for key in chunk}, by="username", endpoint=endpoint)

    def _call(self, outcome, endpoint, **lookup):
        wait = self.budget.spend()
        if wait:
            raise RateLimited(f"x: request budget spent; next window in {wait:.0f}s", wait)
        outcome.api_calls += 1
        self._last_status = None
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
                redact(
                    "x: the app may not use users lookup (HTTP 403): "
                    f"{'; '.join(exc.api_messages)[:200]}: check the app behind X_BEARER_TOKEN"
                )
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
        except (AttributeError, TypeError, KeyError, ValueError) as exc:
            # tweepy reads an error body as an object (and the reset header as
            # an int) before raising: a list, a string or a bad header breaks it.
            raise UnusableReply(
                f"{endpoint}: unusable error reply (HTTP {self._last_status}): tweepy could not read it "
                f"({type(exc).__name__})"
            ) from None
        remaining = response.headers.get("x-rate-limit-remaining")
        reset = response.headers.get("x-rate-limit-reset")
        if remaining == "0" and reset and reset.isdigit():
            # The window is spent: make every worker wait for it, before the 429.
            self.budget.pause_until(int(reset))
        return replies.x_users(json_body(response, "x"), endpoint)

    def _read(self, outcome, body, wanted, *, by, endpoint):
        """One result per wanted account, from ``data`` and ``errors``, into ``outcome``.

        An error that names none of the wanted users is X's own: its words go
        to the batch's errors and to each account the reply left out. When the
        reply accounts for none of the wanted users it is unusable.
        """
        results = {}
        for user in body.get("data") or []:
            key = user["id"] if by == "id" else str(user.get("username", "")).lower()
            account = wanted.get(key)
            if account is not None:
                results[account.pk] = _user_result(account, user)
        unattributed = []
        for error in body.get("errors") or []:
            account = wanted.get(_error_subject(error, by))
            if account is None:
                unattributed.append(replies.x_error_text(error) or replies.describe(error))
                continue
            if account.pk in results:
                continue
            title = str(error.get("title") or "")
            detail = str(error.get("detail") or "")
            if title == "Forbidden" or detail.startswith("User has been suspended"):
                status = Status.SUSPENDED
            elif title == "Not Found Error":
                status = Status.NOT_FOUND
            else:
                status = Status.ERROR
            results[account.pk] = AccountResult(
                account_id=account.pk, status=status, error=redact(detail or title)[:300]
            )
        said = "; ".join(dict.fromkeys(unattributed))[:300]
        if not results:
            reason = f"the reply holds only an error: {said}" if said else "none of the users asked is in it"
            raise UnusableReply(f"{endpoint}: {reason}")
        if said:
            outcome.errors.append(f"x: {said}")
        for account in wanted.values():
            if account.pk not in results:
                error = "missing from the reply" + (f" (X said: {said})" if said else "")
                results[account.pk] = AccountResult(account_id=account.pk, status=Status.ERROR, error=error[:300])
        outcome.results.extend(results.values())


def _error_subject(error, by):
    """The id or lower-cased username an ``errors[]`` entry is about, or ""."""
    value = error.get("value") or error.get("resource_id")
    if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
        match = DETAIL_SUBJECT_RE.search(str(error.get("detail") or ""))
        value = match.group(1).split(",")[0].strip() if match else ""
    value = str(value)
    return value if by == "id" else value.lower()


def _user_result(account, user):
    metrics = user.get("public_metrics")
    followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
    if not isinstance(followers, int) or isinstance(followers, bool) or followers < 0:
        return AccountResult(account_id=account.pk, status=Status.ERROR, error="no followers_count in the reply")
    posts = metrics.get("tweet_count")
    username = str(user.get("username") or "")
    renamed = username and username.lower() != clean_handle(account.handle).lower()
    return AccountResult(
        account_id=account.pk,
        followers=followers,
        posts=posts if isinstance(posts, int) and not isinstance(posts, bool) and posts >= 0 else None,
        platform_id=user["id"],
        handle=username if renamed else "",
    )

"""The interface every platform client keeps, and the errors a client raises.

A client's ``fetch(accounts)`` returns a ``FetchOutcome`` with one
``AccountResult`` per account: a count, or a status with a reason. Problems
that concern one account are results, never exceptions; an exception means
the whole batch could not be fetched, and its class says what to do next:

- ``RateLimited``: retry the batch after ``retry_after`` seconds;
- ``TransientError``: 5xx, timeouts, refused connections: back off and retry;
- ``UnusableReply``: malformed JSON, valid JSON of the wrong shape, a 200
  holding only an error: retried like a 5xx a bounded number of times;
- ``ClientUnavailable``: no credentials, token invalid, credits depleted, our
  own configuration wrong: stop the platform's run with the setting to fix;
- ``PlatformError``: anything else (a 400): the batch fails with the reason
  recorded; its accounts keep their history.

A client fills its outcome as it goes (one ``api_calls`` per HTTP attempt,
one result per account answered) inside ``keeping_progress(outcome)``: an
exception that leaves ``fetch`` half-way carries the outcome so far as its
``outcome`` attribute, so the calls made are counted and the results already
read are kept (see ``runs.fetch_batch``).
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

from follower_tracker.logging import redact
from legislators.models import SocialAccount


class ClientUnavailable(Exception):
    """The platform cannot be polled now (no credentials, token revoked): skip or stop the run."""


class PlatformError(Exception):
    """The platform answered something we cannot use; the batch fails with this reason."""


class TransientError(PlatformError):
    """A 5xx, a timeout or a refused connection: worth retrying after a pause."""


class UnusableReply(PlatformError):
    """A reply we cannot use (malformed JSON, the wrong shape, only an error): worth a bounded retry."""


class RateLimited(PlatformError):
    """The platform (or our shared budget) says wait ``retry_after`` seconds."""

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = max(1.0, float(retry_after))


@dataclass
class AccountResult:
    account_id: int
    status: str = SocialAccount.Status.OK
    followers: int | None = None
    posts: int | None = None
    error: str = ""
    platform_id: str = ""  # the platform's stable id, when learnt
    handle: str = ""  # the current handle, when the platform reports a rename


@dataclass
class FetchOutcome:
    results: list = field(default_factory=list)
    api_calls: int = 0
    errors: list = field(default_factory=list)


@contextmanager
def keeping_progress(outcome):
    """Attach ``outcome`` (the calls made, the results read) to any exception leaving the block."""
    try:
        yield outcome
    except Exception as exc:
        if getattr(exc, "outcome", None) is None:
            exc.outcome = outcome
        raise


class TimeoutSession(requests.Session):
    """A requests session that gives every call a timeout, and optionally
    sends calls for ``default_base`` to ``base_url`` instead (tweepy hard-codes
    its host; tests and proxies point it elsewhere)."""

    def __init__(self, *, timeout, base_url="", default_base=""):
        super().__init__()
        self.timeout = timeout
        self.base_url = base_url.rstrip("/")
        self.default_base = default_base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        if self.default_base and self.base_url and url.startswith(self.default_base):
            url = self.base_url + url[len(self.default_base) :]
        return super().request(method, url, *args, **kwargs)


def json_body(response, platform):
    """The response's JSON, or ``UnusableReply`` naming what came back instead."""
    try:
        return response.json()
    except ValueError:
        snippet = redact(response.text[:80].replace("\n", " "))
        raise UnusableReply(
            f"{platform}: malformed JSON in the reply (HTTP {response.status_code}): {snippet!r}"
        ) from None


def as_count(value):
    """A platform's count (YouTube sends strings) as an int, or None."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None

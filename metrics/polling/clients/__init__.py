"""Platform clients behind one small interface.

A client takes a list of accounts and returns one ``AccountResult`` per
account: a follower count (and a post count when the platform reports one),
or a status with a reason. It never writes to the database. See base.py for
the errors a client raises when a whole batch cannot be fetched; the
clients do not know the factory that builds them (polling/client_factory.py).
"""

from .base import (
    AccountResult,
    ClientUnavailable,
    FetchOutcome,
    PlatformError,
    RateLimited,
    TransientError,
    UnusableReply,
)

__all__ = [
    "AccountResult",
    "ClientUnavailable",
    "FetchOutcome",
    "PlatformError",
    "RateLimited",
    "TransientError",
    "UnusableReply",
]

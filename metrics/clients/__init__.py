"""Platform clients behind one small interface.

A client takes a list of accounts and returns one ``AccountResult`` per
account: a follower count (and a post count when the platform reports one),
or a status with a reason. It never writes to the database.
"""

from .base import AccountResult, ClientUnavailable, FetchOutcome, get_client

__all__ = ["AccountResult", "ClientUnavailable", "FetchOutcome", "get_client"]

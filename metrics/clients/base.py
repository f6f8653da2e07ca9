from dataclasses import dataclass, field

from django.conf import settings

from legislators.models import SocialAccount


class ClientUnavailable(Exception):
    """The platform cannot be polled now (no credentials, token revoked): skip the run."""


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


def get_client(platform):
    """The client that polls ``platform`` under the current settings."""
    if settings.FOLLOWER_CLIENT == "demo":
        from .demo import DemoClient

        return DemoClient(platform)
    from . import live

    return live.client_for(platform)

"""The factory of platform clients: the demo client or the real ones, built from settings.

A platform without its credentials raises ``ClientUnavailable``: its run is
recorded as skipped with the reason, instead of inventing numbers.
"""

from django.conf import settings

from .budget import RequestBudget
from .clients.base import ClientUnavailable
from .clients.demo import DemoClient
from .clients.facebook import FacebookClient
from .clients.instagram import InstagramClient
from .clients.x import XClient
from .clients.youtube import YouTubeClient


def get_client(platform):
    """The client that polls ``platform`` under the current settings."""
    if settings.FOLLOWER_CLIENT == "demo":
        return DemoClient(platform)
    return client_for(platform)


def client_for(platform):
    timeout = settings.PLATFORM_HTTP_TIMEOUT
    if platform == "x":
        if not settings.X_BEARER_TOKEN:
            raise ClientUnavailable("X is not configured: set X_BEARER_TOKEN.")
        return XClient(
            bearer_token=settings.X_BEARER_TOKEN,
            base_url=settings.X_API_BASE_URL,
            timeout=timeout,
            budget=RequestBudget("x"),
        )
    if platform == "facebook":
        if not settings.FACEBOOK_ACCESS_TOKEN:
            raise ClientUnavailable("Facebook is not configured: set FACEBOOK_ACCESS_TOKEN.")
        return FacebookClient(
            access_token=settings.FACEBOOK_ACCESS_TOKEN,
            base_url=settings.GRAPH_API_BASE_URL,
            version=settings.GRAPH_API_VERSION,
            timeout=timeout,
            budget=RequestBudget("facebook"),
        )
    if platform == "instagram":
        if not (settings.INSTAGRAM_ACCESS_TOKEN and settings.INSTAGRAM_BUSINESS_ACCOUNT_ID):
            raise ClientUnavailable(
                "Instagram is not configured: set INSTAGRAM_ACCESS_TOKEN and INSTAGRAM_BUSINESS_ACCOUNT_ID."
            )
        return InstagramClient(
            access_token=settings.INSTAGRAM_ACCESS_TOKEN,
            business_account_id=settings.INSTAGRAM_BUSINESS_ACCOUNT_ID,
            base_url=settings.GRAPH_API_BASE_URL,
            version=settings.GRAPH_API_VERSION,
            timeout=timeout,
            budget=RequestBudget("instagram"),
        )
    if platform == "youtube":
        if not settings.YOUTUBE_API_KEY:
            raise ClientUnavailable("YouTube is not configured: set YOUTUBE_API_KEY.")
        return YouTubeClient(
            api_key=settings.YOUTUBE_API_KEY,
            base_url=settings.YOUTUBE_API_BASE_URL,
            timeout=timeout,
            budget=RequestBudget("youtube"),
        )
    raise ClientUnavailable(f"No client for platform {platform!r}.")


def geography_client_for(platform):
    """The audience-geography client of ``platform`` (each account's own token is passed per call)."""
    from .clients.geography import GraphGeographyClient, YouTubeGeographyClient

    timeout = settings.PLATFORM_HTTP_TIMEOUT
    if platform in ("facebook", "instagram"):
        return GraphGeographyClient(
            platform=platform,
            base_url=settings.GRAPH_API_BASE_URL,
            version=settings.GRAPH_API_VERSION,
            timeout=timeout,
            budget=RequestBudget(platform),
        )
    if platform == "youtube":
        return YouTubeGeographyClient(
            base_url=settings.YOUTUBE_ANALYTICS_BASE_URL,
            timeout=timeout,
            budget=RequestBudget("youtube"),
            days=settings.GEOGRAPHY_VIEWS_DAYS,
        )
    raise ClientUnavailable(f"{platform} shares no audience geography.")

"""The real platform clients arrive with the ingestion issue; until then a
live poll is skipped with a visible reason instead of inventing numbers."""

from .base import ClientUnavailable


def client_for(platform):
    raise ClientUnavailable(f"No live client for {platform} is configured yet; set FOLLOWER_CLIENT=demo to simulate.")

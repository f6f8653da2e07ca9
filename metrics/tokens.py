"""Personal API tokens: made, found, touched and revoked here (the page, the admin and the API call these).

A token is ``ft_`` and 43 URL-safe characters (256 random bits). Only its
SHA-256 is stored: a slow password hash buys nothing for a secret that long,
and each API request looks its token up by the hash (a unique index).
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "ft_"
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
# last_used_at is written at most this often per token: a script polling
# every second costs one UPDATE a minute, not one a request.
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def api_token_create(*, user, name, expires_at=None):
    """A new token for ``user``: (the stored ApiToken, the secret to show once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        key_hash=token_hash(secret),
        expires_at=expires_at,
    )
    logger.info("API token %s (%s) created for user %s (%s)", token.pk, token.prefix, user.pk, user.get_username())
    return token, secret


def api_token_revoke(*, token, now=None):
    """Revoke a token (again: no change). Its record stays, so past requests stay attributable."""
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
        logger.info("API token %s (%s) of user %s revoked", token.pk, token.prefix, token.user_id)
    return token


def api_token_find(secret):
    """The token whose secret this is, with its user, or None (revoked and expired ones too: the caller decides)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=token_hash(secret)).first()


def api_token_touch(*, token, now=None):
    """Record a use: at most one UPDATE a minute per token, and only when the minute has passed."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    # Conditional, so two workers serving the same token at once write it once.
    stale = ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now - TOUCH_EVERY)
    updated = stale.update(last_used_at=now)
    token.last_used_at = now
    return bool(updated)

"""Connected accounts: connect (OAuth, PKCE for Google), refresh before expiry, revoke; the staff link.

Services (writes), called by the pages, the admin, the refresh job and the
geography poller. Tokens go in and out of the database only through
``follower_tracker.crypto`` (encrypted at rest); no error, log line or page
shows one (``redact``). Who may call them is decided by
``legislators.access`` in the views and the admin.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from follower_tracker import crypto
from follower_tracker.logging import redact
from legislators.models import Platform, SocialAccount
from metrics.audience.models import Connection, ConnectionStatus, Provider

from . import oauth

logger = logging.getLogger(__name__)
PROVIDERS = {
    Platform.FACEBOOK: Provider.FACEBOOK,
    Platform.INSTAGRAM: Provider.FACEBOOK,
    Platform.YOUTUBE: Provider.GOOGLE,
}
LINK_SALT = "metrics.audience.connect-link"


class ConnectError(Exception):
    """Connecting failed; the message is safe to show (redacted, no token)."""


def provider_for(platform):
    """The OAuth provider that grants ``platform``'s insights, or None (X has none)."""
    return PROVIDERS.get(platform)


def connectable(account):
    return account.active and provider_for(account.platform) is not None


def connect_begin(*, account, user_id=None, via_link=False):
    """The provider's authorisation URL and the flow to keep in the session until the callback."""
    provider = provider_for(account.platform)
    if provider is None or not oauth.provider_configured(provider):
        raise ConnectError("not configured")
    verifier, challenge = oauth.pkce_pair()
    state = secrets.token_urlsafe(24)
    flow = {
        "state": state,
        "verifier": verifier,
        "account_id": account.pk,
        "user_id": user_id,
        "via_link": via_link,
        "started": timezone.now().isoformat(),
    }
    return oauth.authorize_url(provider, state=state, code_challenge=challenge), flow


def connect_complete(*, flow, code, now=None):
    """Exchange the code, find the member's Page / Instagram account / channel, store the tokens encrypted."""
    now = now or timezone.now()
    account = SocialAccount.objects.filter(pk=flow["account_id"], active=True).first()
    if account is None:
        raise ConnectError("the account is no longer active")
    provider = provider_for(account.platform)
    try:
        if provider == Provider.FACEBOOK:
            user_tokens = oauth.facebook_exchange(code)
            tokens = oauth.facebook_find(
                user_tokens, platform=account.platform, handle=account.handle, platform_id=account.platform_id
            )
        else:
            tokens = oauth.google_exchange(code, flow["verifier"])
            tokens = oauth.google_channel(tokens, handle=account.handle, platform_id=account.platform_id)
    except oauth.OAuthError as exc:
        logger.warning("Connecting account %s failed: %s", account.pk, exc)
        raise ConnectError(str(exc)) from None
    return connection_store(
        account=account,
        provider=provider,
        tokens=tokens,
        user_id=flow.get("user_id"),
        via_link=bool(flow.get("via_link")),
        now=now,
    )


def connection_store(*, account, provider, tokens, user_id=None, via_link=False, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        connection, _ = Connection.objects.update_or_create(
            account=account,
            defaults={
                "provider": provider,
                "status": ConnectionStatus.CONNECTED,
                "status_reason": "",
                "external_id": tokens.external_id,
                "access_token_encrypted": crypto.encrypt(tokens.access_token),
                "refresh_token_encrypted": crypto.encrypt(tokens.refresh_token),
                "expires_at": tokens.expires_at,
                "scopes": tokens.scopes[:500],
                "connected_by_id": user_id,
                "connected_via_link": via_link,
                "connected_at": now,
                "refreshed_at": None,
                "revoked_at": None,
                "revoked_by": None,
            },
        )
    logger.info("Account %s connected (%s)", account.pk, provider)
    return connection


def connection_mark(*, connection_id, status, reason):
    """A poll or a refresh found the grant expired or revoked: say so (tokens kept only while usable)."""
    fields = {"status": status, "status_reason": redact(reason)[:300]}
    if status == ConnectionStatus.REVOKED:
        fields.update(access_token_encrypted="", refresh_token_encrypted="", revoked_at=timezone.now())
    Connection.objects.filter(pk=connection_id).update(**fields)


def refresh_due(connection, *, now=None):
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.CONNECTION_REFRESH_DAYS)
    return connection.expires_at is not None and connection.expires_at <= horizon


def connection_refresh(*, connection, now=None):
    """New tokens before the old expire: Google's refresh token, Facebook's long-lived token exchanged again.

    A refusal that means the grant is gone marks the connection revoked (or
    expired); a passing fault leaves it as it is and raises ``ConnectError``.
    """
    now = now or timezone.now()
    try:
        if connection.provider == Provider.GOOGLE:
            tokens = oauth.google_refresh(crypto.decrypt(connection.refresh_token_encrypted))
        else:
            tokens = oauth.facebook_extend(crypto.decrypt(connection.refresh_token_encrypted))
            if connection.account.platform == Platform.INSTAGRAM:
                tokens.refresh_token = tokens.access_token
            else:  # the Page token does not expire: keep it, keep the new user token for revoking
                tokens = oauth.Tokens(
                    access_token=crypto.decrypt(connection.access_token_encrypted), refresh_token=tokens.access_token
                )
    except (oauth.OAuthError, crypto.CannotDecrypt) as exc:
        status = _status_after(exc)
        if status:
            connection_mark(connection_id=connection.pk, status=status, reason=str(exc))
        raise ConnectError(str(exc)) from None
    Connection.objects.filter(pk=connection.pk).update(
        access_token_encrypted=crypto.encrypt(tokens.access_token),
        refresh_token_encrypted=crypto.encrypt(tokens.refresh_token),
        expires_at=tokens.expires_at,
        refreshed_at=now,
        status=ConnectionStatus.CONNECTED,
        status_reason="",
    )
    connection.refresh_from_db()
    return connection


def _status_after(exc):
    if isinstance(exc, crypto.CannotDecrypt):
        return ConnectionStatus.ERROR
    if exc.revoked:
        return ConnectionStatus.REVOKED
    if exc.expired:
        return ConnectionStatus.EXPIRED
    return None


def connections_refresh_due(*, now=None):
    """The daily job: refresh every connected token expiring within CONNECTION_REFRESH_DAYS. Returns (done, failed)."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.CONNECTION_REFRESH_DAYS)
    due = Connection.objects.select_related("account").filter(
        status=ConnectionStatus.CONNECTED, expires_at__isnull=False, expires_at__lte=horizon
    )
    done = failed = 0
    for connection in due:
        try:
            connection_refresh(connection=connection, now=now)
            done += 1
        except ConnectError as exc:
            logger.warning("Refreshing connection %s failed: %s", connection.pk, exc)
            failed += 1
    return done, failed


def access_token(connection, *, now=None):
    """The clear access token for one call, refreshed first when it is due (or gone: ConnectError)."""
    if connection.status != ConnectionStatus.CONNECTED:
        raise ConnectError(connection.status_reason or connection.get_status_display())
    if refresh_due(connection, now=now):
        connection = connection_refresh(connection=connection, now=now)
    try:
        return crypto.decrypt(connection.access_token_encrypted)
    except crypto.CannotDecrypt as exc:
        connection_mark(connection_id=connection.pk, status=ConnectionStatus.ERROR, reason=str(exc))
        raise ConnectError(str(exc)) from None


def connection_revoke(*, connection, user=None, reason="", now=None):
    """Revoke the grant at the provider (best effort) and erase the tokens; the row and geographies stay."""
    now = now or timezone.now()
    note = reason or "revoked"
    try:
        token = crypto.decrypt(connection.refresh_token_encrypted or connection.access_token_encrypted)
        if token:
            if connection.provider == Provider.GOOGLE:
                oauth.google_revoke(token)
            else:
                oauth.facebook_revoke(token)
    except (oauth.OAuthError, crypto.CannotDecrypt) as exc:
        # The tokens are erased here whatever the provider said: we hold no grant any more.
        note = f"{note} (the provider could not be told; see the log)"
        logger.warning("Revoking connection %s at the provider failed: %s", connection.pk, exc)
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.REVOKED,
        status_reason=redact(note)[:300],
        access_token_encrypted="",
        refresh_token_encrypted="",
        revoked_at=now,
        revoked_by=user if user is not None and user.is_authenticated else None,
    )
    connection.refresh_from_db()
    return connection


# The staff link: a signed, expiring link an Editor makes for one member's staff.


def connect_link_make(*, legislator_id, user_id):
    return signing.dumps({"member": legislator_id, "by": user_id}, salt=LINK_SALT, compress=True)


def connect_link_read(token):
    """(member id, the Editor's user id) of a valid link; None when altered or older than CONNECT_LINK_HOURS."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.CONNECT_LINK_HOURS * 3600)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("member"), int):
        return None
    return data["member"], data.get("by")

"""The OAuth providers' HTTP: Facebook Login for Business (Pages, Instagram) and Google (YouTube), with PKCE.

Plain ``requests`` calls, each with a timeout; every error message goes
through ``redact()`` and names the endpoint, never a token. Shapes read, as
documented:

- Facebook: the dialog ``{FACEBOOK_DIALOG_URL}/{version}/dialog/oauth`` (``config_id`` of a Login for
  Business configuration, ``state``); ``GET /{version}/oauth/access_token`` (code → a short-lived user
  token, then ``grant_type=fb_exchange_token`` → a long-lived one: ``{access_token, token_type,
  expires_in}``); ``GET /me/accounts?fields=id,name,username,access_token,instagram_business_account{id,username}``
  (the Pages the user manages, each with its Page token); ``DELETE /me/permissions`` (revoke:
  ``{"success": true}``). Errors: ``{"error": {message, type, code, error_subcode}}``.
- Google: ``accounts.google.com/o/oauth2/v2/auth`` (``code_challenge`` S256, ``access_type=offline``);
  ``POST oauth2.googleapis.com/token`` (authorization_code with ``code_verifier``, or refresh_token):
  ``{access_token, expires_in, refresh_token?, scope, token_type}``, errors ``{"error": "invalid_grant",
  "error_description": …}``; ``POST oauth2.googleapis.com/revoke`` (``token=`` in the body);
  ``GET youtube/v3/channels?part=id,snippet&mine=true`` (the channel the grant is for).
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils import timezone

from follower_tracker.logging import redact

FACEBOOK_SCOPES = "pages_show_list,pages_read_engagement,read_insights,instagram_basic,instagram_manage_insights"
GOOGLE_SCOPES = "https://www.googleapis.com/auth/yt-analytics.readonly https://www.googleapis.com/auth/youtube.readonly"
# Facebook's code 190 subcodes and codes that mean the grant is gone (not a passing fault).
FACEBOOK_REVOKED_SUBCODES = {458, 460, 467}
FACEBOOK_PERMISSION_CODES = {10, *range(200, 300)}


class OAuthError(Exception):
    """The provider refused or answered something unusable. ``revoked``: the grant itself is gone."""

    def __init__(self, message, *, revoked=False, expired=False):
        super().__init__(redact(message)[:300])
        self.revoked = revoked
        self.expired = expired


@dataclass
class Tokens:
    access_token: str
    refresh_token: str = ""
    expires_at: object = None  # an aware datetime, or None: does not expire
    scopes: str = ""
    external_id: str = ""


def provider_configured(provider):
    """Whether the app credentials for ``provider`` (and the encryption key) are in the environment."""
    if not settings.CONNECTIONS_ENCRYPTION_KEYS:
        return False
    if provider == "facebook":
        return bool(settings.FACEBOOK_APP_ID and settings.FACEBOOK_APP_SECRET)
    return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)


def pkce_pair():
    """(code_verifier, code_challenge) per RFC 7636 (S256)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def redirect_uri():
    return settings.SITE_URL.rstrip("/") + settings.CONNECT_REDIRECT_PATH


def authorize_url(provider, *, state, code_challenge):
    if provider == "facebook":
        params = {"client_id": settings.FACEBOOK_APP_ID, "redirect_uri": redirect_uri(), "state": state}
        if settings.FACEBOOK_LOGIN_CONFIG_ID:
            params.update(config_id=settings.FACEBOOK_LOGIN_CONFIG_ID, response_type="code")
        else:
            params["scope"] = FACEBOOK_SCOPES
        return f"{settings.FACEBOOK_DIALOG_URL}/{settings.GRAPH_API_VERSION}/dialog/oauth?{urlencode(params)}"
    params = {
        "client_id": settings.GOOGLE_CLIENT_ID,
        "redirect_uri": redirect_uri(),
        "response_type": "code",
        "scope": GOOGLE_SCOPES,
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{settings.GOOGLE_AUTHORIZE_URL}?{urlencode(params)}"


def _call(method, url, *, endpoint, **kwargs):
    """The JSON body of a call; OAuthError for a refused call, a network fault or a body that is not an object."""
    kwargs.setdefault("timeout", settings.PLATFORM_HTTP_TIMEOUT)
    try:
        response = requests.request(method, url, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise OAuthError(f"{endpoint}: {type(exc).__name__}: {exc}") from None
    try:
        body = response.json()
    except ValueError:
        raise OAuthError(f"{endpoint}: HTTP {response.status_code}, not JSON") from None
    if not isinstance(body, dict):
        raise OAuthError(f"{endpoint}: HTTP {response.status_code}, the reply is not an object")
    _raise_for_error(body, response.status_code, endpoint)
    return body


def _raise_for_error(body, status, endpoint):
    error = body.get("error")
    if isinstance(error, dict):  # Graph's envelope (or Google's API error object)
        code, subcode = error.get("code"), error.get("error_subcode")
        message = str(error.get("message", ""))
        revoked = (code == 190 and subcode in FACEBOOK_REVOKED_SUBCODES) or code in FACEBOOK_PERMISSION_CODES
        expired = code == 190 and not revoked
        raise OAuthError(f"{endpoint}: error {code}/{subcode}: {message}", revoked=revoked, expired=expired)
    if isinstance(error, str):  # Google's token endpoint: {"error": "invalid_grant", "error_description": …}
        description = str(body.get("error_description", ""))
        raise OAuthError(
            f"{endpoint}: {error}: {description}", revoked=error in ("invalid_grant", "unauthorized_client")
        )
    if status != 200:
        raise OAuthError(f"{endpoint}: HTTP {status}")


def _expires(body):
    seconds = body.get("expires_in")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0:
        return timezone.now() + timedelta(seconds=seconds)
    return None


def _token(body, endpoint):
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise OAuthError(f"{endpoint}: no access_token in the reply")
    return token


def _graph(path):
    return f"{settings.GRAPH_API_BASE_URL}/{settings.GRAPH_API_VERSION}/{path.lstrip('/')}"


# Facebook Login for Business


def facebook_exchange(code):
    """The code → a long-lived user token (about 60 days)."""
    app = {"client_id": settings.FACEBOOK_APP_ID, "client_secret": settings.FACEBOOK_APP_SECRET}
    endpoint = "facebook oauth/access_token"
    short = _call(
        "GET",
        _graph("oauth/access_token"),
        endpoint=endpoint,
        params={**app, "redirect_uri": redirect_uri(), "code": code},
    )
    return facebook_extend(_token(short, endpoint))


def facebook_extend(user_token):
    """A long-lived user token for ``user_token`` (``grant_type=fb_exchange_token``): the refresh of Facebook."""
    endpoint = "facebook oauth/access_token (fb_exchange_token)"
    body = _call(
        "GET",
        _graph("oauth/access_token"),
        endpoint=endpoint,
        params={
            "grant_type": "fb_exchange_token",
            "client_id": settings.FACEBOOK_APP_ID,
            "client_secret": settings.FACEBOOK_APP_SECRET,
            "fb_exchange_token": user_token,
        },
    )
    return Tokens(access_token=_token(body, endpoint), expires_at=_expires(body))


def facebook_find(user_tokens, *, platform, handle, platform_id):
    """Tokens for the Page (``platform="facebook"``) or the Instagram professional account behind one of the
    user's Pages, matched by id or handle; OAuthError naming what the user manages when none matches."""
    endpoint = "facebook me/accounts"
    body = _call(
        "GET",
        _graph("me/accounts"),
        endpoint=endpoint,
        params={"fields": "id,name,username,access_token,instagram_business_account{id,username}"},
        headers={"Authorization": f"Bearer {user_tokens.access_token}"},
    )
    pages = body.get("data")
    if not isinstance(pages, list):
        raise OAuthError(f"{endpoint}: no `data` list in the reply")
    wanted = {value.lower() for value in (handle, platform_id) if value}
    seen = []
    for page in (p for p in pages if isinstance(p, dict)):
        if platform == "facebook":
            names = {str(page.get(k, "")).lower() for k in ("id", "username")}
            seen.append(str(page.get("username") or page.get("name") or page.get("id")))
            if names & wanted and isinstance(page.get("access_token"), str):
                # A Page token from a long-lived user token does not expire; the user token is kept to revoke.
                return Tokens(
                    access_token=page["access_token"],
                    refresh_token=user_tokens.access_token,
                    expires_at=None,
                    external_id=str(page.get("id")),
                )
        else:
            account = page.get("instagram_business_account")
            if isinstance(account, dict):
                seen.append(str(account.get("username") or account.get("id")))
                if {str(account.get(k, "")).lower() for k in ("id", "username")} & wanted:
                    return Tokens(
                        access_token=user_tokens.access_token,
                        refresh_token=user_tokens.access_token,
                        expires_at=user_tokens.expires_at,
                        external_id=str(account.get("id")),
                    )
    managed = ", ".join(seen[:10]) or "none"
    raise OAuthError(f"the login does not manage {handle!r} (it manages: {managed})")


def facebook_revoke(user_token):
    _call(
        "DELETE",
        _graph("me/permissions"),
        endpoint="facebook me/permissions",
        headers={"Authorization": f"Bearer {user_token}"},
    )


# Google (YouTube)


def google_exchange(code, code_verifier):
    endpoint = "google token (authorization_code)"
    body = _call(
        "POST",
        settings.GOOGLE_TOKEN_URL,
        endpoint=endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
            "redirect_uri": redirect_uri(),
        },
    )
    return Tokens(
        access_token=_token(body, endpoint),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=_expires(body),
        scopes=str(body.get("scope") or ""),
    )


def google_refresh(refresh_token):
    endpoint = "google token (refresh_token)"
    body = _call(
        "POST",
        settings.GOOGLE_TOKEN_URL,
        endpoint=endpoint,
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
        },
    )
    return Tokens(
        access_token=_token(body, endpoint),
        refresh_token=str(body.get("refresh_token") or refresh_token),
        expires_at=_expires(body),
        scopes=str(body.get("scope") or ""),
    )


def google_channel(tokens, *, handle, platform_id):
    """The channel the grant is for; OAuthError when it is not the member's account."""
    endpoint = "youtube channels.list (mine=true)"
    body = _call(
        "GET",
        f"{settings.YOUTUBE_API_BASE_URL}/channels",
        endpoint=endpoint,
        params={"part": "id,snippet", "mine": "true"},
        headers={"Authorization": f"Bearer {tokens.access_token}"},
    )
    items = body.get("items") or []
    wanted = {value.lower().lstrip("@") for value in (handle, platform_id) if value}
    for item in (i for i in items if isinstance(i, dict)):
        custom = str((item.get("snippet") or {}).get("customUrl", "")).lower().lstrip("@")
        if {str(item.get("id", "")).lower(), custom} & wanted:
            tokens.external_id = str(item["id"])
            return tokens
    raise OAuthError(f"the Google login does not own the channel {handle!r}")


def google_revoke(token):
    """Google answers 200 (an empty body); 400 ``invalid_token`` means the grant is already gone."""
    try:
        response = requests.post(
            settings.GOOGLE_REVOKE_URL, data={"token": token}, timeout=settings.PLATFORM_HTTP_TIMEOUT
        )
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise OAuthError(f"google revoke: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200 and "invalid_token" not in response.text:
        raise OAuthError(f"google revoke: HTTP {response.status_code}")

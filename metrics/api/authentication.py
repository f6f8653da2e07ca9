"""Personal API tokens on requests: ``Authorization: Bearer <token>`` (or ``Token <token>``).

A revoked or expired token, an unknown one, or one of a deactivated user is a
401. Every request made with a token is logged at INFO with the token's id
and its user, and the token stays on ``request.auth`` for the view.
"""

import logging

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from metrics.tokens import api_token_find, api_token_touch

logger = logging.getLogger(__name__)

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # no token: the session may still authenticate
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header: expected 'Bearer <token>'.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = api_token_find(secret)
        now = timezone.now()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        state = token.state(now)
        if state != "active":
            logger.info("API request refused: token %s of user %s is %s", token.pk, token.user_id, state)
            raise exceptions.AuthenticationFailed(f"Token {state}.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive.")
        api_token_touch(token=token, now=now)
        logger.info(
            "API request by token %s of user %s (%s): %s %s",
            token.pk,
            token.user_id,
            token.user.get_username(),
            request.method,
            request.get_full_path(),
        )
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (and Swagger UI's "Authorize" button)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from the API tokens page: Authorization: Bearer ft_...",
        }

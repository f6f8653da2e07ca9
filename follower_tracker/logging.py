"""Keep secrets out of logs and stored error messages: the ONE ``redact()``.

``redact(text)`` replaces the value of every secret setting (API tokens, keys,
passwords: SECRET_SETTING_NAMES plus any setting whose name says TOKEN,
SECRET, API_KEY or PASSWORD, and the database and broker passwords) with
``[redacted]``, as it is, URL-encoded (a token in a query string) and
URL-decoded (a platform echoing back a token it received encoded); then any
credential-shaped text (``access_token=…``, ``key=…``, ``Bearer …``) whatever
its value. The logging filter applies it to every record, message and
traceback included; polling applies it to every error it stores or shows.
"""

import logging
import re
from functools import lru_cache
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlparse

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"TOKEN|SECRET|API_KEY|PASSWORD|ACCESS_KEY")
_MIN_LENGTH = 6  # shorter values would redact ordinary words


@lru_cache(maxsize=1)
def _secret_values(_cache_key=None):
    from django.conf import settings

    names = set(getattr(settings, "SECRET_SETTING_NAMES", ()))
    names.update(name for name in dir(settings) if name.isupper() and _SECRET_NAME.search(name))
    values = set()
    for name in names:
        value = getattr(settings, name, None)
        if isinstance(value, str) and len(value) >= _MIN_LENGTH:
            values.add(value)
    for database in settings.DATABASES.values():
        if len(database.get("PASSWORD") or "") >= _MIN_LENGTH:
            values.add(database["PASSWORD"])
    broker_password = urlparse(getattr(settings, "CELERY_BROKER_URL", "") or "").password
    if broker_password and len(broker_password) >= _MIN_LENGTH:
        values.add(broker_password)
    # Each as it is, URL-encoded and URL-decoded (both spellings of a space).
    spellings = set()
    for value in values:
        for variant in (value, quote(value, safe=""), quote_plus(value), unquote(value), unquote_plus(value)):
            if len(variant) >= _MIN_LENGTH:
                spellings.add(variant)
    # Longest first, so a secret containing another is replaced whole.
    return tuple(sorted(spellings, key=len, reverse=True))


def secret_values():
    from django.conf import settings

    # Settings may change in tests (override_settings): key the cache on them.
    key = tuple((name, getattr(settings, name, None)) for name in getattr(settings, "SECRET_SETTING_NAMES", ())) + (
        settings.DATABASES["default"].get("PASSWORD"),
        getattr(settings, "CELERY_BROKER_URL", ""),
    )
    return _secret_values(key)


# Credentials in URLs and headers, whatever their value (a token we were never told about).
_CREDENTIAL_PATTERNS = [
    re.compile(
        r"((?:access_token|api_key|key|client_secret|refresh_token|fb_exchange_token|input_token|code_verifier|"
        r"token)=)[^&\s'\"]+",
        re.IGNORECASE,
    ),
    re.compile(r"((?:Bearer|OAuth) )[A-Za-z0-9%._~+/=|-]+"),
    # A token in a JSON body echoed into an error: "access_token": "…".
    re.compile(
        r"(\"(?:access_token|refresh_token|id_token|client_secret|code_verifier)\"\s*:\s*\")[^\"]+", re.IGNORECASE
    ),
]
# Values only known at run time (connected accounts' tokens, decrypted for one
# call): follower_tracker.crypto registers each here, so redact() hides them too.
_runtime_secrets = set()


def redact_also(value):
    """Hide ``value`` in every later ``redact()`` of this process (a token decrypted from the database)."""
    if isinstance(value, str) and len(value) >= _MIN_LENGTH:
        _runtime_secrets.update(v for v in (value, quote(value, safe=""), quote_plus(value)) if len(v) >= _MIN_LENGTH)


def redact(text):
    """``text`` with every secret replaced by [redacted]: the one redaction for errors, logs and the admin."""
    if not text:
        return text
    text = str(text)
    try:
        values = secret_values()
    except Exception:  # settings not configured yet: only the patterns apply
        values = ()
    for value in (*values, *sorted(_runtime_secrets, key=len, reverse=True)):
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern in _CREDENTIAL_PATTERNS:
        text = pattern.sub(rf"\1{REDACTED}", text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record so that no handler can print a secret."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[0] is not None:
            # Render the traceback now and redact it: exception messages often
            # carry the URL or header that held the token.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = ()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True

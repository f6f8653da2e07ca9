"""Secrets at rest: the ONE place that encrypts and decrypts stored credentials.

Connected accounts' OAuth tokens are stored encrypted with Fernet (AES-128-CBC
with an HMAC, from ``cryptography``) under ``CONNECTIONS_ENCRYPTION_KEYS``: a
comma-separated list of Fernet keys from the environment, the first used to
encrypt, every one tried to decrypt (so a key can be rotated: put the new one
first, re-encrypt with ``rotate``, then drop the old one). Without a key,
connecting is "not configured" and nothing else changes.

Every value decrypted here is also registered with the logging redaction
(``follower_tracker.logging.redact_also``): a token read from the database for
one call can never reach a log line, a stored error or a page in clear.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class NotConfigured(Exception):
    """No encryption key in the environment: connections cannot be stored."""


class CannotDecrypt(Exception):
    """The stored value was encrypted under a key that is no longer configured (or was altered)."""


def _fernet():
    from cryptography.fernet import Fernet, MultiFernet

    keys = [key.strip() for key in (settings.CONNECTIONS_ENCRYPTION_KEYS or "").split(",") if key.strip()]
    if not keys:
        raise NotConfigured("CONNECTIONS_ENCRYPTION_KEYS is not set.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "CONNECTIONS_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes; make one with cryptography.fernet.Fernet.generate_key())."
        ) from None


def is_configured():
    return bool((settings.CONNECTIONS_ENCRYPTION_KEYS or "").strip())


def encrypt(value):
    """``value`` (a str) encrypted, as text to store; "" stays ""."""
    if not value:
        return ""
    from follower_tracker.logging import redact_also

    redact_also(value)
    return _fernet().encrypt(value.encode()).decode()


def decrypt(stored):
    """The clear value of what ``encrypt`` stored ("" stays ""), registered for redaction."""
    if not stored:
        return ""
    from cryptography.fernet import InvalidToken

    from follower_tracker.logging import redact_also

    try:
        value = _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        raise CannotDecrypt("a stored credential cannot be decrypted with the configured keys") from None
    redact_also(value)
    return value


def rotate(stored):
    """``stored`` re-encrypted under the first key (after a key rotation)."""
    if not stored:
        return ""
    return _fernet().rotate(stored.encode()).decode()

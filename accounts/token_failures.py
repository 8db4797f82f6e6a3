"""Wrong API tokens from a request without an address (the helpline's: helpline.middleware
strips it), counted all the same — not by address, but by a keyed hash of the token's first
characters, the part knox finds a token by — and only in memory (Django's cache): never in the
database, never in a log. docs/security.md, "Failed logins lock out"."""

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from knox.settings import CONSTANTS


def _key(token: bytes) -> str:
    prefix = token[: CONSTANTS.TOKEN_KEY_LENGTH]
    digest = salted_hmac("accounts.token_failures", prefix, algorithm="sha256").hexdigest()
    return f"token-failures:{digest}"


def is_locked(token: bytes) -> bool:
    """LOGIN_FAILURE_LIMIT wrong tokens beginning so within the lock-out time: refused."""
    return cache.get(_key(token), 0) >= settings.AXES_FAILURE_LIMIT


def count(token: bytes) -> None:
    """One more; the count lasts LOGIN_LOCKOUT_MINUTES from its last failure."""
    key = _key(token)
    cache.set(key, cache.get(key, 0) + 1, settings.AXES_COOLOFF_TIME.total_seconds())

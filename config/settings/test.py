"""Test settings: the base settings with fast password hashing and no outgoing mail."""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AUDIT_CHAIN_KEY = "test-chain-key"

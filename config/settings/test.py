"""Test settings: the base settings with fast password hashing and no outgoing mail."""

import os

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "common.sms.LocmemBackend"
AUDIT_CHAIN_KEY = "test-chain-key"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: the worker and live-server tests open connections from
    # other threads, and a file locks like the real thing (and survives --reuse-db).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405

# Documents on the files are kept in memory: nothing written under var/. The tests that look at
# what reaches a folder give the storage one of their own (tests/documents/files.py), or name
# one to a command they run (DOCUMENTS_STORAGE_OPTIONS: tests/test_backups.py).
if not os.environ.get("DOCUMENTS_STORAGE_OPTIONS"):
    STORAGES = {
        **STORAGES,  # noqa: F405
        "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

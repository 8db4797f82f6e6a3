"""Production settings: refuse to start without a real secret, PostgreSQL and a broker."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    ALLOWED_HOSTS,
    DATABASES,
    LOGGING,
    MIDDLEWARE,
    SILENCED_SYSTEM_CHECKS,
    STORAGES,
    TWO_FACTOR_REQUIRED,
    envbool,
    envint,
)

DEBUG = False

for _name in ("SECRET_KEY", "AUDIT_CHAIN_KEY", "DATABASE_URL", "CELERY_BROKER_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production.")
# Keys that sign sessions and seal the access log: long and random (docs/operations.md).
for _name in ("SECRET_KEY", "AUDIT_CHAIN_KEY"):
    if len(os.environ[_name]) < 50:
        raise ImproperlyConfigured(
            f"{_name} must be at least 50 characters long in production: generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL=postgres://...")
# Letters to the justice system carry the clinic's own name, address and place, never the demo's.
for _name in ("CLINIC_NAME", "CLINIC_ADDRESS", "CLINIC_PLACE"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production: letters carry it.")

if not TWO_FACTOR_REQUIRED:
    raise ImproperlyConfigured("TWO_FACTOR_REQUIRED=false is for the demo clinic only.")

# A qualified electronic seal is presumed to guarantee the integrity and the origin of what it
# seals (eIDAS, Regulation (EU) No 910/2014, art. 35(2)); an e-mailed PDF without one carries no
# such proof, so production e-mails none: an unsealed letter goes by post.
LETTER_SEAL_REQUIRED = True

# One connection per web process, kept between requests (docs/operations.md, "Processes").
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# No statement runs longer than a request may (gunicorn's timeout), and no transaction left
# open holds its locks for long: PostgreSQL ends them. The worker allows its tasks longer;
# a long migration runs with DB_STATEMENT_TIMEOUT=0 (docs/operations.md, "Processes").
_timeouts = {
    "statement_timeout": envint("DB_STATEMENT_TIMEOUT", 30),
    "idle_in_transaction_session_timeout": envint("DB_IDLE_IN_TRANSACTION_TIMEOUT", 60),
}
if any(_timeouts.values()):  # both 0: none sent (PgBouncer refuses startup options)
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        [_options.get("options", ""), *(f"-c {name}={s}s" for name, s in _timeouts.items())]
    ).strip()

# Static files served by the web processes themselves, compressed and cached for good (their
# names carry their content's hash): `manage.py collectstatic` at each upgrade.
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The whole stack on one machine, reached from that machine only (make up): no TLS there, so
# cookies go over plain HTTP. Refused for any other host name.
LOCAL_HTTP_ONLY = envbool("LOCAL_HTTP_ONLY", False)
if LOCAL_HTTP_ONLY and not set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost"}:
    raise ImproperlyConfigured("LOCAL_HTTP_ONLY=true is for a stack reached from 127.0.0.1 only.")

SESSION_COOKIE_SECURE = not LOCAL_HTTP_ONLY
CSRF_COOKIE_SECURE = not LOCAL_HTTP_ONLY
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not LOCAL_HTTP_ONLY)
SECURE_HSTS_SECONDS = 0 if LOCAL_HTTP_ONLY else envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading binds the whole domain to HTTPS in every browser, for months, and is asked for by
# the domain's owner: off unless the clinic chooses it (docs/security.md, "HTTPS").
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
# A load balancer checks the processes themselves, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One JSON object per log line, for the log collector; a task's run and its retries logged.
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("LOG_FORMAT", "json")
LOGGING["loggers"]["celery.app.trace"]["level"] = "INFO"

"""Production settings: refuse to start without a real secret, PostgreSQL and a broker."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    DATABASES,
    SILENCED_SYSTEM_CHECKS,
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

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading binds the whole domain to HTTPS in every browser, for months, and is asked for by
# the domain's owner: off unless the clinic chooses it (docs/security.md, "HTTPS").
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
# A load balancer checks the processes themselves, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

"""Production settings: refuse to start without a real secret, PostgreSQL and a broker."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, envbool, envint

DEBUG = False

for _name in ("SECRET_KEY", "AUDIT_CHAIN_KEY", "DATABASE_URL", "CELERY_BROKER_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL=postgres://...")
# Letters to the justice system carry the clinic's own name, address and place, never the demo's.
for _name in ("CLINIC_NAME", "CLINIC_ADDRESS", "CLINIC_PLACE"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production: letters carry it.")

# One connection per web process, kept between requests (docs/operations.md, "Processes").
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

"""Settings for every environment, read from environment variables.

The defaults are safe for a laptop: an SQLite file under var/, a secret key generated once and
kept in var/, tasks run in-process. Production overrides live in production.py and refuse to
start without real values.
"""

import datetime
import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

from common import logs

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envmap(name: str) -> dict[str, str]:
    """key:value,key:value"""
    pairs = (item.split(":", 1) for item in envlist(name) if ":" in item)
    return {key.strip(): value.strip() for key, value in pairs}


def _development_secret_key() -> str:
    # Generated once per checkout so that sessions and the access-log chain key survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
# Rotating SECRET_KEY: the previous keys here for a while, so that sessions and signed links
# made with them still hold (docs/operations.md, "Rotating keys").
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", "")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
# The reverse proxies whose X-Forwarded-For gives the client's address (addresses or networks);
# none by default: the peer is the client (config.middleware.ClientAddressMiddleware).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.ClinicAdminConfig",  # django.contrib.admin, with the project's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "django_htmx",
    "csp",
    "common",
    "accounts",
    "audit",
    "casework",
    "notes",
    "assessments",
    "reports",
    "documents",
    "privacy",
    "helpline",
    "clinic_statistics",
    "workspace",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",  # every log line and access event names its request
    # First: the helpline's requests lose the caller's address before anything can write it.
    "helpline.middleware.NoAddressMiddleware",
    # Behind the reverse proxy, the client's address from the proxy's X-Forwarded-For.
    "config.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    "accounts.language.UserLanguageMiddleware",  # a user's saved language over the browser's
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute limits: before any view (LoginRequired acts in process_view), after
    # messages (it says why it logged out).
    "accounts.sessions.SessionLimitsMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",  # no page before the second factor
    "config.middleware.RejectNulCharactersMiddleware",  # after auth: its 400 is a full page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "audit.middleware.AccessContextMiddleware",
    "accounts.throttling.LockoutMiddleware",  # last: a locked-out login gets its page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "workspace.context_processors.clinic",
                "accounts.context_processors.session_limits",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://... for anything real.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent requests wait
    # for each other instead of failing with "database is locked" half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_PREPARED_STATEMENTS", True
):
    # A statement a connection runs again is prepared (psycopg, values bound by the server),
    # so that PostgreSQL plans it once per connection rather than on every request: 5 to 25 %
    # of a page's time (docs/performance.md). Off behind a pooler that cannot keep them
    # (PgBouncer in transaction mode before 1.21): docs/operations.md.
    # Added to the options DATABASE_URL may carry (?sslmode=require...).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 1}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_JIT_OFF", True
):
    # PostgreSQL's JIT compiles any statement its planner deems costly: 15 to 25 ms each, for
    # statements that run in 20 to 50 (the indicators' risk levels: 210 ms with it, 45 without;
    # docs/performance.md). A startup option, which PgBouncer refuses: behind it, set
    # DB_JIT_OFF=false and give it to the role instead (docs/operations.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join([_options.get("options", ""), "-c jit=off"]).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt, right or wrong, while the account or the address is locked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",  # Django's ModelBackend, roles' rights from the code
    "guardian.backends.ObjectPermissionBackend",
]
# guardian: no shadow "anonymous" user row; anonymous visitors never reach patient data.
ANONYMOUS_USER_NAME = None
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# "Forgot your password?": the e-mailed link works once, for PASSWORD_RESET_MINUTES (default 60),
# and is built on SITE_URL (accounts/password_reset.py; docs/security.md).
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_MINUTES", 60) * 60
# At most this many reset links e-mailed to one account in an hour: a stranger who knows a
# colleague's address cannot fill their mailbox (accounts.password_reset).
PASSWORD_RESET_LINKS_PER_HOUR = envint("PASSWORD_RESET_LINKS_PER_HOUR", 3)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE seconds
# after the login whatever the activity; a page warns SESSION_IDLE_WARNING_SECONDS before the
# idle limit (accounts.sessions, docs/security.md).
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30)
SESSION_IDLE_WARNING_SECONDS = envint("SESSION_IDLE_WARNING_SECONDS", 120)

# Two-factor authentication (django-otp, TOTP): every staff account enrols and gives a code
# after its password (accounts.two_factor, docs/security.md). Off only for the demo clinic
# (`make run`); production refuses to start without it.
TWO_FACTOR_REQUIRED = envbool("TWO_FACTOR_REQUIRED", True)
TWO_FACTOR_RECOVERY_CODES = 10

# Break-the-glass: how long a clinician's emergency access to a file lasts (casework).
EMERGENCY_ACCESS_HOURS = envint("EMERGENCY_ACCESS_HOURS", 24)
# How many a clinician opens at once per local calendar day; beyond, each awaits the clinical
# lead's approval (docs/security.md, "Emergency access").
EMERGENCY_ACCESSES_PER_DAY = envint("EMERGENCY_ACCESSES_PER_DAY", 3)

# Retention of a file after the last contact (law of 22 April 2019, art. 35; docs/privacy.md):
# flagged for the clinical lead's review at REVIEW years, destroyed at DESTROY years, a daily
# sweep announcing each destruction NOTICE days before doing it.
RETENTION_REVIEW_YEARS = envint("RETENTION_REVIEW_YEARS", 30)
RETENTION_DESTROY_YEARS = envint("RETENTION_DESTROY_YEARS", 50)
RETENTION_NOTICE_DAYS = envint("RETENTION_NOTICE_DAYS", 30)

# Lock-out after repeated failed logins (django-axes; docs/security.md): LOGIN_FAILURE_LIMIT
# failures lock a name at the address they came from; LOGIN_ADDRESS_FAILURE_LIMIT failures, of
# any names, lock that address for every name (a clinic's NAT: set it well above the other).
# Both last LOGIN_LOCKOUT_MINUTES, on the login page, the admin's and the API's token check (a
# wrong token counts for the address only). A right password during the lock-out is refused.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 10)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("LOGIN_ADDRESS_FAILURE_LIMIT", 100)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 30))
AXES_HANDLER = "accounts.throttling.LockoutHandler"  # the two limits
AXES_LOCKOUT_PARAMETERS = "accounts.throttling.lockout_parameters"
# A login starts the count again only once complete, the second factor given (not at the
# password alone: codes could be guessed for ever between logins): accounts.throttling.
AXES_RESET_ON_SUCCESS = False
# A name that is no account's is counted under a keyed hash of itself: a password typed into
# the name field is never stored. The address is REMOTE_ADDR: the peer's, or behind a trusted
# proxy the one it saw (config.middleware.ClientAddressMiddleware), never a header a client can
# forge.
AXES_USERNAME_CALLABLE = "accounts.throttling.counted_username"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # logins are in the access log (audit)
AXES_VERBOSE = False  # no user name or address in the application's log
# axes looks for its own middleware by name; accounts.throttling.LockoutMiddleware extends it.
# models.W040: SQLite keeps no extra columns in an index (a covering index on PostgreSQL,
# docs/performance.md); there it is a plain index, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["axes.W002", "models.W040"]

# API tokens (django-rest-knox): only a SHA-512 digest is stored; each has a name and an expiry.
# knox's own token table is swapped for ours: its migrations, which would create it anyway, are
# not run (an orphan table referencing users blocks TRUNCATE on PostgreSQL).
MIGRATION_MODULES = {"knox": None}
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model, not a secret)
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 90)  # offered when a token is created
API_TOKEN_MAX_DAYS = envint("API_TOKEN_MAX_DAYS", 365)
API_TOKENS_PER_USER = envint("API_TOKENS_PER_USER", 10)
# A token unused for this many days (since its creation if never used) stops working, and the
# daily cleanup deletes it.
API_TOKEN_IDLE_DAYS = envint("API_TOKEN_IDLE_DAYS", 30)
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# Files: documents on the patients' files go to their own storage, a folder outside the web
# root by default (never served by it: only the patient door hands them out), or any Django
# storage backend, object storage included, with its options as JSON (docs/documents.md).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {
        "BACKEND": os.environ.get(
            "DOCUMENTS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("DOCUMENTS_STORAGE_OPTIONS") or "null")
        or {
            "location": str(VAR_DIR / "documents"),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    },
}
# The largest document taken, in megabytes (the reverse proxy's limit is above it: an upload
# too large gets the page's message, not the proxy's).
DOCUMENT_MAX_MB = envint("DOCUMENT_MAX_MB", 10)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
# Seconds a worker waits for the mail server before it gives up this attempt (the outbox tries
# again later): a server that hangs never stops the background work (common/outbox.py).
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
# An unsent message waits this long before its second attempt, then twice as long before each
# next one, an hour at most (common/outbox.py); the fault tests shorten it (docs/operations.md).
OUTBOX_FIRST_PAUSE_SECONDS = envint("OUTBOX_FIRST_PAUSE_SECONDS", 60)
# Messages still unsent after this many attempts are listed for the administrators to see.
OUTBOX_ATTEMPTS_BEFORE_WARNING = envint("OUTBOX_ATTEMPTS_BEFORE_WARNING", 3)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")
# Text messages (the patients' reminders) go through a gateway behind a setting: printed by
# default; "common.sms.HttpGatewayBackend" posts them to SMS_GATEWAY_URL (common/sms.py).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "common.sms.ConsoleBackend")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_TIMEOUT = envint("SMS_TIMEOUT", 30)

# The clinic that runs this installation, shown in the header, and the letterhead of its
# letters. The defaults are the demo clinic's; production requires real values.
CLINIC_NAME = os.environ.get("CLINIC_NAME", "Forensic outpatient clinic")
OTP_TOTP_ISSUER = CLINIC_NAME  # the name authenticator apps show beside the code
# Wrong codes are counted by the lock-out (django-axes, above) as failed logins; django-otp's own
# pause after each wrong code would refuse the right one typed a second later.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Lines separated by ";" (letters print one per line).
CLINIC_ADDRESS = os.environ.get("CLINIC_ADDRESS", "Rue de la Démonstration 1; 4000 Liège")
# The logo on letters: a path among the static files (e.g. "clinic/logo.png"), or nothing.
CLINIC_LOGO = os.environ.get("CLINIC_LOGO", "")
# On letters: the place they are written in and a contact line under the letterhead.
CLINIC_PLACE = os.environ.get("CLINIC_PLACE", "Liège")
CLINIC_CONTACT = os.environ.get("CLINIC_CONTACT", "04 000 00 00 · secretariat@clinic.example")
# The number the patients' reminders give to call (casework/services/reminders.py).
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "04 000 00 00")
# Jurisdiction profile: which region's cooperation agreement the clinic works under.
CLINIC_JURISDICTION = os.environ.get("CLINIC_JURISDICTION", "be-wallonia")

# Public address of the site, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Attendance: remind clinicians of outcomes still awaited this many days after a session.
OUTCOME_REMINDER_AFTER_DAYS = envint("OUTCOME_REMINDER_AFTER_DAYS", 2)
# Compliance rules: the hourly run looks at patients with outcomes recorded this recently.
COMPLIANCE_LOOKBACK_HOURS = envint("COMPLIANCE_LOOKBACK_HOURS", 48)

# Letters: days from what sets a letter off to when it is due, per letter type, over the
# catalogue's defaults (reports/catalogue.py): LETTER_DELAYS=unjustified_absence:2,stopping:5
LETTER_DELAYS = {code: int(days) for code, days in envmap("LETTER_DELAYS").items()}
# The letter a compliance alert sets off, by the kind of its rule: several absences in a row
# suggest the patient has stopped; several within a window are a difficulty. "none" drafts none.
LETTER_FOR_ALERT = {
    "consecutive": "stopping",
    "within_window": "difficulty",
    **envmap("LETTER_FOR_ALERT"),
}
# A follow-up report covers a period that closes this many days before the report is due: the
# time to record the last outcomes, sign and send it (casework/reporting.py).
REPORT_SIGNING_DAYS = envint("REPORT_SIGNING_DAYS", 7)
# The daily run drafts a periodic report this many days before it is due, and catches up what
# events of this many days back should have set off (an absence, an intake, a closing, a report
# that fell due while it did not run).
LETTER_DRAFT_AHEAD_DAYS = envint("LETTER_DRAFT_AHEAD_DAYS", 14)
LETTER_LOOKBACK_DAYS = envint("LETTER_LOOKBACK_DAYS", 30)
# The place letters are written in, in each language they are written in (Liège, Luik,
# Lüttich): CLINIC_PLACE_NAMES=nl:Luik,de:Lüttich; CLINIC_PLACE in the others. The demo
# clinic's place, when neither is set.
CLINIC_PLACE_NAMES = envmap("CLINIC_PLACE_NAMES") or (
    {} if "CLINIC_PLACE" in os.environ else {"nl": "Luik", "de": "Lüttich"}
)
# A worker that took a letter to render and has not finished after this long has died.
LETTER_RENDER_TIMEOUT = envint("LETTER_RENDER_TIMEOUT", 300)
# The clinic's electronic seal (docs/letters.md, "Sealed, archivable PDFs"): a PKCS#12 file
# holding the seal's key and certificate chain, and its password. When set, every letter is
# sealed (PAdES) as it is rendered; unset, letters are rendered unsealed (the demo, a laptop).
LETTER_SEAL_CERTIFICATE = os.environ.get("LETTER_SEAL_CERTIFICATE", "")
LETTER_SEAL_PASSWORD = os.environ.get("LETTER_SEAL_PASSWORD", "")
# Refuse to e-mail a letter whose PDF carries no seal. Production sets it whatever the
# environment says; elsewhere off, so that the demo and the tests send unsealed letters.
LETTER_SEAL_REQUIRED = envbool("LETTER_SEAL_REQUIRED", False)

# STABLE-2007 bands: the totals at which "moderate" and "high" start (nominal: 0-3 / 4-11 / 12+).
STABLE_2007_BANDS = os.environ.get("STABLE_2007_BANDS", "4,12")

# The anonymous helpline (docs/helpline.md): free-text summaries are erased after this many
# months; a listener is offered a break after this many minutes on the line in a day; follow-up
# codes are kept as keyed hashes (a new key makes the codes given before unrecognisable).
HELPLINE_SUMMARY_MONTHS = envint("HELPLINE_SUMMARY_MONTHS", 12)
HELPLINE_BREAK_AFTER_MINUTES = envint("HELPLINE_BREAK_AFTER_MINUTES", 120)
HELPLINE_CODE_KEY = os.environ.get("HELPLINE_CODE_KEY") or f"helpline-code:{SECRET_KEY}"
# Statistics show a count under this as "<N" everywhere: small numbers could point at a person.
HELPLINE_SMALL_CELL = envint("HELPLINE_SMALL_CELL", 5)

# Access log: the key that seals each event into the chain. Keep it outside the database, so
# that someone who can write to the database cannot re-seal a tampered chain.
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY") or f"audit-chain:{SECRET_KEY}"
# Where each sealing run writes the chain's head, outside the database (audit/checkpoint.py).
AUDIT_CHECKPOINT_DIR = Path(os.environ.get("AUDIT_CHECKPOINT_DIR", VAR_DIR))
# Further copies of each head, out of the server administrators' reach (audit/witnesses.py):
# file:/path, syslog:host:port, mail; comma-separated. The server's own history is always kept.
AUDIT_WITNESSES = [
    spec.strip() for spec in os.environ.get("AUDIT_WITNESSES", "file").split(",") if spec.strip()
]
# Refused attempts of one user within this window are collapsed into the first one.
AUDIT_DENIED_WINDOW = datetime.timedelta(seconds=envint("AUDIT_DENIED_WINDOW_SECONDS", 60))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous call gets 401 with a WWW-Authenticate header.
        "accounts.throttling.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "common.api.ClinicAutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "EXCEPTION_HANDLER": "config.views.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Forensic clinic API",
    "DESCRIPTION": "Patients, mandates, authorities, justice contacts and care teams. "
    "Every patient-scoped endpoint answers 404 for a patient the caller may not see. "
    "Dates run from 1900-01-01 to 2100-12-31; a time of day is hh:mm[:ss], without offset.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint and field of patient data: staff only, like the API.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CareStageEnum": "casework.models.CareStage",
        "LanguageEnum": "casework.models.Language",
        "MandateStatusEnum": "casework.models.Mandate.Status",
        "AppointmentStatusEnum": "casework.models.Appointment.Status",
        "AppointmentKindEnum": "casework.models.Appointment.Kind",
        "RequestedByEnum": "casework.models.Appointment.RequestedBy",
        "NoteKindEnum": "notes.models.ClinicalNote.Kind",
        "RecipientEnum": "reports.catalogue.Recipient.choices",
    },
}

# Celery: with no broker configured, tasks run in-process (the embedded demo).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task has five minutes (a long access copy takes well under one), then is stopped: it
# fails and is tried again like any failure. A worker process is replaced once it has grown
# (WeasyPrint's caches) or run many tasks.
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_WORKER_MAX_MEMORY_PER_CHILD = envint("CELERY_WORKER_MAX_MEMORY_KB", 400_000)
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
# Redis gives a task taken but not acknowledged to another worker after this long: longer
# than the longest task plus the longest pause before a retry (Celery's retry_backoff_max,
# 600 s), or a slow task would run twice; short enough that a killed worker's task is soon
# taken up again.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600 + 300}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The broker lost, a task in progress can no longer be acknowledged and will be delivered
# again: stop it rather than let two copies run side by side (Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Exactly one beat sends the schedule, however many are started; the record of the last runs
# is kept with its lock in Redis, not in a file (common/beat.py).
CELERY_BEAT_SCHEDULER = "common.beat.SingleBeatScheduler"
# The periods of the beat's frequent tasks, in seconds; the fault tests shorten them
# (docs/operations.md, "Scheduled work"). Unset, the safety nets that queue again lost renders
# and copies run every ten minutes of the clock.
HEARTBEAT_SECONDS = envint("HEARTBEAT_SECONDS", 60)
OUTBOX_SEND_DUE_SECONDS = envint("OUTBOX_SEND_DUE_SECONDS", 60)
PENDING_WORK_SECONDS = envint("PENDING_WORK_SECONDS", 0)
_PENDING_WORK = float(PENDING_WORK_SECONDS) if PENDING_WORK_SECONDS else crontab(minute="*/10")
CELERY_BEAT_SCHEDULE = {
    # The worker shows it is alive (/readyz); a heartbeat a stopped worker never took is dropped.
    "heartbeat": {
        "task": "common.tasks.heartbeat",
        "schedule": float(HEARTBEAT_SECONDS),
        "options": {"expires": HEARTBEAT_SECONDS},
    },
    # Every e-mail waits in the outbox until the mail server accepts it: tried again until then.
    "outbox": {
        "task": "common.tasks.send_due_messages",
        "schedule": float(OUTBOX_SEND_DUE_SECONDS),
    },
    # Safety net: events are sealed right after each commit; this picks up any that a crash left.
    "audit-seal": {"task": "audit.tasks.seal_access_log", "schedule": 60.0},
    "compliance-rules": {"task": "casework.tasks.evaluate_compliance", "schedule": 3600.0},
    # Safety net: each change queues its own count; this picks up any a lost task left marked.
    "session-counts": {"task": "casework.tasks.count_sessions", "schedule": _PENDING_WORK},
    # Every night, everyone counted again (an outcome's meaning changed in the admin...).
    "session-counts-nightly": {
        "task": "casework.tasks.recount_all_sessions",
        "schedule": crontab(hour=1, minute=45),
    },
    "outcome-reminders": {
        "task": "casework.tasks.send_outcome_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Patients' reminders of tomorrow's appointments: each hour of the day (one booked during
    # the day is reminded too), never at night, never twice (docs/reminders.md).
    "appointment-reminders": {
        "task": "casework.tasks.send_appointment_reminders",
        "schedule": crontab(hour="9-19", minute=5),
    },
    "assessment-reminders": {
        "task": "assessments.tasks.send_due_reminders",
        "schedule": crontab(hour=7, minute=35),
    },
    "letters-render-pending": {
        "task": "reports.tasks.render_pending_letters",
        "schedule": _PENDING_WORK,
    },
    "letters-due": {
        "task": "reports.tasks.draft_due_letters",
        "schedule": crontab(hour=6, minute=45),
    },
    "access-copies-pending": {
        "task": "privacy.tasks.make_pending_access_copies",
        "schedule": _PENDING_WORK,
    },
    "activity-reports-pending": {
        "task": "clinic_statistics.tasks.render_pending_activity_reports",
        "schedule": _PENDING_WORK,
    },
    "helpline-summaries": {
        "task": "helpline.tasks.erase_old_summaries",
        "schedule": crontab(hour=2, minute=45),
    },
    # Every night, the helpline's monthly counts again (kept with each change; this catches a
    # write past the ORM).
    "helpline-counts-nightly": {
        "task": "helpline.tasks.recount_months",
        "schedule": crontab(hour=2, minute=50),
    },
    # API tokens expired, or unused for API_TOKEN_IDLE_DAYS, are deleted (each in the access log).
    "api-tokens-unused": {
        "task": "accounts.tasks.delete_unused_tokens",
        "schedule": crontab(hour=2, minute=40),
    },
    "retention-sweep": {
        "task": "privacy.tasks.retention_sweep",
        "schedule": crontab(hour=2, minute=30),
    },
    "audit-verify-nightly": {
        "task": "audit.tasks.verify_access_log",
        "schedule": crontab(hour=3, minute=15),
    },
    # The head to the witnesses that take it once a day (the auditors' e-mail, if chosen).
    "audit-witness-daily": {
        "task": "audit.tasks.witness_head",
        "schedule": crontab(hour=6, minute=0),
    },
}

# `manage.py backup` writes its folders here by default (docs/operations.md).
BACKUP_DIR = os.environ.get("BACKUP_DIR", str(VAR_DIR / "backups"))

# /readyz goes red when no worker has run the beat's heartbeat (every minute) for this long.
HEALTH_WORKER_SILENCE_SECONDS = envint("HEALTH_WORKER_SILENCE_SECONDS", 300)

# Content Security Policy: no inline script or style anywhere (roadmap: strict CSP).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Every line names the request or task that wrote it; JSON in production (LOG_FORMAT=json),
# text here (docs/operations.md, "Logs"). Celery's worker logs through this too.
LOGGING = logs.config(
    os.environ.get("LOG_FORMAT", "text"),
    os.environ.get("LOG_LEVEL", "INFO"),
    {
        # A task's run, retry and failure: one line each (in the eager demo, noise).
        "celery.app.trace": {"level": "WARNING"},
        # Seven lines per PDF about fonts and stylesheets.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

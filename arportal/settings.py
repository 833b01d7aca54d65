"""ARPortal settings: one module, every knob read from the environment.

`.env.example` documents each variable. A `.env` file beside manage.py is read
when present, so a developer can keep local values out of the shell.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from arportal.proxies import ipware_proxy_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# The development key only exists so `make run` works on a fresh machine;
# production must set SECRET_KEY (Django refuses to start without one).
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key" if DEBUG else "")
# Previous keys, still accepted for signatures and for reading encrypted secrets.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Provider secrets are encrypted with keys derived from FIELD_ENCRYPTION_KEY
# (and SECRET_KEY). Older keys stay readable when listed in
# FIELD_ENCRYPTION_KEY_FALLBACKS, so keys can be rotated.
# FIELD_ENCRYPTION_KEY may list several, comma-separated: the first encrypts, every
# one decrypts (README: rotating keys, `manage.py rotate_keys`).
SALT_KEY = [
    *env.list("FIELD_ENCRYPTION_KEY", default=["dev-only-field-key"] if DEBUG else []),
    *env.list("FIELD_ENCRYPTION_KEY_FALLBACKS", default=[]),
]
FIELD_ENCRYPTION_KEY = SALT_KEY[0] if SALT_KEY else ""
# Personal numbers are found by a keyed hash (a blind index) under their own key;
# changing it needs `manage.py rotate_keys`, which recomputes the index.
IDENTITY_INDEX_KEY = env.str("IDENTITY_INDEX_KEY", default="dev-only-index-key" if DEBUG else "")
# Lookups are audited under a keyed hash of the number, never the number itself.
# Its own key, never rotated: a new one would no longer find earlier lookups.
AUDIT_HASH_KEY = env.str("AUDIT_HASH_KEY", default="dev-only-audit-key" if DEBUG else "")
for name in ("FIELD_ENCRYPTION_KEY", "AUDIT_HASH_KEY", "IDENTITY_INDEX_KEY"):
    if not globals()[name]:
        raise ImproperlyConfigured(f"Set {name}: see .env.example.")

# HTTPS only outside development: HSTS, secure cookies, redirects.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)  # one working day
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A rejected CSRF token gets the site's page with a way out, not Django's bare one.
CSRF_FAILURE_VIEW = "invoices.errors.csrf_failure"

# No inline scripts or styles anywhere: htmx is configured not to inject any.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: [] for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "microphone", "payment", "usb")
}

# Proxies in front of the app that append to X-Forwarded-For. At 0 the header is
# never read (anyone can send one); behind them django-axes reads it through
# django-ipware, taking the entry the outermost proxy appended.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT, AXES_IPWARE_META_PRECEDENCE_ORDER = ipware_proxy_settings(TRUSTED_PROXY_COUNT)
# Not strict: a client that writes its own entries in front of the proxy's still
# gets the proxy's entry as its address, rather than the proxy's own address.
IPWARE_STRICT = False

# Login attempts: locked out after 5 failures of one username from one address, so
# a colleague at the same office address, or the same user elsewhere, can still log in.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# The sandbox emulates both providers over HTTP; never mount it in production.
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "invoices",
]
if SANDBOX_ENABLED:
    INSTALLED_APPS += ["sandbox", "bench"]

# Background work (invoices/tasks.py): a queue in our own database by default, so a
# single machine needs no other service (`manage.py db_worker` runs it). With
# TASKS_REDIS_URL set, the queue lives in Redis and workers on several machines
# share it (`manage.py rqworker --job-class django_tasks_rq.Job`).
TASKS_REDIS_URL = env.str("TASKS_REDIS_URL", default="")
# A customer's refresh lock is taken over after this long: longer than any refresh
# can take (a hung worker must not block the customer for ever).
REFRESH_LOCK_TIMEOUT = env.int("REFRESH_LOCK_TIMEOUT", default=15 * 60)
if TASKS_REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # RQ kills a job after 3 minutes by default; a refresh may take as long as its lock lasts.
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": REFRESH_LOCK_TIMEOUT}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Personal data on every page: no stored copies (static files, served above, are cached).
    "invoices.no_store.no_store_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware: the language cookie, else Accept-Language, else Swedish.
    "django.middleware.locale.LocaleMiddleware",
    # Puts a user's saved language in the cookie when they log in.
    "invoices.preferences.LoginLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "arportal.urls"
WSGI_APPLICATION = "arportal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A worker keeps its connection between requests: opening one (a new PostgreSQL
# backend, or SQLite's file and pragmas) cost each request more than most of its
# queries. The development server's thread per request would only leak them, so
# DEBUG keeps one per request. `?conn_max_age=` in DATABASE_URL overrides both.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DEBUG else 600))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The server and the task workers are separate processes writing one file. IMMEDIATE
    # takes the write lock when a transaction begins, so a writer waits its turn (up to
    # `timeout` seconds) instead of failing with "database is locked" when a read turns
    # into a write; WAL lets pages read while a worker writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The pages' queries read small summary tables and one index; PostgreSQL's JIT
    # compiler, which its cost estimates switch on for them, took longer to compile
    # the home page's totals (about 90 ms) than the query took to run.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The open-book index's INCLUDE columns let PostgreSQL answer from the index alone;
    # SQLite ignores them and still uses the index's keys and condition, as intended.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Swedish unless the user chose English (the switch in the header, remembered on
# the user and put back in the language cookie at login) or their browser asks for it.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
# English dates and times as written here (arportal/formats/en): British, on a 24-hour clock.
FORMAT_MODULE_PATH = ["arportal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names in production; plain files while debugging so
    # a fresh checkout runs without collectstatic.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# A customer owing nothing, with no activity for this many days, is purged from
# the cache by `manage.py purge_personal_data` (invoices/retention.py).
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=3 * 365)

# Provider calls: how long cached invoices count as fresh, and the HTTP timeouts.
PROVIDER_CACHE_TTL = env.int("PROVIDER_CACHE_TTL", default=15 * 60)  # seconds
PROVIDER_CONNECT_TIMEOUT = env.float("PROVIDER_CONNECT_TIMEOUT", default=5.0)
PROVIDER_READ_TIMEOUT = env.float("PROVIDER_READ_TIMEOUT", default=20.0)
# Reads are retried on timeouts, dropped connections, 5xx and 429: how often, the
# first backoff (doubling, with jitter), and the most time all attempts may take.
PROVIDER_RETRIES = env.int("PROVIDER_RETRIES", default=3)
PROVIDER_RETRY_BACKOFF = env.float("PROVIDER_RETRY_BACKOFF", default=0.5)
PROVIDER_RETRY_BUDGET = env.float("PROVIDER_RETRY_BUDGET", default=15.0)
# The most one provider call may take, however slowly its bytes arrive, and the
# largest reply read (PDFs included); past either the call fails.
PROVIDER_CALL_DEADLINE = env.float("PROVIDER_CALL_DEADLINE", default=30.0)
PROVIDER_MAX_REPLY_BYTES = env.int("PROVIDER_MAX_REPLY_BYTES", default=20 * 1024 * 1024)
# The longest a request waits for a provider's rate limit to reset before giving up.
PROVIDER_RATE_LIMIT_MAX_WAIT = env.float("PROVIDER_RATE_LIMIT_MAX_WAIT", default=10.0)

# How long the search waits for the providers when a number was never looked up
# before (nothing cached to show); past it the page fills in when they answer.
LOOKUP_WAIT = env.float("LOOKUP_WAIT", default=3.0)
# The longest a call waits for its account's request budget (ProviderAccount.requests_per_minute):
# while staff wait for a page (invoice detail, PDF, search), and in a background worker.
PROVIDER_BUDGET_MAX_WAIT = env.float("PROVIDER_BUDGET_MAX_WAIT", default=10.0)
PROVIDER_BUDGET_WORKER_WAIT = env.float("PROVIDER_BUDGET_WORKER_WAIT", default=300.0)

# Upper edges, in days past the due date, of the aging buckets (the last bucket is open-ended).
AGING_BUCKETS = env.list("AGING_BUCKETS", cast=int, default=[30, 60, 90, 120])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "invoices.logging.RedactAndEscape"}},
    "formatters": {
        "plain": {
            "()": "invoices.logging.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own loggers (requests, the development server's request lines) go
    # through the same redacting console, instead of Django's default handlers.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

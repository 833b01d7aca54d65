"""Test settings: the product's settings with the sandbox mounted.

Only defaults the environment has not set, so DATABASE_URL still chooses the
database (SQLite by default, PostgreSQL in CI's second pass).
"""

import os

os.environ.setdefault("SANDBOX_ENABLED", "1")
os.environ.setdefault("SECRET_KEY", "test-only-key")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "test-only-field-key")
os.environ.setdefault("AUDIT_HASH_KEY", "test-only-audit-key")
os.environ.setdefault("IDENTITY_INDEX_KEY", "test-only-index-key")
# The test client and the sandbox server speak plain HTTP on loopback.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Retries back off for milliseconds, not seconds, so fault tests stay fast.
os.environ.setdefault("PROVIDER_RETRY_BACKOFF", "0.01")

from arportal.settings import *  # noqa: F403

# The sandbox refuses to start unless DEBUG is on (sandbox/apps.py). Only the flag is
# set, after every default above was derived from DEBUG being off; pytest-django turns
# it off again before the first test, so the pages are tested as production runs them.
DEBUG = True

# The suite reads the pages in English; tests/test_i18n.py proves Swedish is the product's default.
LANGUAGE_CODE = "en-gb"

# Tests render templates without running collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files from the finders, as in development: no collectstatic in tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tasks run as they are enqueued, so page tests stay synchronous; the engine tests
# (tests/test_tasks_*.py) switch to the database or RQ backend with a real worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The RQ backend is always installed here so the engine tests can switch to it.
TASKS_REDIS_URL = os.environ.get("TEST_TASKS_REDIS_URL", "redis://127.0.0.1:6379/13")
if "django_rq" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]  # noqa: F405
RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": REFRESH_LOCK_TIMEOUT}}  # noqa: F405

# The SQLite test database lives in memory with a shared cache, where a writer locks
# whole tables and readers fail at once ("database table is locked") instead of waiting:
# IMMEDIATE transactions, which hold the write lock from BEGIN, would make the
# threaded browser and worker tests trip over that. WAL does not apply in memory.
# Several writing processes are tested on PostgreSQL (CI's second pass).
DATABASES["default"].get("OPTIONS", {}).pop("transaction_mode", None)  # noqa: F405

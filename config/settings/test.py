"""Tests: the same as local unless DATABASE_URL/CELERY_BROKER_URL point at PostgreSQL and Redis (CI)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="test-only-not-a-secret")
# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests never share the dev service's filesystem queue; results come back through a backend
# the in-process test worker shares (Redis in CI).
if CELERY_BROKER_URL.startswith("filesystem"):  # noqa: F405
    _queue = VAR_DIR / "test-celery"  # noqa: F405
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(_queue / "control"),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="cache+memory://")

# No anchor folder unless a test gives one (never the development folder in var/).
AUDIT_CHAIN_ANCHOR_DIR = ""

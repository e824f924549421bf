"""Tests: the same as local unless DATABASE_URL/CELERY_BROKER_URL point at PostgreSQL and Redis (CI)."""

import copy
import os
import tempfile

from .base import *  # noqa: F403
from .base import env

# pytest-xdist runs the suite in several processes (bin/test: TEST_PROCESSES). Each has its own test
# database (pytest-django adds the worker name to it) and, below, its own broker keys and queue
# folder, so one process's in-process Celery worker never takes a task another process queued
# against its own database. Empty when the suite runs in one process.
TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "")

# The reports' replica (config/db_router.py) is, in tests, a mirror of the test database (Django's
# TEST MIRROR: the alias connects to the same database, none is created for it). Routing to it is
# off (REPORTS_DATABASE_ALIAS None), so every test reads default; tests/config/test_db_router.py
# turns it on and checks where a report's queries go.
DATABASES["reports"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}  # noqa: F405
REPORTS_DATABASE_ALIAS = None

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="test-only-not-a-secret")
# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests never share the dev service's filesystem queue; results come back through a backend
# the in-process test worker shares (Redis in CI).
if CELERY_BROKER_URL.startswith("filesystem"):  # noqa: F405
    _queue = VAR_DIR / "test-celery" / (TEST_PROCESS or "main")  # noqa: F405
    _queue.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(_queue / "control"),
    }
elif TEST_PROCESS:
    # kombu's Redis transport puts this before every key it uses (queues, unacked, bindings).
    CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"{TEST_PROCESS}:"}  # noqa: F405
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="cache+memory://")
if TEST_PROCESS and CELERY_RESULT_BACKEND.startswith("redis"):
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_PROCESS}:"}

# No anchor folder unless a test gives one (never the development folder in var/).
AUDIT_CHAIN_ANCHOR_DIR = ""

# Attachments in a folder of this test process's own, never var/ (tests give one per test too).
STORAGES = {**STORAGES, "attachments": {**STORAGES["attachments"], "OPTIONS": {  # noqa: F405
    **STORAGES["attachments"]["OPTIONS"], "location": tempfile.mkdtemp(prefix="eb-test-attachments-")}}}  # noqa: F405

"""Settings for bench/mutation.sh: the test settings on a file-backed SQLite test database, so
pytest's --reuse-db keeps it between the hundreds of short runs (migrating it each time would
cost more than the tests)."""

import os

# Importing config starts the Celery app, whose beat schedule reads a setting while this module
# is still half-imported (Django would find it empty and fail). Let that first read load the
# test settings; once this module has finished, Django loads it and its values take over.
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import config  # noqa: E402, F401

os.environ["DJANGO_SETTINGS_MODULE"] = __name__

from config.settings.test import *  # noqa: E402, F403
from config.settings.test import VAR_DIR  # noqa: E402

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "mutation.sqlite3"),
        "ATOMIC_REQUESTS": False,
        "TEST": {"NAME": str(VAR_DIR / "mutation-test.sqlite3")},
    }
}

# MUTATION_DATABASE_URL (PostgreSQL) instead: for code that only PostgreSQL runs (the engine's row
# locks, its PostgreSQL SQL), which the SQLite run cannot reach. Each module its own test database
# (bench/mutation.sh sets MUTATION_MODULE), so two modules may run side by side.
if os.environ.get("MUTATION_DATABASE_URL"):
    import environ

    DATABASES = {
        "default": {
            **environ.Env.db_url_config(os.environ["MUTATION_DATABASE_URL"]),
            "ATOMIC_REQUESTS": False,
            "TEST": {"NAME": f"test_mutation_{os.environ.get('MUTATION_MODULE', 'module')}"},
        }
    }

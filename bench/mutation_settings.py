"""Settings for bench/mutation.sh: the test settings on a file-backed SQLite test database, so
pytest's --reuse-db keeps it between the hundreds of short runs (migrating it each time would
cost more than the tests)."""

from config.settings.test import *  # noqa: F403
from config.settings.test import VAR_DIR

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "mutation.sqlite3"),
        "ATOMIC_REQUESTS": False,
        "TEST": {"NAME": str(VAR_DIR / "mutation-test.sqlite3")},
    }
}

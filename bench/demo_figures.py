"""What the demo municipality looks like, and how long it takes to build. Prints figures; not a test.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/demo_figures.py

Migrates the database it is pointed at, builds `manage.py demo_data` in a transaction that is
rolled back at the end (so it can be run again on the same database), and prints: the build
time; the share of persons with a live high-severity flag (the coordinators' persons, and every
adult of a case that is not closed); capacity use per insats (most active places, and most places
taken on any one day); the date span of decisions, follow-ups and flags; and the states present
per flow. The property tests in tests/audit/test_demo_believable.py assert the same things.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

settings.DEBUG = False

from audit import demo_figures  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        started = time.perf_counter()
        call_command("demo_data", verbosity=0)
        seconds = time.perf_counter() - started
        figures = demo_figures.collect()
        transaction.set_rollback(True)
    figures["build_seconds"] = round(seconds, 1)
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps(figures, default=str))


if __name__ == "__main__":
    main()

"""The README's first command runs on the embedded default, SQLite: every migration must apply
there too, not only on PostgreSQL, where CI runs the suite. A PostgreSQL-only column type
(an array field in the webhook subscriptions) once broke `bin/serve` and `bin/test` on a fresh
machine unnoticed, because every other test ran on an already-migrated PostgreSQL database."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_migration_applies_on_the_embedded_default(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_APP_ROLE", None)
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    unapplied = subprocess.run([sys.executable, "manage.py", "migrate", "--check", "-v0"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=300)
    assert unapplied.returncode == 0, unapplied.stdout[-2000:] + unapplied.stderr[-2000:]
    with sqlite3.connect(database) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"audit_webhooksubscription", "audit_flag", "cases_decision", "cases_applicant"} <= tables

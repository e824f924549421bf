"""Database connection reuse (issue 12, README "Database connections"): production keeps
connections (CONN_MAX_AGE with health checks) unless DATABASE_POOL asks for psycopg's pool;
development and tests open one per request unless told otherwise."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PG = "postgres://app@127.0.0.1:5432/eb"


def _database(module: str, **env) -> dict:
    unset = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DATABASE_POOL", "DATABASE_CONN_MAX_AGE")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    code = (f"import json, {module} as s; d = s.DATABASES['default']; "
            "print(json.dumps({k: d.get(k) for k in ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS')} | "
            "{'pool': d.get('OPTIONS', {}).get('pool')}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
                            env={**clean, "SECRET_KEY": "x" * 50, "DEBUG": "0", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_connections_with_health_checks():
    assert _database("config.settings.production", DATABASE_URL=PG) == {
        "CONN_MAX_AGE": 300, "CONN_HEALTH_CHECKS": True, "pool": None}


def test_production_age_is_configurable():
    assert _database("config.settings.production", DATABASE_URL=PG, DATABASE_CONN_MAX_AGE="60")["CONN_MAX_AGE"] == 60


def test_the_pool_replaces_persistent_connections():
    db = _database("config.settings.production", DATABASE_URL=PG, DATABASE_POOL="1", DATABASE_POOL_MAX_SIZE="6")
    assert db["CONN_MAX_AGE"] == 0  # Django refuses both at once
    assert db["pool"] == {"min_size": 2, "max_size": 6, "timeout": 10}


@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.test"])
def test_development_and_tests_open_a_connection_per_request(module):
    assert _database(module, DATABASE_URL=PG)["CONN_MAX_AGE"] == 0


def test_sqlite_never_gets_a_pool():
    assert _database("config.settings.production", DATABASE_POOL="1")["pool"] is None

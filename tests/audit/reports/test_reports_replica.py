"""Board reports from a read replica (config/db_router.py, issue 12 "Growth").

With REPORTS_DATABASE_URL the reports' reads go to the alias `reports` while the snapshot task
builds them; every write (the snapshot, its progress, change events, the access log) goes to
default. In tests `reports` is a TEST MIRROR of the test database (config/settings/test.py), so
the replica's queries are seen on their own connection; a mirror is another connection, so the
data must be committed: these tests are transactional."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import report_selectors, report_services
from audit.report_models import ReportSnapshot, SnapshotStatus
from audit.reports import key_figure_facts
from audit.reports.base import ReportParams, parse_period
from cases.finance_models import Decision
from config import db_router

BASE_DIR = Path(__file__).resolve().parents[3]
REPLICA = db_router.REPORTS_ALIAS
TODAY = datetime.date(2019, 6, 30)
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def replica_on(settings):
    settings.REPORTS_DATABASE_ALIAS = REPLICA


def _snapshot(code: str, actor, *, unit=None, kind="quarter") -> ReportSnapshot:
    period = parse_period(kind=kind, year=2019, number=1 if kind == "quarter" else None, today=TODAY)
    params = ReportParams(period=period, unit_id=unit.pk if unit else None, today=TODAY)
    return ReportSnapshot.objects.create(code=code, title=code, params=params.to_json(), unit=unit, made_by=actor,
                                         made_at=timezone.now())


def _statements(ctx) -> list[str]:
    return [q["sql"].lstrip() for q in ctx.captured_queries]


def _reads_of(ctx, table: str) -> list[str]:
    return [sql for sql in _statements(ctx) if sql.upper().startswith(("SELECT", "WITH")) and f'"{table}"' in sql]


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_reports_figures_are_read_from_the_replica_and_every_write_goes_to_default(replica_on, report_world):
    w = report_world
    # 4a (about persons, for the unit), 3 (raw SQL on PostgreSQL) and 1 (its monthly facts on
    # PostgreSQL, audit.reports.key_figure_fact_queries; rebuilding a stale month is a write, on default;
    # on SQLite its live queries, which read the decisions).
    key_figures_table = "audit_keyfigurefact" if key_figure_facts.available() else Decision._meta.db_table
    for code, unit, kind, table in (("unexecuted_decisions_ivo", w.unit, "quarter", Decision._meta.db_table),
                                    ("full_time_activation", None, "year", "cases_applicant"),
                                    ("key_figures", None, "quarter", key_figures_table)):
        snap = _snapshot(code, w.unit_manager, unit=unit, kind=kind)
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default, \
                CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert report_services.snapshot_build(snapshot_id=snap.pk) is True
        assert _reads_of(on_replica, table), code
        assert not _reads_of(on_default, table), code
        assert not [sql for sql in _statements(on_replica) if sql.upper().startswith(WRITES)], code
        assert any(sql.upper().startswith("UPDATE") and "audit_reportsnapshot" in sql for sql in _statements(on_default))
        snap.refresh_from_db()
        assert snap.status == SnapshotStatus.DONE, code
        assert "replica_replayed_at" not in snap.data  # a mirror is no standby: nothing to say about lag

    # Reading the report about persons is logged per person, on default, also inside the reports' reads.
    snap = ReportSnapshot.objects.get(code="unexecuted_decisions_ivo")
    with db_router.report_reads(), CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default, \
            CaptureQueriesContext(connections[REPLICA]) as on_replica:
        report_selectors.log_snapshot_read(user=w.unit_manager, snapshot=snap)
    assert any(sql.upper().startswith("INSERT") and "audit_accesslogentry" in sql for sql in _statements(on_default))
    assert not [sql for sql in _statements(on_replica) if sql.upper().startswith(WRITES)]

    # A read inside a transaction on default stays there (it must see the transaction's writes).
    with db_router.report_reads():
        assert router.db_for_read(Decision) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Decision) == DEFAULT_DB_ALIAS
        assert router.db_for_write(Decision) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Decision) == DEFAULT_DB_ALIAS  # outside the reports' reads


@pytest.mark.django_db
def test_without_a_replica_a_report_reads_default(report_world, make_snapshot):
    # The alias exists in tests but routing is off: a query to it would be refused by the test
    # harness (this test may use default only).
    with db_router.report_reads():
        assert router.db_for_read(Decision) == DEFAULT_DB_ALIAS
    snap = make_snapshot(report_world.unit_manager, "unexecuted_decisions_ivo", unit=report_world.unit.pk,
                         period_kind="quarter", year=2019, number=1)
    assert snap.status == SnapshotStatus.DONE
    assert not router.allow_migrate(REPLICA, "cases")


@pytest.mark.django_db
def test_a_report_read_from_a_replica_says_how_fresh_its_figures_are(report_world, make_snapshot, monkeypatch):
    replayed = timezone.make_aware(datetime.datetime(2019, 4, 2, 6, 45))
    monkeypatch.setattr(report_services, "replica_replayed_at", lambda: replayed)
    snap = make_snapshot(report_world.board, "unexecuted_decisions_statistics", period_kind="quarter", year=2019,
                         number=1)
    assert ("Uppgifterna är hämtade ur en kopia av databasen: ändringar sparade till och med 2019-04-02 kl. 06:45 "
            "är med.") in snap.data["notes"]
    assert snap.data["replica_replayed_at"] == replayed.isoformat()


def _settings(**env) -> dict:
    unset = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REPORTS_DATABASE_URL", "DATABASE_POOL",
             "DATABASE_CONN_MAX_AGE")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    code = ("import json, config.settings.production as s; r = s.DATABASES.get('reports'); "
            "print(json.dumps({'routers': s.DATABASE_ROUTERS, 'alias': s.REPORTS_DATABASE_ALIAS, 'reports': r and "
            "{k: r.get(k) for k in ('NAME', 'HOST', 'CONN_MAX_AGE', 'OPTIONS')}}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
                            env={**clean, "SECRET_KEY": "x" * 50, "DEBUG": "0",
                                 "DATABASE_URL": "postgres://app@127.0.0.1:5432/eb", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_reports_database_url_adds_the_replica_with_the_apps_connection_settings():
    got = _settings(REPORTS_DATABASE_URL="postgres://app@replica.example:5432/eb")
    assert got["alias"] == REPLICA
    assert got["reports"] == {"NAME": "eb", "HOST": "replica.example", "CONN_MAX_AGE": 300,
                              "OPTIONS": {"options": "-c jit=off"}}
    assert got["routers"] == ["config.db_router.ReportsRouter"]
    assert _settings() == {"routers": ["config.db_router.ReportsRouter"], "alias": None, "reports": None}

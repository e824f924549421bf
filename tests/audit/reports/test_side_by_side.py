"""A report's two periods read side by side on two connections (audit/reports/side_by_side.py):
on PostgreSQL outside a transaction the other calls run on connections of their own, in this
context, and give the reports the same figures as one after the other; inside a transaction, with
the setting off or on SQLite, every call runs here, in order."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction

from audit.reports import get_report, side_by_side
from audit.reports.base import ReportParams, parse_period
from bench import dataset
from cases.models import Applicant
from config import db_router

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="other connections run side by side there")


def _where() -> tuple[int, int]:
    """(this thread, its PostgreSQL backend's pid)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT 1")
        return threading.get_ident(), cursor.fetchone()[0]


def _backends_alive(pids) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)])
        return {row[0] for row in cursor.fetchall()}


@postgresql
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_other_calls_run_on_their_own_connections_which_are_closed_after(settings):
    settings.REPORTS_SIDE_BY_SIDE = True
    here = _where()
    assert side_by_side.possible()
    results = side_by_side.run(lambda: ("first", _where()), lambda: ("second", _where()), lambda: ("third", _where()))
    assert [tag for tag, _ in results] == ["first", "second", "third"]  # the calls' order, whatever finished first
    (_, first), (_, second), (_, third) = results
    assert first == here  # the first call runs here
    assert len({first[1], second[1], third[1]}) == 3  # three backends
    assert second[0] != here[0] and third[0] != here[0]
    others = {second[1], third[1]}
    for _ in range(50):  # a closed connection's backend ends a moment later
        if not _backends_alive(others):
            break
        time.sleep(0.1)
    assert not _backends_alive(others)


@postgresql
@pytest.mark.django_db(transaction=True, databases=["default", db_router.REPORTS_ALIAS])
def test_the_other_calls_read_where_the_caller_reads_and_see_what_it_committed(settings):
    settings.REPORTS_SIDE_BY_SIDE = True
    settings.REPORTS_DATABASE_ALIAS = db_router.REPORTS_ALIAS  # in tests a mirror of the test database
    dataset.generate(20, seed=3, today=datetime.date(2026, 6, 17))

    def read():
        return (db_router._reading_reports.get(), db_router.ReportsRouter().db_for_read(Applicant),
                Applicant.objects.count(), connections[db_router.REPORTS_ALIAS].settings_dict["NAME"])

    with db_router.report_reads():
        here, there = side_by_side.run(read, read)
    assert here == there == (True, db_router.REPORTS_ALIAS, Applicant.objects.count(), connection.settings_dict["NAME"])
    assert here[2] > 0


@postgresql
@pytest.mark.django_db(transaction=True)
def test_an_error_in_another_call_reaches_the_caller(settings):
    settings.REPORTS_SIDE_BY_SIDE = True

    def fails():
        raise LookupError("no such period")

    with pytest.raises(LookupError, match="no such period"):
        side_by_side.run(_where, fails)


@pytest.mark.django_db
def test_inside_a_transaction_every_call_runs_here_in_order(settings):
    settings.REPORTS_SIDE_BY_SIDE = True
    order = []

    def call(tag):
        order.append(tag)
        return tag, _where()

    with transaction.atomic():
        assert not side_by_side.possible()  # another connection would not see this transaction's rows
        results = side_by_side.run(lambda: call("a"), lambda: call("b"))
    assert order == ["a", "b"]
    assert results[0][1] == results[1][1] == _where()


@pytest.mark.django_db(transaction=True)
def test_with_the_setting_off_or_on_sqlite_every_call_runs_here(settings):
    settings.REPORTS_SIDE_BY_SIDE = False
    assert not side_by_side.possible()
    assert side_by_side.run(_where, _where) == [_where(), _where()]
    settings.REPORTS_SIDE_BY_SIDE = True
    assert side_by_side.possible() == (connection.vendor == "postgresql")


@postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("code", ["key_figures", "plan_quality", "full_time_activation"])
def test_the_reports_give_the_same_figures_side_by_side_as_one_after_the_other(settings, monkeypatch, code):
    today = datetime.date(2026, 6, 17)
    dataset.generate(300, seed=7, today=today)
    params = ReportParams(period=parse_period(kind="year", year=2026, today=today), unit_id=None, today=today)
    apart = []
    real_apart = side_by_side._apart
    monkeypatch.setattr(side_by_side, "_apart", lambda *args: apart.append(threading.get_ident()) or real_apart(*args))

    settings.REPORTS_SIDE_BY_SIDE = False
    in_turn = get_report(code).make(params)
    assert not apart
    settings.REPORTS_SIDE_BY_SIDE = True
    together = get_report(code).make(params)
    assert apart and threading.get_ident() not in apart  # some of it ran on another thread

    def figures(data):
        return [(t.key, [c.key for c in t.columns], t.rows) for t in data.tables]

    assert figures(together) == figures(in_turn)
    assert sum(len(t.rows) for t in in_turn.tables) > 10
    assert any(isinstance(v, int) and v > 0 for t in in_turn.tables for row in t.rows for v in row.values())

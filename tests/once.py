"""Data built once for a whole test module, for tests that read it.

`built_once(build)` turns `build()` into a module-scoped fixture: the rows are written once, in
a transaction that stays open for the module and is rolled back at its end. Each test still runs
in its own savepoint inside it (pytest-django's `db`), so what one test writes is gone before the
next starts, exactly as with per-test setup (tests/test_once.py checks this).

Only for modules without transactional tests (live server, real Celery worker): those run last
anyway (pytest-django orders them after the others), after the module's transaction is gone.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import transaction

from tests import demo_copy


def built_once(build: Callable[[], object], *, name: str | None = None, scope: str = "module"):
    """A fixture (module- or class-scoped) holding what `build()` returned. A module-scoped one stays
    in force for every later test of the module, so use it where all of them read the same data."""

    @pytest.fixture(scope=scope, name=name or build.__name__)
    def fixture(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            built = build()
            checked_now()
            yield built
            transaction.set_rollback(True)

    return fixture


def checked_now() -> None:
    """Check the deferred foreign keys of the rows just built, once, in the module's transaction.

    PostgreSQL's foreign keys are deferred to the commit (Django makes them DEFERRABLE INITIALLY
    DEFERRED), and Django's test teardown checks them (SET CONSTRAINTS ALL IMMEDIATE) inside each
    test's savepoint. Checks fired inside a savepoint that is rolled back are pending again after
    it, so without this every test of the module re-checked every row the module built: 0.55 s
    per test over the demo municipality (seen in a profile of the API fuzz run)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        connection.check_constraints()


def demo_municipality() -> str:
    """`manage.py demo_data` as bin/serve runs it; returns what it printed.

    Built once per bin/test run on PostgreSQL: the first call builds it and keeps a copy of every
    table's rows (tests.demo_copy), on disk for the run's other processes; later calls, in other
    modules' transactions, put that copy back (about half a second instead of the whole build). Elsewhere, or when the database holds other
    rows than the bare migrated one, it is built as before.
    """
    with demo_copy.run_lock():  # one build for the run's processes (tests/demo_copy.py)
        restored = demo_copy.restore()
        if restored is not None:
            return restored
        before = demo_copy.table_counts()
        out = io.StringIO()
        call_command("demo_data", stdout=out)
        demo_copy.keep(out.getvalue(), before)
        return out.getvalue()

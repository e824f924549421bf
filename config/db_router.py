"""The board reports read from a PostgreSQL read replica when one is configured (issue 12, "Growth").

`REPORTS_DATABASE_URL` (config/settings/base.py) adds the database alias `reports`. Inside
`report_reads()` (the report snapshot task, audit.report_services.snapshot_build, wraps the
building of a report's figures in it) the ORM's reads go to that alias; every write goes to
`default`, always: snapshots, their progress, the access log, change events. Without the
setting, or outside `report_reads()`, everything reads `default` (no change of behaviour).

A read inside a transaction on `default` stays on `default` whatever the context: it must see
the transaction's own writes, which a replica has not replayed yet.

Raw SQL does not pass through the router: code that opens a cursor for a report takes it from
`read_connection(model)` (or a queryset's `.db`), so its SQL goes where the ORM's would.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

REPORTS_ALIAS = "reports"

_reading_reports: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_reports", default=False)


def reports_alias() -> str | None:
    """The alias the reports read from, or None when no replica is configured."""
    alias = getattr(settings, "REPORTS_DATABASE_ALIAS", None)
    return alias if alias and alias in connections.settings else None


@contextlib.contextmanager
def report_reads() -> Iterator[None]:
    """Send the ORM's reads in this block to the reports replica (if configured)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def read_connection(model):
    """The connection a read of `model` uses here and now: for raw SQL in the reports."""
    return connections[router.db_for_read(model)]


class ReportsRouter:
    def db_for_read(self, model, **hints):
        alias = reports_alias()
        if alias is None or not _reading_reports.get():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        # Never the replica, also for an object read from it (Django would otherwise save it
        # back to the database it came from).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as default.
        aliases = {DEFAULT_DB_ALIAS, REPORTS_ALIAS}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica follows its primary; it is never migrated itself.
        return False if db == REPORTS_ALIAS else None


def replica_replayed_at():
    """When the last change the reports' replica has replayed was committed on the primary, as
    the replica sees it now (PostgreSQL's pg_last_xact_replay_timestamp()); None when reads go to
    default here, or when the alias is not a standby (a test mirror, a primary)."""
    alias = ReportsRouter().db_for_read(None)
    if alias in (None, DEFAULT_DB_ALIAS) or connections[alias].vendor != "postgresql":
        return None
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp()")
        in_recovery, replayed_at = cursor.fetchone()
    return replayed_at if in_recovery else None

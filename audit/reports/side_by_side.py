"""A report's independent reads run side by side, each on its own database connection (issue 12).

A board report sets the period beside the same period a year before: two sets of queries that
share nothing. PostgreSQL runs each connection's queries in a backend process of its own, so with
two cores the two periods take about as long as the slower of them instead of both together
(bench/README.md, "Reports side by side"). The figures are the same either way: each call reads
committed rows only, as it would alone.

Only where that holds: PostgreSQL, REPORTS_SIDE_BY_SIDE on (config/settings/base.py), and no
transaction open in this thread. Another connection would not see a transaction's own rows (a
test's, or a caller's that just wrote), so there the calls run one after the other on this
connection, in order, as they always did.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connections


def possible() -> bool:
    """Whether calls may run on other connections now (see the module's docstring)."""
    if not getattr(settings, "REPORTS_SIDE_BY_SIDE", False):
        return False
    opened = connections.all(initialized_only=True)
    if any(conn.in_atomic_block for conn in opened):
        return False
    return connections["default"].vendor == "postgresql"


def _apart(call: Callable[[], Any]) -> Any:
    """`call` in a worker thread, on connections of its own (Django gives each thread its own,
    made from the same settings), closed after."""
    try:
        return call()
    finally:
        connections.close_all()


def run(*calls: Callable[[], Any]) -> list[Any]:
    """The results of `calls` (functions of no arguments), in their order.

    The first runs here, on this thread's connection; each other one in a thread of its own with
    a copy of this context (so it reads where this code would: config/db_router.report_reads)."""
    if len(calls) < 2 or not possible():
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=len(calls) - 1, thread_name_prefix="report-read") as pool:
        others = [pool.submit(contextvars.copy_context().run, _apart, call) for call in calls[1:]]
        first = calls[0]()
        return [first, *(future.result() for future in others)]

"""Cost of the yearly gallring over whole household files. Prints figures, the last line one JSON
object; not a test.

    DATABASE_URL=sqlite:////tmp/bench_gallring.sqlite3 .venv/bin/python bench/retention_purge.py --households 40

Point DATABASE_URL at a scratch database as a role that owns the tables (the script migrates it
and writes into it). It builds `--households` closed household files of 2019 (two adults and a
child, with rows in every app: the test suite's `household_file`) and `--households` recent ones,
then times the plan (who is due), the dry run and the purge, and counts their queries.
"""

from __future__ import annotations

import argparse
import datetime
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
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

settings.DEBUG = False

from audit.control import retention  # noqa: E402
from cases.models import Role, Unit  # noqa: E402
from tests.audit.test_retention_households import TODAY, at, household_file  # noqa: E402
from tests.factories.cases import StaffFactory  # noqa: E402


def timed(fn):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return result, seconds, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=40)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    unit, _ = Unit.objects.get_or_create(code="ekonomiskt-bistand", defaults={"name": "Ekonomiskt bistånd"})
    coordinator_unit, _ = Unit.objects.get_or_create(code="koordinator", defaults={"name": "Koordinator"})
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit)
    coordinator = StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit)
    started = time.perf_counter()
    for _ in range(args.households):
        household_file(caseworker, coordinator, written=at(datetime.date(2019, 6, 14)))
        household_file(caseworker, coordinator, written=at(datetime.date(2024, 2, 1)))
    print(f"built {2 * args.households} household files in {time.perf_counter() - started:.1f} s")
    plan, plan_s, plan_q = timed(lambda: retention.purge_plan(today=TODAY))
    _, preview_s, preview_q = timed(lambda: retention.retention_preview(today=TODAY))
    protocol, purge_s, purge_q = timed(lambda: retention.retention_purge(today=TODAY))
    rows = sum(protocol.counts.values())
    print(f"plan: {len(plan.due)} units due, {plan_s:.3f} s, {plan_q} queries")
    print(f"dry run: {preview_s:.3f} s, {preview_q} queries")
    print(f"purge: {protocol.households} households, {protocol.persons} persons, {rows} rows, "
          f"{purge_s:.3f} s, {purge_q} queries")
    print(json.dumps({"vendor": connection.vendor, "households_due": protocol.households, "rows_removed": rows,
                      "plan_s": round(plan_s, 3), "plan_queries": plan_q, "dry_run_s": round(preview_s, 3),
                      "dry_run_queries": preview_q, "purge_s": round(purge_s, 3), "purge_queries": purge_q}))


if __name__ == "__main__":
    main()

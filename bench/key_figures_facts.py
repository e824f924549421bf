"""Report 1 (nyckeltal) from its monthly facts, on a population already loaded (issue 12).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db bench/dataset.py loaded> \\
        nice -n 10 .venv/bin/python bench/key_figures_facts.py [--live]

Migrates, builds every month's facts from scratch, rebuilds one month as after a late correction,
then builds report 1 for this year (the facts made fresh, then read) and, with --live, the same
figures from the live queries that define them. Prints figures; not a test. The last line is one
JSON object: persons, decisions, facts_build_s, facts_rows, facts_refresh_month_s,
key_figures_year_s, key_figures_year_queries and, with --live, key_figures_year_live_s.
"""

from __future__ import annotations

import argparse
import json
import time

import egenkontroll  # noqa: F401  (sets up Django; same directory)
from board_reports import facts_figures
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.reports import get_report, key_figures
from audit.reports.base import ReportParams, parse_period
from cases.finance_models import Decision
from cases.models import Applicant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--live", action="store_true", help="also time the live queries (the reference)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    out = {"persons": Applicant.objects.count(), "decisions": Decision.objects.count(), **facts_figures()}
    today = timezone.localdate()
    year = parse_period(kind="year", year=today.year, today=today)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        get_report("key_figures").build(ReportParams(period=year, unit_id=None, today=today))
    out["key_figures_year_s"] = round(time.perf_counter() - started, 2)
    out["key_figures_year_queries"] = len(ctx.captured_queries)
    print(f"key_figures year (facts): {out['key_figures_year_s']:.2f} s, {len(ctx.captured_queries)} queries", flush=True)
    if args.live:
        started = time.perf_counter()
        for period in (year, year.previous_year()):
            key_figures._figures(period, None, facts=False)
        out["key_figures_year_live_s"] = round(time.perf_counter() - started, 2)
        print(f"key_figures year (live queries): {out['key_figures_year_live_s']:.2f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        out["jit"] = cursor.fetchone()[0]
    print(json.dumps(out))


if __name__ == "__main__":
    main()

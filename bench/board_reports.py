"""Benchmark of the board reports 1-3 on a large synthetic population. Prints figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eb_bench_reports \
        .venv/bin/python bench/board_reports.py --persons 20000

Point DATABASE_URL at a scratch database: the script migrates it, writes the population
(by default bench/dataset.py inside PostgreSQL, which includes applications, decisions and their
execution; `--generator python`: bench/egenkontroll.py's ORM generator plus add_finance below),
then times every board report for this year (and the quarterly ones for this quarter), with its
number of queries (`--only` some of them). First report 1's monthly facts are built from scratch and one month is rebuilt
(facts_build_s, facts_refresh_month_s). The last line is one JSON object: persons, decisions,
database, jit, side_by_side (REPORTS_SIDE_BY_SIDE), key_figures_year_s, slowest_report,
slowest_s, the facts' figures and each report's seconds and statements (on every connection).
`--no-live` leaves out the reference timing of report 1 from the live queries.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import threading
import time

import egenkontroll as population  # sets up Django (same directory)
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone

from audit.key_figure_fact_models import KeyFigureDirtyMonth, KeyFigureFact
from audit.reports import get_report, key_figure_facts
from audit.reports.base import ReportParams, parse_period
from cases.finance_models import Application, Decision, DelegationPoint, LegalBasis
from cases.models import Applicant, Case, Staff
from planning.norms import add_months


class StatementCount:
    """Statements sent on every connection, whichever thread opened it: a report's periods may read
    side by side on connections of their own (audit/reports/side_by_side.py), which a capture of
    this thread's connection would not see."""

    def __init__(self):
        self.n = 0
        self._lock = threading.Lock()
        self.watch(connection)
        connection_created.connect(lambda sender, connection, **kwargs: self.watch(connection), weak=False)

    def watch(self, conn) -> None:
        if self not in conn.execute_wrappers:
            conn.execute_wrappers.append(self)

    def __call__(self, execute, sql, params, many, context):
        with self._lock:
            self.n += 1
        return execute(sql, params, many, context)


def add_finance(seed: int) -> None:
    """Each case: försörjningsstöd granted for a random run of the last 1-14 months."""
    rnd = random.Random(seed)
    today = timezone.localdate()
    this_month = today.replace(day=1)
    staff = Staff.objects.filter(role="caseworker").first()
    basis, point = LegalBasis.objects.get(code="sol-12-1"), DelegationPoint.objects.first()
    applications = []
    for case_id in Case.objects.filter(unit__code="bench-eb").values_list("pk", flat=True):
        for back in range(rnd.randint(1, 14)):
            month = add_months(this_month, -back)
            applications.append(Application(case_id=case_id, month=month, received_on=month, status="decided",
                                            created_by=staff))
    applications = population._bulk(Application, applications)
    now = timezone.now()
    population._bulk(Decision, [
        Decision(application=a, item_kind="income_support", outcome="granted", amount_applied=amount, amount=amount,
                 legal_basis=basis, reasoning="Bench.", decided_by=staff, decided_by_role="caseworker",
                 delegation_point=point, decided_on=a.month + datetime.timedelta(days=rnd.randint(0, 25)),
                 signed_at=now)
        for a in applications for amount in [rnd.randint(3000, 15000)]
    ])


def facts_figures() -> dict:
    """Report 1's monthly facts (audit/reports/key_figure_facts.py): every month built from
    scratch, then one month rebuilt as after a late correction (its mark is what the trigger
    writes), each timed. The reports below then read fresh facts, vacuumed and analyzed first as
    autovacuum would leave them: a rebuild from scratch leaves every old row dead (the machine's
    PostgreSQL runs with autovacuum off) and the planner's estimates from before it."""
    if not key_figure_facts.available():
        return {}
    started = time.perf_counter()
    months = key_figure_facts.rebuild_all()
    build_s = time.perf_counter() - started
    last_month = max(months)
    KeyFigureDirtyMonth.objects.create(month=add_months(last_month, -1), marked_at=timezone.now())
    started = time.perf_counter()
    key_figure_facts.refresh()
    refresh_s = time.perf_counter() - started
    rows = KeyFigureFact.objects.count()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_keyfigurefact, audit_keyfigurewait, audit_keyfigureclosing, "
                       "audit_keyfigureparticipation")
    vacuum_s = time.perf_counter() - started
    print(f"key figure facts: {len(months)} months, {rows} rows built in {build_s:.1f} s; "
          f"one month rebuilt in {refresh_s:.2f} s; vacuumed in {vacuum_s:.1f} s", flush=True)
    return {"facts_build_s": round(build_s, 2), "facts_months": len(months), "facts_rows": rows,
            "facts_refresh_month_s": round(refresh_s, 2), "facts_vacuum_s": round(vacuum_s, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--generator", choices=("sql", "python"), default="sql")
    parser.add_argument("--only", default="", help="comma-separated report codes: time only these")
    parser.add_argument("--keep-facts", action="store_true",
                        help="leave report 1's facts as they are (report 1 rebuilds what is stale itself) instead "
                             "of building them from scratch first: for timing the other reports")
    parser.add_argument("--no-live", action="store_true",
                        help="skip report 1 from the live queries (the reference; many minutes at 1 000 000 persons)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not args.skip_generate:
        started = time.perf_counter()
        if args.generator == "sql":
            population.populate("sql", args.persons, args.seed)
        else:
            with transaction.atomic():
                population.generate(args.persons, args.seed)
                add_finance(args.seed)
        print(f"generated {args.persons} persons in {time.perf_counter() - started:.1f} s "
              f"({connection.vendor}, {args.generator})", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    facts = {} if args.keep_facts else facts_figures()
    today = timezone.localdate()
    decisions = Decision.objects.count()
    print(f"{decisions} decisions; today {today}")
    print(f"{'report':<34}{'period':<10}{'queries':>8}{'seconds':>9}")
    year = parse_period(kind="year", year=today.year, today=today)
    quarter = parse_period(kind="quarter", year=today.year, number=(today.month - 1) // 3 + 1, today=today)
    runs = [  # (report, period kind, params): every report for a year; 4a and 4b exist only per quarter
        *((code, kind, ReportParams(period=period, unit_id=None, today=today))
          for code in ("key_figures", "plan_quality", "full_time_activation", "internal_control")
          for kind, period in (("year", year), ("quarter", quarter))),
        *((code, "quarter", ReportParams(period=quarter, unit_id=None, today=today))
          for code in ("unexecuted_decisions_ivo", "unexecuted_decisions_statistics")),
        ("delegated_decisions", "year", ReportParams(period=None, unit_id=None, date_from=year.start,
                                                    date_to=min(year.end, today), today=today)),
    ]
    if args.only:
        runs = [run for run in runs if run[0] in args.only.split(",")]
    figures = {}
    statements = StatementCount()
    for code, kind, params in runs:
        started, before = time.perf_counter(), statements.n
        get_report(code).build(params)
        seconds, queries = time.perf_counter() - started, statements.n - before
        figures[f"{code}_{kind}"] = {"s": round(seconds, 2), "queries": queries}
        print(f"{code:<34}{kind:<10}{queries:>8}{seconds:>9.2f}", flush=True)
    if facts and not args.no_live:  # report 1's figures from the live queries (the reference), at the same load
        from audit.reports import key_figures

        started = time.perf_counter()
        for period in (year, year.previous_year()):
            key_figures._figures(period, None, facts=False)
        facts["key_figures_year_live_s"] = round(time.perf_counter() - started, 2)
        print(f"key_figures year from the live queries (before the facts): {facts['key_figures_year_live_s']:.2f} s")
    slowest = max(figures, key=lambda k: figures[k]["s"])
    jit = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            jit = cursor.fetchone()[0]
    print(json.dumps({
        "persons": Applicant.objects.count(), "decisions": decisions, "database": connection.vendor, "jit": jit,
        "side_by_side": settings.REPORTS_SIDE_BY_SIDE,
        "key_figures_year_s": figures.get("key_figures_year", {}).get("s"), "slowest_report": slowest,
        "slowest_s": figures[slowest]["s"], **facts, "reports": figures,
    }))

if __name__ == "__main__":
    main()

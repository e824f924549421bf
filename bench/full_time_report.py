"""Report 3 (heltidsaktivering): the set-based weekly query against the week-by-week reference.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch db> \\
        nice -n 10 .venv/bin/python bench/full_time_report.py [--runs 3] [--skip-reference]

Run on a database bench/dataset.py (or board_reports.py) has loaded. For this year and the year
before, and this quarter, it times the weekly counts the report needs from both implementations
(audit.reports.full_time_activation: `weekly_counts`, on PostgreSQL insatser.full_time_weeks' one query over all weeks, and
`weekly_counts_by_week`, insatser.full_time's one-week query per week in a UNION ALL), alternating
them run by run so that the machine's changing load hits both alike, asserts they give the same
counts, then times the whole report for the year both ways. The last line is one JSON object:
persons, load_average, reference_s, set_based_s (medians per period), ratio, report_year_s,
report_year_reference_s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from unittest import mock

import egenkontroll  # noqa: F401  sets up Django (same directory)
from django.utils import timezone

from audit.reports import full_time_activation, get_report
from audit.reports.base import ReportParams, parse_period
from audit.reports.full_time_activation import weekly_counts, weekly_counts_by_week, weeks
from cases.models import Applicant


def set_based(period, until):
    return {r["week"]: {k: v for k, v in r.items() if k != "week"} for r in weekly_counts(period, None, until)
            if r["under_norm"]}


def reference(period, until):
    return weekly_counts_by_week(weeks(period, until), None, period)


def _period_of(mondays, year):
    """The period whose weeks these are: this year or the year before (for its age day)."""
    return year if mondays and mondays[0].year == year.start.year else year.previous_year()


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-reference", action="store_true", help="time only the set-based query")
    args = parser.parse_args()
    today = timezone.localdate()
    year = parse_period(kind="year", year=today.year, today=today)
    periods = {
        "year": (year, today),
        "year_before": (year.previous_year(), today.replace(year=today.year - 1)),
        "quarter": (parse_period(kind="quarter", year=today.year, number=(today.month - 1) // 3 + 1, today=today),
                    today),
    }
    load = [os.getloadavg()[0]]
    times = {name: {"reference": [], "set_based": []} for name in periods}
    for run in range(args.runs):
        for name, (period, until) in periods.items():
            new_s, new = timed(set_based, period, until)
            times[name]["set_based"].append(new_s)
            if not args.skip_reference:
                old_s, old = timed(reference, period, until)
                times[name]["reference"].append(old_s)
                assert new == old, (name, new, old)
            print(f"run {run + 1} {name:<12} set-based {new_s:7.2f} s"
                  + ("" if args.skip_reference else f"   reference {old_s:7.2f} s   same counts"), flush=True)
        load.append(os.getloadavg()[0])
    build, params = get_report("full_time_activation").build, ReportParams(period=year, unit_id=None, today=today)
    report_s, data = timed(build, params)
    print(f"report 3, year (both years' weeks and exemptions): {report_s:.2f} s")
    report_reference_s = None
    if not args.skip_reference:
        # The whole report as it was: its weeks through the reference (the same tables, checked).
        with mock.patch.object(full_time_activation.full_time_weeks, "weekly_counts",
                               lambda mondays, *, unit_id, born_after, born_on_or_before:
                               weekly_counts_by_week(mondays, unit_id, _period_of(mondays, year))):
            report_reference_s, before = timed(build, params)
        assert [t.rows for t in before.tables] == [t.rows for t in data.tables]
        print(f"report 3, year, weeks by the reference: {report_reference_s:.2f} s   same tables")
    med = {name: {k: round(statistics.median(v), 2) if v else None for k, v in t.items()} for name, t in times.items()}
    print(json.dumps({
        "persons": Applicant.objects.count(), "load_average": [round(min(load), 1), round(max(load), 1)],
        "reference_s": {n: m["reference"] for n, m in med.items()}, "set_based_s": {n: m["set_based"] for n, m in med.items()},
        "ratio": {n: round(m["set_based"] / m["reference"], 3) if m["reference"] else None for n, m in med.items()},
        "report_year_s": round(report_s, 2),
        "report_year_reference_s": report_reference_s and round(report_reference_s, 2),
    }))


if __name__ == "__main__":
    main()

"""Reports 4a/4b and rule 10 on the set-based unexecuted-decision definition against the earlier
one (bench/unexecuted_reference.py), side by side on the same data, the same answers asserted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db dataset.py loaded> \\
        nice -n 10 .venv/bin/python bench/unexecuted_report.py [--chunks 3]

Per definition: the quarter's episodes as report 4a reads them (both kinds, every column), and
rule 10's findings run the way the engine runs them (chunks of 5 000 decision ids; `--chunks N`
times only the first N, the old definition recomputing every decision in each). The last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time

import egenkontroll  # noqa: F401  (sets up Django; same directory)
import unexecuted_reference as reference
from django.db.models import Max
from django.utils import timezone

from audit.control.rules import REGISTRY
from audit.reports import unexecuted
from audit.reports.base import ReportParams, parse_period
from cases import execution_selectors as ex
from cases.finance_models import Decision

RULE = "r10_decision_not_executed"


def report_rows(definition, params) -> tuple[float, list]:
    started = time.perf_counter()
    with _definition(definition):
        rows = unexecuted._ivo_found(params)
    return time.perf_counter() - started, rows


def rule_findings(definition, as_of, chunks) -> tuple[float, set]:
    rule = REGISTRY[RULE]
    params = {p.key: p.default_value() for p in rule.params}
    started, found = time.perf_counter(), set()
    with _definition(definition):
        for lo, hi in chunks:
            found |= set(rule.findings(as_of=as_of, params=params).filter(pk__gte=lo, pk__lt=hi)
                         .values_list("pk", flat=True))
    return time.perf_counter() - started, found


class _definition:
    """Run the report and the rule on `definition`'s episodes (they read cases.execution_selectors)."""

    def __init__(self, definition):
        self.names = {n: getattr(definition, n) for n in ("unexecuted_episodes", "interruption_episodes",
                                                           "overdue_decisions")}

    def __enter__(self):
        self.saved = {n: getattr(ex, n) for n in self.names}
        for n, f in self.names.items():
            setattr(ex, n, f)

    def __exit__(self, *exc):
        for n, f in self.saved.items():
            setattr(ex, n, f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=3)
    args = parser.parse_args()
    today = timezone.localdate()
    quarter = parse_period(kind="quarter", year=today.year, number=(today.month - 1) // 3 + 1, today=today)
    params = ReportParams(period=quarter, unit_id=None, today=today)
    top = Decision.objects.aggregate(top=Max("pk"))["top"] or 0
    chunks = [(lo, lo + 5000) for lo in range(1, top + 1, 5000)][: args.chunks]
    figures = {}
    for name, definition in (("new", ex), ("old", reference), ("new_again", ex)):
        report_s, rows = report_rows(definition, params)
        rule_s, found = rule_findings(definition, today, chunks)
        figures[name] = {"report_4a_s": round(report_s, 2), "rows": len(rows), "rule_10_s": round(rule_s, 2),
                         "findings": len(found), "_rows": rows, "_found": found}
        print(f"{name:<10} 4a {report_s:7.2f} s ({len(rows)} rows)   rule 10, {len(chunks)} chunks "
              f"{rule_s:7.2f} s ({len(found)} findings)", flush=True)
    assert figures["new"]["_rows"] == figures["old"]["_rows"]
    assert figures["new"]["_found"] == figures["old"]["_found"]
    print(json.dumps({
        "decisions": Decision.objects.count(), "chunks": len(chunks), "of_chunks": len(range(1, top + 1, 5000)),
        **{name: {k: v for k, v in f.items() if not k.startswith("_")} for name, f in figures.items()},
    }))


if __name__ == "__main__":
    main()

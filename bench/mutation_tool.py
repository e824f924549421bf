"""Helpers for bench/mutation.sh around a cosmic-ray session database.

    mutation_tool.py select SESSION [FUNCTION ...]  skip mutants outside the operator set below and,
                                                   with FUNCTION names, outside those functions
    mutation_tool.py rate SESSION MODULE           print "MODULE killed/total rate" and each survivor,
                                                   and the rate without the known-equivalent ones
    mutation_tool.py retest SESSION [all]          forget the survivors' results, so exec runs them again
                                                   (the known-equivalent ones too with `all`)

The operator set: one plausible slip per site (a boundary, a negation, & for |, + for -, a
constant off by one), not every operator swapped for every other (cosmic-ray's default, ~10x
more mutants, most of them absurd, e.g. + for <<).

Known-equivalent mutants (no test can tell them from the code) are listed in
bench/mutation_equivalent.txt as `file:line Operator  # why`. They still count in the raw rate;
the rate is printed a second time over the others, "killed / (total - equivalent)". A listed
mutant that is killed is reported (the list is stale there: the line moved or a test now sees it).
A mutant that does not compile (cosmic-ray: killed) is counted incompetent, out of both rates.
"""

from __future__ import annotations

import ast
import json
import re
import sqlite3
import sys
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

EQUIVALENT_LIST = Path(__file__).with_name("mutation_equivalent.txt")

KEEP = re.compile(
    "core/("
    "ReplaceComparisonOperator_(Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq|In_NotIn|NotIn_In|Is_IsNot|IsNot_Is)"
    "|ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Mod_FloorDiv|BitOr_BitAnd|BitAnd_BitOr)"
    "|ReplaceUnaryOperator_Delete_Not|AddNot|ReplaceTrueWithFalse|ReplaceFalseWithTrue|ReplaceAndWithOr"
    "|ReplaceOrWithAnd|NumberReplacer|ZeroIterationForLoop|ReplaceBreakWithContinue|ReplaceContinueWithBreak"
    ")$"
)


def _function_lines(path: Path, names: list[str]) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def select(session: str, functions: list[str]) -> None:
    with use_db(session, WorkDB.Mode.open) as db:
        cache: dict[Path, set[int]] = {}
        for item in list(db.pending_work_items):
            keep = True
            for m in item.mutations:
                if not KEEP.match(m.operator_name):
                    keep = False
                elif functions:
                    lines = cache.setdefault(m.module_path, _function_lines(Path(m.module_path), functions))
                    keep = keep and m.start_pos[0] in lines
            if not keep:
                db.set_result(item.job_id, WorkResult(output="not selected", worker_outcome=WorkerOutcome.SKIPPED))


def known_equivalent(path: Path = EQUIVALENT_LIST) -> dict[str, list[tuple[str, str]]]:
    """`file:line Operator` -> [(text, why)], from the list (blank lines and # comments ignored).
    `text`, when an entry gives one after the operator, must be in the mutated line (spaces
    ignored): it tells apart two mutants of one site, e.g. `[:2]` from `[:0]`."""
    known: dict[str, list[tuple[str, str]]] = {}
    for raw in path.read_text().splitlines() if path.exists() else []:
        entry, _, why = raw.partition("#")
        if entry.strip():
            location, operator, *text = entry.split()
            known.setdefault(f"{location} {operator}", []).append(("".join(text), why.strip()))
    return known


def _key(item) -> str:
    m = item.mutations[0]
    return f"{m.module_path}:{m.start_pos[0]} {m.operator_name.removeprefix('core/')}"


def _mutated_line(result) -> str:
    lines = (result.diff or "").splitlines()
    return "".join(line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")).replace(" ", "")


def _why_equivalent(known, item, result) -> str | None:
    for text, why in known.get(_key(item), []):
        if text.replace(" ", "") in _mutated_line(result):
            return why
    return None


def _does_not_compile(result) -> bool:
    """A mutant Python refuses to import (a bare `*` first in a signature made `/`: `def f(/, x)`).
    cosmic-ray reports it killed; it is counted incompetent here, out of the rate."""
    return "SyntaxError" in (result.output or "")


def rate(session: str, module: str) -> dict:
    killed = survived = incompetent = not_applied = 0
    survivors, equivalent, stale = [], [], set()
    known = known_equivalent()
    with use_db(session, WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            why = _why_equivalent(known, item, result)
            if result.test_outcome == TestOutcome.KILLED and _does_not_compile(result):
                incompetent += 1  # cosmic-ray calls it killed; no test was asked anything
            elif result.test_outcome == TestOutcome.KILLED:
                killed += 1
                if why is not None:
                    stale.add(_key(item))
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                incompetent += 1
            elif result.worker_outcome == WorkerOutcome.NO_TEST:
                # cosmic-ray found no such operator at the recorded place: the code moved since
                # `init`. Nothing was tested; counted apart (FRESH=1 re-reads the current code).
                not_applied += 1
            elif why is not None:
                survived += 1
                equivalent.append(f"{_key(item)}  ({why})")
            else:
                survived += 1
                survivors.append(_key(item))
        pending = db.num_work_items - db.num_results
    total = killed + survived
    others = total - len(equivalent)
    figures = {"module": module, "killed": killed, "survived": survived, "incompetent": incompetent,
               "pending": pending, "not_applied": not_applied, "kill_rate": round(100 * killed / total, 1) if total else None,
               "equivalent": len(equivalent),
               "kill_rate_without_equivalent": round(100 * killed / others, 1) if others else None}
    print(f"{module:<22} {killed:>4}/{total:<4} killed  {figures['kill_rate']} %"
          + (f"  ({pending} not run)" if pending else "")
          + (f"  ({not_applied} not applicable to the code as it is now)" if not_applied else ""))
    print(f"{'':<22} {killed:>4}/{others:<4} killed without the {len(equivalent)} known-equivalent"
          f"  {figures['kill_rate_without_equivalent']} %")
    for line in survivors:
        print(f"    survived: {line}")
    for line in equivalent:
        print(f"    survived, equivalent: {line}")
    for line in sorted(stale):
        print(f"    listed as equivalent but killed: {line}")
    return figures


def retest(session: str, everything: bool = False) -> None:
    """Forget the survivors' results so exec runs them again; the known-equivalent ones only with
    `everything` (they cannot be killed, and each costs a whole run of the module's tests)."""
    known = {} if everything else known_equivalent()
    with use_db(session, WorkDB.Mode.open) as db:
        survivors = [item.job_id for item, result in db.completed_work_items
                     if result.worker_outcome != WorkerOutcome.SKIPPED and result.test_outcome == TestOutcome.SURVIVED
                     and _why_equivalent(known, item, result) is None]
    with sqlite3.connect(session) as conn:
        conn.executemany("DELETE FROM work_results WHERE job_id = ?", [(job,) for job in survivors])


if __name__ == "__main__":
    command, session, *rest = sys.argv[1:]
    if command == "select":
        select(session, rest)
    elif command == "retest":
        retest(session, everything=rest == ["all"])
    else:
        print("JSON " + json.dumps(rate(session, rest[0])))

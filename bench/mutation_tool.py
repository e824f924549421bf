"""Helpers for bench/mutation.sh around a cosmic-ray session database.

    mutation_tool.py select SESSION [FUNCTION ...]  skip mutants outside the operator set below and,
                                                   with FUNCTION names, outside those functions
    mutation_tool.py rate SESSION MODULE           print "MODULE killed/total rate" and each survivor
    mutation_tool.py retest SESSION                forget the survivors' results, so exec runs them again

The operator set: one plausible slip per site (a boundary, a negation, & for |, + for -, a
constant off by one), not every operator swapped for every other (cosmic-ray's default, ~10x
more mutants, most of them absurd, e.g. + for <<).
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


def rate(session: str, module: str) -> dict:
    killed = survived = incompetent = 0
    survivors = []
    with use_db(session, WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if result.test_outcome == TestOutcome.KILLED:
                killed += 1
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                incompetent += 1
            else:
                survived += 1
                m = item.mutations[0]
                survivors.append(f"{m.module_path}:{m.start_pos[0]} {m.operator_name.removeprefix('core/')}")
        pending = db.num_work_items - db.num_results
    total = killed + survived
    figures = {"module": module, "killed": killed, "survived": survived, "incompetent": incompetent,
               "pending": pending, "kill_rate": round(100 * killed / total, 1) if total else None}
    print(f"{module:<22} {killed:>4}/{total:<4} killed  {figures['kill_rate']} %"
          + (f"  ({pending} not run)" if pending else ""))
    for line in survivors:
        print(f"    survived: {line}")
    return figures


def retest(session: str) -> None:
    with use_db(session, WorkDB.Mode.open) as db:
        survivors = [item.job_id for item, result in db.completed_work_items
                     if result.worker_outcome != WorkerOutcome.SKIPPED and result.test_outcome == TestOutcome.SURVIVED]
    with sqlite3.connect(session) as conn:
        conn.executemany("DELETE FROM work_results WHERE job_id = ?", [(job,) for job in survivors])


if __name__ == "__main__":
    command, session, *rest = sys.argv[1:]
    if command == "select":
        select(session, rest)
    elif command == "retest":
        retest(session)
    else:
        print("JSON " + json.dumps(rate(session, rest[0])))

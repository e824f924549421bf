"""The order test files are handed to the test processes: the longest first.

pytest-xdist (`--dist loadfile`) gives each process a whole file at a time, by default the files
with the most tests first. The longest files are not those with the most tests (the browser scan
is one test of over a minute), so a long file handed out last kept one process busy while the
other waited (about 70 s at the end of a CI run). bin/test therefore asks xdist to keep the
collection's order (`--no-loadscope-reorder`) and this module sorts the collection by the seconds
each file took in a measured run (`DURATIONS_FILE`), a file not measured yet by its number of tests
times the median seconds per test. Order only: a file's tests keep their order, and no test may
depend on which file ran before it (under xdist that never held).

Refresh after a full run: `python -m tests.durations test-artifacts/junit.xml`.
"""
from __future__ import annotations

import json
import statistics
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

DURATIONS_FILE = Path(__file__).with_name("durations.json")


def measured() -> dict[str, float]:
    try:
        return json.loads(DURATIONS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def longest_first(items: list) -> list:
    """`items` regrouped by file, the files in descending measured (or estimated) seconds."""
    by_file: dict[str, list] = defaultdict(list)
    for item in items:
        by_file[item.nodeid.split("::", 1)[0]].append(item)
    seconds = measured()
    per_test = statistics.median(
        [seconds[path] / len(tests) for path, tests in by_file.items() if path in seconds] or [1.0])

    def estimate(path: str) -> float:
        return seconds.get(path, per_test * len(by_file[path]))

    return [item for path in sorted(by_file, key=lambda path: -estimate(path)) for item in by_file[path]]


def from_junit(junit_paths: list[str]) -> dict[str, float]:
    seconds: dict[str, float] = defaultdict(float)
    for junit_path in junit_paths:
        for case in ET.parse(junit_path).getroot().iter("testcase"):
            path = case.get("classname", "").split("[", 1)[0]
            module = path.replace(".", "/")
            while module and not Path(module + ".py").exists():  # classname is module.Class
                module = module.rsplit("/", 1)[0] if "/" in module else ""
            if module:
                seconds[module + ".py"] += float(case.get("time") or 0)
    return {path: round(value, 1) for path, value in sorted(seconds.items())}


if __name__ == "__main__":
    DURATIONS_FILE.write_text(json.dumps(from_junit(sys.argv[1:]), indent=0) + "\n", encoding="utf-8")

"""The test files' order under pytest-xdist (tests/durations.py): the longest first."""
from types import SimpleNamespace

from tests import durations


def _items(*nodeids):
    return [SimpleNamespace(nodeid=nodeid) for nodeid in nodeids]


def test_files_go_longest_first_and_keep_their_tests_in_order(monkeypatch):
    monkeypatch.setattr(durations, "measured", lambda: {"tests/a.py": 2.0, "tests/b.py": 90.0})
    items = _items("tests/a.py::one", "tests/a.py::two", "tests/b.py::scan", "tests/a.py::three")

    ordered = [item.nodeid for item in durations.longest_first(items)]

    assert ordered == ["tests/b.py::scan", "tests/a.py::one", "tests/a.py::two", "tests/a.py::three"]


def test_a_file_not_measured_is_estimated_by_its_number_of_tests(monkeypatch):
    # measured: 1 s per test in a.py, 10 s per test in b.py: the median, 5.5 s, applies to c.py
    monkeypatch.setattr(durations, "measured", lambda: {"tests/a.py": 2.0, "tests/b.py": 10.0})
    items = _items("tests/a.py::one", "tests/a.py::two", "tests/b.py::one",
                   "tests/c.py::one", "tests/c.py::two")

    ordered = [item.nodeid.split("::")[0] for item in durations.longest_first(items)]

    assert ordered == ["tests/c.py", "tests/c.py", "tests/b.py", "tests/a.py", "tests/a.py"]


def test_durations_are_read_from_a_junit_report(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite>'
        '<testcase classname="tests.test_durations" name="one" time="1.25"/>'
        '<testcase classname="tests.test_durations" name="two" time="0.5"/>'
        '<testcase classname="tests.e2e.test_accessibility_scan" name="scan" time="78"/>'
        '</testsuite></testsuites>', encoding="utf-8")

    assert durations.from_junit([str(junit)]) == {
        "tests/e2e/test_accessibility_scan.py": 78.0, "tests/test_durations.py": 1.8}

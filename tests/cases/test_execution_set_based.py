"""The set-based unexecuted-decision definition (cases.execution_selectors, issue 12) gives exactly
what the earlier one gave (bench/unexecuted_reference.py, per decision correlated subqueries):
every episode with every annotated value, the decisions rule 10 flags, and reports 4a and 4b.

On bench/dataset.py's generated population (PostgreSQL: the generator runs inside it) and on random
decision histories with delay notes, corrections and interruptions (both databases)."""

from __future__ import annotations

import datetime
import types

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.reports import unexecuted
from audit.reports.base import ReportParams, parse_period
from bench import dataset
from bench import unexecuted_reference as reference
from cases import execution_selectors as ex
from cases.models import Role, Staff, Unit
from tests.audit.reports.histories import History, build
from tests.audit.reports.test_unexecuted_property import TODAY, history, quarter_edges

EPISODE_FIELDS = (
    "pk", "started_on", "due_on", "resolved_on", "resolution_note", "replaced_on", "closed_on", "closed_how",
    "episode", "interrupted_on", "delay_reason", "reported_before",
)


def episodes(module, **period) -> dict[str, list[dict]]:
    return {
        "unexecuted": sorted(module.unexecuted_episodes(**period).values(*EPISODE_FIELDS), key=lambda r: r["pk"]),
        "interrupted": sorted(module.interruption_episodes(**period).values(*EPISODE_FIELDS), key=lambda r: r["pk"]),
    }


def overdue(module, as_of: datetime.date) -> set[int]:
    return set(module.overdue_decisions(as_of=as_of).values_list("pk", flat=True))


def report_with(module, monkeypatch, params: ReportParams) -> tuple[list[dict], dict]:
    """Reports 4a and 4b computed on `module`'s definition (the report module reads it as `ex`)."""
    definition = types.SimpleNamespace(**{**vars(ex), **{
        name: getattr(module, name) for name in ("unexecuted_episodes", "interruption_episodes")}})
    with monkeypatch.context() as patch:
        patch.setattr(unexecuted, "ex", definition)
        return unexecuted.ivo_rows(params), unexecuted.statistics_counts(params)


def assert_same(start: datetime.date, end: datetime.date, unit_id: int | None = None) -> dict[str, list[dict]]:
    period = {"start": start, "end": end, "unit_id": unit_id}
    new = episodes(ex, **period)
    assert new == episodes(reference, **period), (start, end, unit_id)
    return new


# --- generated data (PostgreSQL) ---------------------------------------------------------------

GENERATED_TODAY = datetime.date(2026, 6, 17)


@pytest.mark.postgresql
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bench/dataset.py runs inside PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_on_generated_data_every_episode_flag_and_report_figure_is_the_references(monkeypatch):
    dataset.generate(300, seed=7, today=GENERATED_TODAY)
    # 300 generated persons have few late executions and interruptions: a few histories of each
    # kind beside them (executed late, interrupted and resumed late or never, replaced).
    day = datetime.date(2025, 8, 1)
    later = [day + datetime.timedelta(days=n) for n in (5, 40, 130, 200, 260)]
    build([
        History("granted", day, events=[("executed", later[2])]),
        History("granted", day, events=[("executed", later[0]), ("interrupted", later[1]), ("resumed", later[3])]),
        History("granted", day, events=[("executed", later[0]), ("interrupted", later[1]),
                                        ("delay_noted", later[2])]),
        History("partly_granted", day, correction=History("granted", later[3])),
    ], staff=Staff.objects.filter(role=Role.CASEWORKER).first())
    found = {"unexecuted": 0, "interrupted": 0, "closed": 0, "delay_reason": 0, "overdue": 0}
    # Every quarter the generated decisions reach (820 days back), the running one cut at today.
    for year in (2024, 2025, 2026):
        for number in (1, 2, 3, 4):
            period = parse_period(kind="quarter", year=year, number=number, today=datetime.date(2026, 12, 31))
            if period.start > GENERATED_TODAY:
                continue
            end = min(period.end, GENERATED_TODAY)
            got = assert_same(period.start, end)
            found["unexecuted"] += len(got["unexecuted"])
            found["interrupted"] += len(got["interrupted"])
            found["closed"] += sum(r["closed_on"] is not None for rows in got.values() for r in rows)
            found["delay_reason"] += sum(r["delay_reason"] is not None for rows in got.values() for r in rows)
    for unit_id in Unit.objects.filter(cases__isnull=False).values_list("pk", flat=True).distinct():
        assert_same(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), unit_id)
    for as_of in (datetime.date(2025, 9, 30), datetime.date(2026, 1, 1), GENERATED_TODAY):
        flagged = overdue(ex, as_of)
        assert flagged == overdue(reference, as_of), as_of
        found["overdue"] += len(flagged)
    quarter = parse_period(kind="quarter", year=2026, number=1, today=GENERATED_TODAY)
    params = ReportParams(period=quarter, unit_id=None, today=GENERATED_TODAY)
    assert report_with(ex, monkeypatch, params) == report_with(reference, monkeypatch, params)
    # The comparison must have had something of each kind to compare.
    assert all(found.values()), found


# --- random histories (both databases) ----------------------------------------------------------

@st.composite
def with_delay_notes(draw, quarter: int) -> History:
    """A history, its decision (and its correction) with 0-2 delay notes at random dates."""
    h = draw(history(quarter))
    for decision in filter(None, (h, h.correction)):
        if decision.outcome != "refused":
            for _ in range(draw(st.integers(0, 2))):
                days = draw(st.integers(-5, 200))
                decision.events.append(("delay_noted", decision.decided_on + datetime.timedelta(days=days)))
    return h


@pytest.mark.django_db
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), quarter=st.integers(1, 4))
def test_on_random_histories_every_episode_and_flag_is_the_references(data, quarter, caseworker):
    histories = data.draw(st.lists(with_delay_notes(quarter), min_size=1, max_size=8), label="histories")
    built = build(histories, staff=caseworker)
    period = parse_period(kind="quarter", year=2024, number=quarter, today=TODAY)
    assert_same(period.start, period.end, built.unit_id)
    for as_of in quarter_edges(quarter):
        assert overdue(ex, as_of) == overdue(reference, as_of), as_of

"""Completeness of the unexecuted-decision reports (issue 7, 4a/4b; 003:332-334: the old system
silently missed 43 decisions). Random decision histories against an independent oracle.

How many histories: the hypothesis profile (tests/conftest.py; 25 in CI, HYPOTHESIS_PROFILE=nightly 500)."""

import datetime
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.reports import norms, unexecuted
from audit.reports.base import ReportParams, parse_period
from audit.reports.disclosure import suppress
from tests.audit.reports.histories import History, build, expected, expected_counts, plus_months

TODAY = datetime.date(2025, 6, 30)
BASE = datetime.date(2023, 6, 1)


@st.composite
def gap(draw, start: datetime.date) -> datetime.date:
    """A later date: anywhere within ~7 months, or right at the 3-month limit (the day before, on, after)."""
    if draw(st.booleans()):
        return plus_months(start, 3) + datetime.timedelta(days=draw(st.integers(-1, 1)))
    return start + datetime.timedelta(days=draw(st.integers(0, 210)))


@st.composite
def events(draw, decided_on: datetime.date, until: datetime.date | None):
    """A valid execution history: executed at most once, then interrupted/resumed alternately.
    Dates before `until` (a correction's date: a replaced decision gets no later events)."""
    out = []
    if not draw(st.booleans()):
        return out
    day = draw(gap(decided_on))
    kinds = ["executed"] + ["interrupted", "resumed"] * draw(st.integers(0, 2))
    for n, kind in enumerate(kinds[: 1 + draw(st.integers(0, len(kinds) - 1))]):
        if n:
            day = draw(gap(day))
        if until is not None and day >= until:
            break
        out.append((kind, day))
    return out


def quarter_edges(quarter: int) -> list[datetime.date]:
    """Days around the report quarter's first and last day (where an off-by-one would show)."""
    start = datetime.date(2024, 3 * quarter - 2, 1)
    end = plus_months(start, 3) - datetime.timedelta(days=1)
    return [day + datetime.timedelta(days=d) for day in (start, end) for d in (-1, 0, 1)]


@st.composite
def decision_date(draw, quarter: int) -> datetime.date:
    """Half the decisions get their 3-month limit right at the report quarter's edges."""
    if draw(st.booleans()):
        return max(BASE, plus_months(draw(st.sampled_from(quarter_edges(quarter))), -3))
    return BASE + datetime.timedelta(days=draw(st.integers(0, 580)))


@st.composite
def history(draw, quarter: int) -> History:
    decided_on = draw(decision_date(quarter))
    outcome = draw(st.sampled_from(["granted", "partly_granted", "refused"]))
    correction = None
    if draw(st.integers(0, 3)) == 0:
        corrected_on = decided_on + datetime.timedelta(days=draw(st.integers(0, 200)))
        c_outcome = draw(st.sampled_from(["granted", "refused"]))
        correction = History(
            outcome=c_outcome, decided_on=corrected_on, item="income_support",
            events=draw(events(corrected_on, None)) if c_outcome != "refused" else [],
        )
    h = History(
        outcome=outcome, decided_on=decided_on,
        gender=draw(st.sampled_from(["kvinna", "man"])),
        item=draw(st.sampled_from(["income_support", "cost"])),
        events=draw(events(decided_on, correction.decided_on if correction else None)) if outcome != "refused" else [],
        correction=correction,
    )
    if correction:
        correction.gender = h.gender
        correction.item = h.item
    return h


@pytest.mark.django_db
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), quarter=st.integers(1, 4))
def test_every_reportable_decision_appears_exactly_once_and_nothing_else(data, quarter, caseworker):
    histories = data.draw(st.lists(history(quarter), min_size=1, max_size=8), label="histories")
    built = build(histories, staff=caseworker)
    period = parse_period(kind="quarter", year=2024, number=quarter, today=TODAY)
    params = ReportParams(period=period, unit_id=built.unit_id, today=TODAY)
    want = expected(histories, built.pks, period.start, period.end)

    rows = unexecuted.ivo_rows(params)
    kinds = {v: k for k, v in unexecuted.EPISODE_LABELS.items()}
    got = {(r["decision"], kinds[r["concerns"]]): r for r in rows}

    assert Counter(r["decision"] for r in rows) == Counter(pk for pk, _ in want)  # each exactly once
    assert set(got) == set(want)
    for key, facts in want.items():
        row = got[key]
        assert row["reported"] == (unexecuted.BEFORE if facts["reported_before"] else unexecuted.NEW), key
        assert row["executed_on"] == (facts["closed_on"] if facts["how"] != "replaced" else None), key
        assert row["closed_how"] == unexecuted.CLOSED_LABELS.get(facts["how"], ""), key

    counts = unexecuted.statistics_counts(params)
    oracle = expected_counts(want)
    for dim, cells in counts.items():
        assert {k: n for k, n in cells.items() if n} == oracle.get(dim, {}), dim

    # Suppression: what the board sees is the raw count or hidden, hidden exactly per the rule.
    threshold = norms.suppression_threshold()
    data = unexecuted.build_statistics(params)
    for table in data.tables:
        raw = counts[table.key]
        shown = [r["count"] for r in table.rows[:-1]]
        assert table.rows[-1]["count"] == sum(raw.values())
        assert shown == list(suppress(raw, threshold=threshold).values())
        for n, s in zip(raw.values(), shown, strict=True):
            assert s is None or s == n
            if 0 < n < threshold:
                assert s is None
        assert sum(s is None for s in shown) != 1  # one hidden cell could be computed from the total

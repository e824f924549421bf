"""Reports 1-3 together: a fixed number of queries whatever the data, no person in any output,
and the registry's contract (board audience, no personal data)."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.reports import get_report, key_figure_facts
from audit.reports.base import ReportParams as Params
from audit.reports.base import parse_period
from cases.models import Applicant, Role

from .board_fixture import full_time_world, key_figures_world, plan_world

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)
YEAR_2025 = parse_period(kind="year", year=2025, today=TODAY)
Q1_2025 = parse_period(kind="quarter", year=2025, number=1, today=TODAY)
FEB_2025 = parse_period(kind="month", year=2025, number=2, today=TODAY)

# Queries per report: key figures 8 per period (households, amounts granted, amounts paid, long-term, waiting time,
# medians, closings by reason (the closings' totals are summed from it), participants) for the period and the year
# before;
# plan quality 4 per period (persons, plans' answers, compliance, BIP) and the follow-ups made for both
# periods in one; heltidsaktivering 2 (all weeks in one UNION ALL, exemptions), each for the period
# and the same period a year before.
# On PostgreSQL report 1 reads its monthly facts, after one query that finds them fresh
# (audit/reports/key_figure_facts.py; the months made stale here are rebuilt first, outside the count), where
# the amounts granted and paid are one query per period and the waiting times (count, mean, median) one,
# and report 2's persons query sets REPORTS_WORK_MEM and puts it back (two statements per period).
FACTS = connection.vendor == "postgresql"
EXPECTED_QUERIES = {"key_figures": 13 if FACTS else 16, "plan_quality": 13 if FACTS else 9, "full_time_activation": 4}
WORLDS = {"key_figures": key_figures_world, "plan_quality": plan_world, "full_time_activation": full_time_world}


def _fresh():
    if FACTS:
        key_figure_facts.refresh()


def _count_queries(code, period):
    _fresh()
    with CaptureQueriesContext(connection) as ctx:
        get_report(code).build(Params(period=period, unit_id=None, today=TODAY))
    return len(ctx.captured_queries)


@pytest.mark.parametrize("code", list(EXPECTED_QUERIES))
@pytest.mark.parametrize("period", [Q1_2025, YEAR_2025], ids=["quarter", "year"])
def test_the_number_of_queries_does_not_grow_with_the_data(code, period, django_assert_max_num_queries):
    WORLDS[code]()
    small = _count_queries(code, period)
    for _ in range(3):  # four times the persons, decisions, plans and participations
        WORLDS[code]()
    assert Applicant.objects.count() >= 4 * 4
    _fresh()
    with django_assert_max_num_queries(EXPECTED_QUERIES[code]):
        get_report(code).build(Params(period=period, unit_id=None, today=TODAY))
    assert _count_queries(code, period) == small == EXPECTED_QUERIES[code]


def test_no_output_contains_a_personnummer_a_name_or_an_address():
    key_figures_world()
    plan_world()
    full_time_world()
    secrets = set()
    for p in Applicant.objects.all():
        secrets |= {p.personal_identity_number, p.personal_identity_number[2:], p.first_name, p.last_name,
                    p.street_address}
    outputs = []
    for code in EXPECTED_QUERIES:
        for period in (YEAR_2025, Q1_2025, FEB_2025):
            data = get_report(code).build(Params(period=period, unit_id=None, today=TODAY))
            assert any(t.rows for t in data.tables)
            outputs.append(json.dumps(data.to_json(), ensure_ascii=False))
    text = "\n".join(outputs)
    assert not [s for s in secrets if s and s in text]
    assert not re.search(r"\b(19|20)?\d{6}[-+]?\d{4}\b", text)  # nothing shaped like a personnummer


@pytest.mark.parametrize("code", list(EXPECTED_QUERIES))
def test_reports_are_for_the_board_and_hold_no_personal_data(code):
    report = get_report(code)
    assert report.code == code
    assert Role.BOARD in report.audience
    assert report.personal_data is False
    assert report.period_kind == "period"

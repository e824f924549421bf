"""Reports 5 and 6 against the hand-counted world in conftest.py."""

import datetime

import pytest

from audit.reports import get_report
from audit.reports.base import ReportParams, parse_period
from audit.reports.delegated import ROLE_LABELS
from cases.finance_models import Decision
from cases.models import Role
from tests.factories.cases import StaffFactory
from tests.factories.finance import granted_month

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 1)


def rows(data, key):
    return next(t for t in data.tables if t.key == key).rows


def test_delegated_decisions_between_two_board_meetings(report_world):
    params = ReportParams(period=None, unit_id=None, date_from=datetime.date(2019, 1, 1),
                          date_to=datetime.date(2019, 2, 28), today=TODAY)
    data = get_report("delegated_decisions").build(params)
    # Two granted months by the caseworker under EB-1 (the March decision is after the meeting).
    maker = rows(data, "per_maker")
    assert [(r["point"], r["maker"], r["count"], r["granted"], r["refused"]) for r in maker] == [
        ("EB-1", "Hanna Handläggare", 2, 2, 0)]
    assert rows(data, "per_point")[0]["amount"] == maker[0]["amount"] > 0
    assert [(r["maker"], r["granted"], r["ended"]) for r in rows(data, "insats_decisions")] == [
        ("Hanna Handläggare", 1, 0)]
    march = get_report("delegated_decisions").build(
        ReportParams(period=None, unit_id=None, date_from=datetime.date(2019, 3, 1),
                     date_to=datetime.date(2019, 3, 31), today=TODAY))
    assert [(r["point"], r["maker"], r["count"]) for r in rows(march, "per_maker")] == [("EB-2", "Erik Chef", 1)]
    assert rows(march, "insats_decisions") == []
    # Another unit's report has none of them.
    other = get_report("delegated_decisions").build(
        ReportParams(period=None, unit_id=report_world.other_unit.pk, date_from=datetime.date(2019, 1, 1),
                     date_to=datetime.date(2019, 12, 31), today=TODAY))
    assert all(t.rows == [] for t in other.tables)
    assert all(t.definition for t in data.tables)


def test_delegated_decisions_are_per_decision_maker_and_role_not_per_name(report_world):
    """Two staff with the same name are two rows, and one person who decided in two roles is
    shown in each, in point, surname, first name, staff order (grouped by the keys, the names
    read off them)."""
    w = report_world
    namesake = StaffFactory(role=Role.UNIT_MANAGER, unit=w.unit, username="ec2", first_name="Erik", last_name="Chef")
    case = Decision.objects.filter(decided_by=w.unit_manager).first().application.case
    household = list(case.household.members.all())
    granted_month(actor=w.caseworker, decider=namesake, case=case, month=datetime.date(2019, 4, 1), members=household)
    # The manager later works as a caseworker and decides under the caseworkers' point.
    type(w.unit_manager).objects.filter(pk=w.unit_manager.pk).update(role=Role.CASEWORKER)
    w.unit_manager.refresh_from_db()
    granted_month(actor=w.caseworker, decider=w.unit_manager, case=case, month=datetime.date(2019, 5, 1),
                  members=household)
    data = get_report("delegated_decisions").build(ReportParams(
        period=None, unit_id=None, date_from=datetime.date(2019, 3, 1), date_to=datetime.date(2019, 5, 31), today=TODAY))
    assert w.unit_manager.pk < namesake.pk
    assert [(r["point"], r["maker"], r["role"], r["count"]) for r in rows(data, "per_maker")] == [
        ("EB-1", "Erik Chef", ROLE_LABELS[Role.CASEWORKER], 1),  # the manager in May, as a caseworker
        ("EB-2", "Erik Chef", ROLE_LABELS[Role.UNIT_MANAGER], 1),  # the manager in March
        ("EB-2", "Erik Chef", ROLE_LABELS[Role.UNIT_MANAGER], 1),  # the namesake in April
    ]
    assert [(r["point"], r["count"]) for r in rows(data, "per_point")] == [("EB-1", 1), ("EB-2", 2)]


def test_internal_control_for_a_quarter(report_world):
    period = parse_period(kind="quarter", year=2019, number=1, today=TODAY)
    data = get_report("internal_control").build(ReportParams(period=period, unit_id=None, today=TODAY))
    assert rows(data, "rule_runs") == [{"month": "2019-02", "runs": 1, "succeeded": 1, "failed": 0, "examined": 10,
                                        "opened": 1, "resolved": 0, "avg_seconds": 4}]
    # Flags: 2 first seen in Q1, 1 resolved 1 March, 1 closed by the manager and escalated in
    # January, 1 still open on 31 March; the April flag is not counted.
    assert [(r["title"], r["unit"], r["opened"], r["resolved"], r["closed"], r["escalated"], r["live_at_end"])
            for r in rows(data, "flags")] == [("Testregel", "Ekonomiskt bistånd", 2, 1, 1, 1, 1)]
    assert rows(data, "actions") == [{"unit": "Ekonomiskt bistånd", "created": 2, "completed": 1, "planned": 1,
                                      "overdue": 1, "followed_up": 0}]
    assert rows(data, "samples") == [{"unit": "Ekonomiskt bistånd", "samples": 1, "cases": 1}]
    by_question = {r["question"]: r for r in rows(data, "sample_questions")}
    plan = by_question["Har genomförandeplan upprättats?"]
    follow = by_question["Framgår av genomförandeplanen när och hur uppföljning ska göras?"]
    assert (plan["yes"], plan["no"], plan["reviewed"], plan["share_yes"]) == (1, 0, 0, 100.0)
    assert (follow["yes"], follow["no"], follow["reviewed"], follow["share_yes"]) == (0, 1, 1, 0.0)
    # The second quarter sees the April flag only.
    q2 = parse_period(kind="quarter", year=2019, number=2, today=TODAY)
    data = get_report("internal_control").build(ReportParams(period=q2, unit_id=None, today=TODAY))
    assert [(r["opened"], r["live_at_end"]) for r in rows(data, "flags")] == [(1, 2)]
    assert rows(data, "rule_runs") == [] and rows(data, "samples") == []


def test_internal_control_for_another_unit_counts_nothing_of_this_one(report_world):
    period = parse_period(kind="year", year=2019, today=TODAY)
    data = get_report("internal_control").build(
        ReportParams(period=period, unit_id=report_world.other_unit.pk, today=TODAY))
    for key in ("flags", "actions", "samples"):
        assert rows(data, key) == []


def test_the_builders_run_a_fixed_number_of_queries(report_world, django_assert_max_num_queries):
    period = parse_period(kind="year", year=2019, today=TODAY)
    with django_assert_max_num_queries(6):
        get_report("internal_control").build(ReportParams(period=period, unit_id=None, today=TODAY))
    with django_assert_max_num_queries(3):
        get_report("delegated_decisions").build(ReportParams(
            period=None, unit_id=None, date_from=datetime.date(2019, 1, 1), date_to=datetime.date(2019, 12, 31)))

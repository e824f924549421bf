"""insatser.full_time_weeks (report 3's weeks in one set-based query) against insatser.full_time's
one-week query, week by week (audit.reports.full_time_activation.weekly_counts_by_week): the same
counts on every edge of the definition and on bench/dataset.py's generated population.
PostgreSQL only (the set-based query is PostgreSQL SQL)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from audit.reports.base import parse_period
from audit.reports.full_time_activation import weekly_counts, weekly_counts_by_week, weeks
from bench import dataset
from cases.models import Case, CaseStatus, CaseSupportBarrier, SupportBarrier
from insatser import full_time_weeks
from tests.audit.helpers import labour_market_barrier, person_with_barrier
from tests.audit.reports.board_fixture import full_time_world
from tests.factories.cases import ApplicantFactory, CaseFactory, UnitFactory
from tests.factories.insatser import ExemptionFactory, ParticipationFactory, WeeklyAttendanceFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based query is PostgreSQL SQL")

D = datetime.date
SPRING = parse_period(kind="quarter", year=2025, number=2, today=D(2025, 12, 31))  # weeks from 7 April
YEAR = parse_period(kind="year", year=2025, today=D(2025, 12, 31))
END = D(2025, 12, 31)


def _both(period, until=END, unit_id=None):
    """Report 3's weekly rows from the set-based query and from the week-by-week reference."""
    new = weekly_counts(period, unit_id, until)
    mondays = weeks(period, until)
    reference = weekly_counts_by_week(mondays, unit_id, period)
    empty = dict.fromkeys(new[0], 0) if new else {}
    old = [{**empty, **reference.get(m, {}), "week": m} for m in mondays]
    return new, old


def _part(person, start, *, end=None, hours=8, **days):
    fields = {f"hours_{d}": Decimal(hours) for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    fields.update({f"hours_{d}": Decimal(h) for d, h in days.items()})
    return ParticipationFactory(applicant=person, start_date=start, decision_period_end=end or D(2025, 12, 31), **fields)


def _edges():
    unit = UnitFactory(code="eb-edge", name="Ekonomiskt bistånd kant")
    # Starts on a Wednesday, its decision period ends on a Tuesday: 24 h, then 40, then 16.
    a, _ = person_with_barrier()
    _part(a, D(2025, 4, 9), end=D(2025, 4, 29))
    # Two participations of 20 h a week each: full time together, one alone is not.
    b, _ = person_with_barrier()
    _part(b, D(2025, 4, 1), hours=4)
    _part(b, D(2025, 4, 16), end=D(2025, 5, 20), hours=4)
    # Tuesday to Thursday of one week (24 h): full time against an exemption of 20 h.
    one, _ = person_with_barrier()
    _part(one, D(2025, 4, 15), end=D(2025, 4, 17))
    ExemptionFactory(applicant=one, valid_from=D(2025, 4, 1), valid_to=D(2025, 4, 30), required_hours_per_week=20)
    # An exemption requiring no hours: full time without any activity.
    c, _ = person_with_barrier()
    ExemptionFactory(applicant=c, valid_from=D(2025, 4, 10), valid_to=D(2025, 4, 30), required_hours_per_week=0)
    # Overlapping exemptions: the later from wins (40 h), then the earlier (10 h) again; and two
    # from the same day: the later recorded wins.
    d, _ = person_with_barrier()
    ExemptionFactory(applicant=d, valid_from=D(2025, 4, 1), valid_to=D(2025, 6, 30), required_hours_per_week=10)
    ExemptionFactory(applicant=d, valid_from=D(2025, 4, 22), valid_to=D(2025, 5, 6), required_hours_per_week=40)
    ExemptionFactory(applicant=d, valid_from=D(2025, 5, 26), valid_to=D(2025, 6, 3), required_hours_per_week=30)
    ExemptionFactory(applicant=d, valid_from=D(2025, 5, 26), valid_to=D(2025, 6, 10), required_hours_per_week=0)
    dp = _part(d, D(2025, 3, 1), hours=4)
    for monday, hours in ((D(2025, 4, 14), 20), (D(2025, 4, 28), 20), (D(2025, 5, 5), 9.5), (D(2025, 6, 2), 0)):
        WeeklyAttendanceFactory(participation=dp, week_start=monday, attended_hours=Decimal(hours))
    # A case closed on a Wednesday, in another unit: under the norm up to that week.
    e = ApplicantFactory()
    closed = CaseFactory(with_applicant=e, unit=unit, opened_on=D(2025, 1, 1), status=CaseStatus.CLOSED,
                         closed_on=D(2025, 5, 14), closing_reason="work")
    CaseSupportBarrier.objects.create(case=closed, applicant=e, barrier=labour_market_barrier(), valid_from=D(2025, 1, 1))
    ep = _part(e, D(2025, 1, 1))
    WeeklyAttendanceFactory(participation=ep, week_start=D(2025, 5, 12), attended_hours=40)
    WeeklyAttendanceFactory(participation=ep, week_start=D(2025, 5, 19), attended_hours=40)  # after the case
    # Two barriers on two cases, overlapping: one person; a barrier ending on a Monday.
    f, _ = person_with_barrier()
    second = CaseFactory(with_applicant=f, opened_on=D(2025, 1, 1))
    CaseSupportBarrier.objects.create(case=second, applicant=f, barrier=labour_market_barrier(),
                                      valid_from=D(2025, 4, 1), valid_to=D(2025, 5, 5))
    g = ApplicantFactory(birth_date=D(2000, 6, 30))  # 25 on the period's last day
    case = CaseFactory(with_applicant=g, opened_on=D(2025, 1, 1))
    CaseSupportBarrier.objects.create(case=case, applicant=g, barrier=labour_market_barrier(),
                                      valid_from=D(2025, 4, 20), valid_to=D(2025, 5, 12))
    gp = _part(g, D(2025, 4, 14), hours=7, saturday=5)
    for monday, hours in ((D(2025, 4, 14), 40), (D(2025, 4, 21), 40), (D(2025, 4, 28), 39.5), (D(2025, 5, 19), 40)):
        WeeklyAttendanceFactory(participation=gp, week_start=monday, attended_hours=Decimal(hours))
    # Not a labour-market barrier: never under the norm, whatever the activity.
    h = ApplicantFactory(birth_date=D(1996, 7, 1))  # 28: young
    other, _ = SupportBarrier.objects.get_or_create(code="test-sjuk", defaults={"name": "Sjuk", "group": "Ohälsa"})
    CaseSupportBarrier.objects.create(case=CaseFactory(with_applicant=h), applicant=h, barrier=other,
                                      valid_from=D(2025, 1, 1))
    _part(h, D(2025, 1, 1))
    # Young and under the norm with a barrier that starts and ends inside the period.
    y, _ = person_with_barrier(person=ApplicantFactory(birth_date=D(1995, 7, 1)))  # 29 on 30 June
    CaseSupportBarrier.objects.filter(applicant=y).update(valid_to=D(2025, 5, 31))
    _part(y, D(2025, 4, 7), hours=10)
    return unit


@pytest.mark.django_db
def test_every_edge_of_the_definition_counts_as_the_one_week_query():
    unit = _edges()
    for period in (SPRING, YEAR):
        new, old = _both(period)
        assert new == old
        assert sum(r["attended_full"] for r in new) > 0 and sum(r["exempted"] for r in new) > 0
        assert sum(r["under_norm_young"] for r in new) > 0 and sum(r["scheduled_full"] for r in new) > 0
    new, old = _both(SPRING, unit_id=unit.pk)
    assert new == old and sum(r["under_norm"] for r in new) == 6  # E, weeks from 7 April to 12 May
    new, old = _both(SPRING, until=D(2025, 5, 1))  # a period that runs: weeks up to the reference day
    assert new == old and len(new) == 4


@pytest.mark.django_db
def test_the_hand_counted_world_counts_as_the_one_week_query():
    w = full_time_world()
    for period in (parse_period(kind="month", year=2025, number=2, today=D(2025, 6, 1)),
                   parse_period(kind="month", year=2024, number=2, today=D(2025, 6, 1)), YEAR):
        new, old = _both(period)
        assert new == old
        new, old = _both(period, unit_id=w.units["eb-norr"].pk)
        assert new == old


@pytest.mark.django_db
def test_no_weeks_and_a_week_with_nobody():
    assert full_time_weeks.weekly_counts([]) == {}
    assert full_time_weeks.weekly_counts([D(2025, 4, 7)]) == {}


@pytest.mark.django_db(transaction=True)
def test_the_generated_population_counts_as_the_one_week_query():
    today = D(2026, 6, 17)
    dataset.generate(300, seed=5, today=today)
    found = set()
    for period, until in ((parse_period(kind="year", year=2026, today=today), today),
                          (parse_period(kind="year", year=2025, today=today), D(2025, 6, 17)),
                          (parse_period(kind="quarter", year=2026, number=2, today=today), today)):
        new, old = _both(period, until)
        assert new == old
        assert sum(r["under_norm"] for r in new) > 100
        found.update(k for r in new for k, v in r.items() if k != "week" and v)
    # Each count is non-zero somewhere, so each comparison can fail (the generator's persons are
    # 30 or older at 300 persons: the young counts are the edges test's).
    assert {"under_norm", "exempted", "scheduled_full", "attended_full"} <= found
    unit = Case.objects.values_list("unit_id", flat=True).first()
    new, old = _both(parse_period(kind="year", year=2026, today=today), today, unit_id=unit)
    assert new == old and sum(r["under_norm"] for r in new) > 0


@pytest.mark.django_db
@pytest.mark.parametrize("norm", ["19.995", "20", "20.01", "0"])
def test_a_municipality_norm_with_decimals_counts_as_the_one_week_query(settings, norm):
    # Hours are summed in whole hundredths: a norm between two hundredths must round the same way.
    settings.INSATSER_NORMS = {**getattr(settings, "INSATSER_NORMS", {}), "FULL_TIME_HOURS_PER_WEEK": Decimal(norm)}
    _edges()
    new, old = _both(SPRING)
    assert new == old and sum(r["scheduled_full"] for r in new) > 0

"""Report 1's monthly facts (audit/reports/key_figure_facts.py) against the live queries that
define the figures (key_figure_queries), and a late correction (PostgreSQL only: the facts are
kept by PostgreSQL triggers)."""

import datetime

import pytest
from django.db import connection

from audit.key_figure_fact_models import KeyFigureClosing, KeyFigureDirtyMonth, KeyFigureFact, KeyFigureParticipation
from audit.reports import get_report, key_figure_facts
from audit.reports.base import ReportParams, parse_period
from audit.reports.key_figures import _figures
from bench import dataset
from cases.finance_models import Decision
from cases.models import Unit
from insatser.models import InsatsType, Participation, ParticipationClosing, ParticipationStatus

from .board_fixture import correct, key_figures_world, participate

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the facts are kept inside PostgreSQL")

D = datetime.date


def _rounded(figures: dict) -> dict:
    """The figures with the mean wait rounded as the report shows it (a float either way)."""
    waiting = figures["waiting"]
    return {**figures, "waiting": {**waiting, "mean": {g: None if v is None else round(v, 6)
                                                        for g, v in waiting["mean"].items()}}}


def _assert_same(periods, units):
    key_figure_facts.refresh()
    assert not KeyFigureDirtyMonth.objects.exists()
    for period in periods:
        for unit_id in units:
            facts, live = _figures(period, unit_id, facts=True), _figures(period, unit_id, facts=False)
            assert _rounded(facts) == _rounded(live), (period, unit_id)


@pytest.mark.django_db
def test_facts_give_the_hand_counted_figures_of_the_live_queries():
    key_figures_world()
    today = D(2025, 6, 1)
    periods = [parse_period(kind="quarter", year=2025, number=1, today=today),
               parse_period(kind="year", year=2025, today=today), parse_period(kind="year", year=2024, today=today),
               parse_period(kind="month", year=2025, number=2, today=today)]
    _assert_same(periods, [None, *Unit.objects.values_list("pk", flat=True)])
    assert KeyFigureFact.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_facts_give_the_figures_of_the_live_queries_on_generated_data():
    today = D(2026, 6, 17)
    dataset.generate(300, seed=7, today=today)
    periods = [parse_period(kind="year", year=2026, today=today), parse_period(kind="year", year=2025, today=today),
               parse_period(kind="quarter", year=2026, number=1, today=today)]
    _assert_same(periods, [None, *Unit.objects.filter(code__startswith="bench-eb").values_list("pk", flat=True)[:2]])
    assert KeyFigureFact.objects.filter(support=True).count() > 300


def _granted_total(data) -> int:
    table = next(t for t in data.tables if t.key == "income_support_granted")
    return next(r["current"] for r in table.rows if r["group"] == "Totalt")


Q1_2025 = parse_period(kind="quarter", year=2025, number=1, today=D(2025, 6, 1))


@pytest.mark.django_db
def test_a_decision_corrected_after_its_month_closed_is_counted_as_its_correction():
    w = key_figures_world()
    build = get_report("key_figures").build
    before = build(ReportParams(period=Q1_2025, unit_id=None))  # the facts are built for these months
    assert not KeyFigureDirtyMonth.objects.exists()
    # In May, after January closed and its facts were built, P1's January decision (5 000 kr) is
    # corrected to 2 000 kr.
    original = Decision.objects.get(application__case=w.cases["P1"], application__month=D(2025, 1, 1),
                                    replaced_by__isnull=True)
    correct(w, original, 2000, D(2025, 5, 10))
    assert set(KeyFigureDirtyMonth.objects.values_list("month", flat=True)) >= {D(2025, 1, 1), D(2025, 5, 1)}
    # The facts themselves still hold January's old figure until the rebuild ...
    stale = KeyFigureFact.objects.get(month=D(2025, 1, 1), household_id=w.cases["P1"].household_id)
    assert stale.income_support_granted == 5000
    # ... which the report runs before it reads: it shows the corrected figure, never the old one.
    after = build(ReportParams(period=Q1_2025, unit_id=None))
    assert _granted_total(after) == _granted_total(before) - 3000
    # The months it reads were rebuilt; May (the correction's own month) waits for the beat task.
    assert list(KeyFigureDirtyMonth.objects.values_list("month", flat=True).distinct()) == [D(2025, 5, 1)]
    refreshed = KeyFigureFact.objects.get(month=D(2025, 1, 1), household_id=w.cases["P1"].household_id)
    assert refreshed.income_support_granted == 2000
    assert _figures(Q1_2025, None, facts=True)["amounts"] == _figures(Q1_2025, None, facts=False)["amounts"]


@pytest.mark.django_db
def test_a_moved_case_and_a_withdrawn_application_mark_their_months():
    w = key_figures_world()
    key_figure_facts.refresh()
    case = w.cases["P7"]
    case.unit = w.units["ekonomiskt-bistand"]  # from eb-norr
    case.save(update_fields=["unit"])
    assert set(KeyFigureDirtyMonth.objects.values_list("month", flat=True)) >= {D(2025, 2, 1), D(2025, 3, 1)}
    key_figure_facts.refresh()
    application = w.cases["P2"].applications.get(month=D(2025, 1, 1))
    application.status = "withdrawn"
    application.save(update_fields=["status"])
    assert D(2025, 1, 1) in set(KeyFigureDirtyMonth.objects.values_list("month", flat=True))
    _assert_same([Q1_2025], [None, case.unit_id])


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_rebuilds_a_corrected_month_on_a_real_worker(celery_worker):
    from audit.tasks import refresh_key_figure_facts

    w = key_figures_world()
    key_figure_facts.refresh()
    original = Decision.objects.get(application__case=w.cases["P1"], application__month=D(2025, 1, 1),
                                    replaced_by__isnull=True)
    correct(w, original, 2000, D(2025, 5, 10))  # committed: the worker's connection sees it
    assert refresh_key_figure_facts.delay().get(timeout=60) >= 1
    assert not KeyFigureDirtyMonth.objects.exists()
    fact = KeyFigureFact.objects.get(month=D(2025, 1, 1), household_id=w.cases["P1"].household_id)
    assert fact.income_support_granted == 2000
    assert refresh_key_figure_facts.delay().get(timeout=60) == 0  # idempotent: nothing stale, nothing done


@pytest.mark.django_db
def test_a_household_with_support_at_two_units_in_one_month_is_one_household():
    """support_once marks one of the household's rows of the month: the whole municipality counts
    it once (as the live query's distinct households), each unit once at its own row."""
    from cases.models import CaseClosingReason, CaseStatus
    from tests.factories.cases import CaseFactory

    from .board_fixture import decide

    w = key_figures_world()
    household = w.cases["P1"].household
    w.cases["P1-norr"] = CaseFactory(household=household, unit=w.units["eb-norr"], opened_on=D(2024, 12, 1),
                                     status=CaseStatus.CLOSED, closed_on=D(2025, 3, 1),
                                     closing_reason=CaseClosingReason.MOVED)
    for month in (D(2025, 1, 1), D(2025, 2, 1)):
        decide(w, "P1-norr", month, 1500, wait=3)
    key_figure_facts.refresh()
    rows = KeyFigureFact.objects.filter(household_id=household.pk, month=D(2025, 1, 1), support=True)
    assert rows.count() == 2 and rows.filter(support_once=True).count() == 1
    _assert_same([Q1_2025, parse_period(kind="year", year=2025, today=D(2025, 6, 1))],
                 [None, w.units["eb-norr"].pk, w.units["ekonomiskt-bistand"].pk])
    jan = _figures(Q1_2025, None, facts=True)["households"]["m0"]["total"]
    norr = _figures(Q1_2025, w.units["eb-norr"].pk, facts=True)["households"]["m0"]["total"]
    main = _figures(Q1_2025, w.units["ekonomiskt-bistand"].pk, facts=True)["households"]["m0"]["total"]
    assert jan == norr + main - 1  # P1's household is in both units, once in the whole


def _marked() -> set:
    return set(KeyFigureDirtyMonth.objects.values_list("month", flat=True))


@pytest.mark.django_db
def test_late_changes_to_closings_and_participations_mark_their_months():
    """Each change the closings' and participants' figures depend on marks the months whose facts
    hold it (the closing's end month, the participation's start month), and the rebuilt facts give
    the live figures again."""
    w = key_figures_world()
    periods = [Q1_2025, parse_period(kind="year", year=2024, today=D(2025, 6, 1))]
    units = [None, *Unit.objects.values_list("pk", flat=True)]
    key_figure_facts.refresh()
    assert KeyFigureClosing.objects.filter(month=D(2025, 2, 1), reason="work").get().n == 1
    assert KeyFigureParticipation.objects.count() == Participation.objects.count()

    # A closing moved from February to April 2025, out of the quarter.
    closing = ParticipationClosing.objects.get(participation__applicant=w.persons["P1"], reason="work",
                                               end_date=D(2025, 2, 15))
    closing.end_date = D(2025, 4, 2)
    closing.save(update_fields=["end_date"])
    assert {D(2025, 2, 1), D(2025, 4, 1)} <= _marked()
    _assert_same(periods, units)
    assert "work" not in _figures(Q1_2025, None, facts=True)["by_reason"]

    # P2's birth date corrected: 26 becomes 31 (30-49), in both the closings and the participants.
    person = w.persons["P2"]
    person.birth_date = D(1993, 4, 1)
    person.save(update_fields=["birth_date"])
    assert {D(2024, 11, 1), D(2025, 1, 1)} <= _marked()
    _assert_same(periods, units)
    assert _figures(Q1_2025, None, facts=True)["participants"]["work_training"]["age_30_49"] == 1

    # The coordinator who proposed every closing moves to another unit: the closings follow.
    w.coordinator.unit = w.units["parketten"]
    w.coordinator.save(update_fields=["unit"])
    assert D(2025, 1, 1) in _marked()
    _assert_same(periods, units)
    assert sum(_figures(Q1_2025, w.units["parketten"].pk, facts=True)["closings"]["count"].values()) > 0

    # An insats given another type and provider: its participations count under the new ones.
    insats = w.insatser["I3"]  # P3's labour market employment since June 2024
    insats.insats_type, insats.provider_unit = InsatsType.WORK_TRAINING, w.units["insats-matchning"]
    insats.save(update_fields=["insats_type", "provider_unit"])
    assert D(2024, 6, 1) in _marked()
    _assert_same(periods, units)
    assert _figures(Q1_2025, None, facts=True)["participants"]["employment"]["total"] == 0

    # A participation started and another ended after the facts were built.
    participate(w, "P4", "I2", D(2025, 2, 3))
    running = Participation.objects.get(applicant=w.persons["P5"])
    running.status, running.end_date, running.closing_reason = ParticipationStatus.CLOSED, D(2025, 3, 10), "work"
    running.save(update_fields=["status", "end_date", "closing_reason"])
    assert {D(2025, 2, 1), D(2025, 3, 1)} <= _marked()
    _assert_same(periods, units)

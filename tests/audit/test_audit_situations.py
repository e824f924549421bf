"""Report 2, the control sample's prefill and the plan-quality answers over the auditors'
situations (tests/audit/audit_situations.py), against the counts worked out by hand there."""

import pytest

from audit.control import selectors, services
from audit.reports import get_report
from audit.reports.base import Period, ReportParams
from audit.reports.plan_quality import POPULATION_LINES
from cases.models import Role
from planning import quality
from tests.factories.cases import StaffFactory

from . import audit_situations as s

pytestmark = pytest.mark.django_db
QUARTER = Period("quarter", s.PERIOD_START, s.PERIOD_END)


@pytest.fixture
def w():
    return s.build()


def _report(unit_id=None):
    return get_report("plan_quality").build(ReportParams(period=QUARTER, unit_id=unit_id, today=s.TODAY))


def _table(data, key):
    return next(t for t in data.tables if t.key == key)


def _population(data):
    labels = {label: key for key, label, _ in POPULATION_LINES}
    return {labels[r["line"]]: r["count"] for r in _table(data, "plan_population").rows}


def test_report_2_counts_every_plan_and_the_persons_without_one(w):
    data = _report()
    assert _population(data) == s.POPULATION
    rows = {r["question"]: (r["passed"], r["failed"], r["not_applicable"]) for r in _table(data, "plan_checkpoints").rows}
    assert rows == s.CHECKPOINTS
    for r in _table(data, "plan_checkpoints").rows:
        assert r["judged"] == r["passed"] + r["failed"]


def test_report_2_for_one_coordinator_unit(w):
    data = _report(unit_id=w.units["koordinator"].pk)
    assert _population(data) == s.POPULATION_KOORDINATOR
    rows = {r["question"]: (r["passed"], r["failed"], r["not_applicable"]) for r in _table(data, "plan_checkpoints").rows}
    # Without "south" (a draft without long-term goal, sub-goal or responsible; follow-up running).
    assert rows["Framgår långsiktigt mål?"] == (10, 0, 0)
    assert rows["Har uppföljning genomförts inom 6 mån?"] == (3, 2, 5)
    assert rows["Har genomförandeplan upprättats?"] == (9, 1, 0)


def test_report_2_tells_its_definitions_in_plain_swedish(w):
    data = _report()
    population = _table(data, "plan_population")
    assert all(r["definition"] for r in population.rows)
    text = " ".join([t.definition for t in data.tables] + [r["definition"] for r in population.rows])
    for internal in ("DOMAIN", "004:", "planning.", "norms", "quality", ".py"):
        assert internal not in text


@pytest.mark.parametrize(("key", "answer", "reason_start"), [
    ("full", quality.YES, "Uppföljning gjord inom planens giltighetstid"),
    ("draft", quality.NO, "Ingen uppföljning gjord under planens giltighetstid (till 2025-04-15). Planen fastställdes"),
    ("late", quality.NO, "Ingen uppföljning gjord under planens giltighetstid (till 2025-04-01)."),
    ("closed", quality.NOT_APPLICABLE, "Ej aktuellt: ärendet avslutades 2025-04-30"),
    ("left", quality.NOT_APPLICABLE, "Ej aktuellt: personens uppdrag hos koordinator avslutades 2025-04-10"),
    ("replaced_v1", quality.NOT_APPLICABLE, "Ej aktuellt: planen ersattes av en ny version 2025-04-20"),
    ("running", quality.NOT_APPLICABLE, "Ej aktuellt ännu: giltighetstiden löper till 2025-11-01"),
])
def test_follow_up_within_six_months_answers_with_its_reason(w, key, answer, reason_start):
    got = {a.code: a for a in quality.evaluate(w.plans[key], on=s.PERIOD_END).checkpoints}
    assert got["followed_up_within_6_months"].answer == answer
    assert got["followed_up_within_6_months"].reason.startswith(reason_start)


def test_the_sample_prefill_counts_drafts_and_persons_without_a_plan(w):
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=w.units["eb"])
    sample = services.sample_draw(actor=manager, unit=w.units["eb"], period_start=s.PERIOD_START,
                                  period_end=s.PERIOD_END, size=13, seed=7)
    states = {line["state"]: line["count"] for line in selectors.sample_plan_states(sample=sample)}
    assert states == s.SAMPLE_PLAN_STATES
    results = {r["question"]: (r["yes"], r["of"]) for r in selectors.sample_results(sample=sample)}
    assert results == {code: (yes, 13) for code, yes in s.SAMPLE_YES.items()}
    follow_up = sample.items.filter(answers__question="followed_up_within_6_months", answers__prefilled=quality.NO)
    assert follow_up.count() == s.SAMPLE_FOLLOW_UP_NO
    assert set(follow_up.values_list("person__first_name", flat=True)) == {"Namndraft", "Namnlate", "Namnold", "Namnnocoord", "Namnnoplan"}


def test_report_2_other_tables_over_the_situations(w):
    data = _report()
    # No one takes part in an insats here: no active participants, so none with a valid plan.
    assert {(r["active"], r["with_plan"]) for r in _table(data, "valid_plan").rows} == {(0, 0)}
    assert _table(data, "follow_up_compliance").rows[0]["active"] == 0
    # Follow-ups dated in the quarter: only "late" on 2025-04-20; its plan said "followed up by
    # 2024-10-31" (made 2024-10-01 + 30 days) and it is the person's first follow-up: late.
    assert _table(data, "follow_ups_made").rows == [
        {"count": 1, "on_time": 0, "late": 1, "no_due_date": 0, "deviations": 0, "share": 0,
         "share_previous": None, "share_change": None}  # nothing a year before to compare with
    ]
    assert _table(data, "bip_progress").rows == []

"""Report 2 against board_fixture.plan_world, counted by hand. Period Q1 2025; reference day 2025-03-31.

A kvinna 35: active since 2025-01-01, complete plan 2025-01-10, two follow-ups (one on time, one late
with a deviation). B man 26: active since 2024-10-01, plan 2024-08-01 expired 2025-02-01, no sub-goal,
no activity, no follow-up date, followed up only on 2025-02-10, after it expired. C kvinna 21: active since 2025-03-15, plan
2025-03-10 with an activity without a responsible and participation not recorded. D man 45: ended
2025-02-28; his plan expired 2024-12-01. Coordinators: A and C at "koordinator", B and D at "koordinator-syd".
The year before, Q1 2024 (reference day 2024-03-31): E man 33, active 2023-09-01 - 2024-04-30, complete plan
2023-08-01 (expired 2024-02-01), followed up 2024-03-15; F kvinna 28, active 2024-02-01 - 2024-05-31 with a
plan made 2024-01-27 without sub-goal or activity. Both had a coordinator until 2024-06-30.
"""

import datetime
from decimal import Decimal

import pytest

from audit.reports import get_report
from audit.reports.base import ReportParams, parse_period
from cases.models import Unit
from planning.models import BipIndicator
from tests.factories.planning import FollowUpFactory

from .board_fixture import add_person, plan, plan_world

pytestmark = pytest.mark.django_db

Q1_2025 = parse_period(kind="quarter", year=2025, number=1, today=datetime.date(2025, 6, 1))


def _build(unit_id=None, today=datetime.date(2025, 6, 1)):
    return get_report("plan_quality").build(ReportParams(period=Q1_2025, unit_id=unit_id, today=today))


def _rows(data, key):
    return next(t for t in data.tables if t.key == key).rows


@pytest.fixture
def world():
    built = plan_world()
    BipIndicator.objects.update(is_confirmed=True)  # the municipality has loaded its licensed instrument
    return built


def test_share_of_active_participants_with_a_valid_plan(world):
    rows = {r["group"]: (r["active"], r["with_plan"], r["share"]) for r in _rows(_build(), "valid_plan")}
    # Active on 03-31: A, B, C (D ended 02-28). Valid plan: A (to 07-10), C; B's expired 02-01.
    assert rows["Totalt"] == (3, 2, Decimal("66.7"))
    assert rows["Kvinnor"] == (2, 2, Decimal("100.0"))
    assert rows["Män"] == (1, 0, Decimal("0.0"))
    assert rows["18–24 år"] == (1, 1, Decimal("100.0"))  # C
    assert rows["50 år och äldre"] == (0, 0, None)
    assert rows["18–29 år (sammantaget)"] == (2, 1, Decimal("50.0"))  # B and C


def test_plans_passing_each_checkpoint(world):
    rows = {r["question"]: (r["passed"], r["judged"]) for r in _rows(_build(), "plan_checkpoints")}
    # Plans in force some day of Q1 2025: A's, B's (valid to 02-01) and C's; D's expired before.
    assert rows["Är planen tidsatt?"] == (3, 3)
    assert rows["Finns planerat uppföljningsdatum?"] == (2, 3)  # B has none
    assert rows["Framgår ansvarig?"] == (1, 3)  # A only: B has no activity, C's has no responsible
    assert rows["Framgår om sökande varit delaktig?"] == (2, 3)  # C not recorded
    assert rows["Framgår långsiktigt mål?"] == (3, 3)
    assert rows["Framgår delmål/kortsiktiga mål?"] == (2, 3)  # B has none
    assert rows["Framgår aktiviteter?"] == (2, 3)
    # Judged only where due (B, expired; followed up after) or already followed up in time (A): 1 of 2.
    assert rows["Har uppföljning genomförts inom 6 mån?"] == (1, 2)
    assert rows["Har genomförandeplan upprättats?"] == (3, 3)
    assert rows["Framgår av genomförandeplanen när och hur uppföljning ska göras?"] == (2, 3)


def test_follow_ups_within_the_interval(world):
    data = _build()
    # Interval 1 month: followed up after 2025-02-28. A (03-20) yes; C started 03-15: not due; B overdue.
    assert _rows(data, "follow_up_compliance") == [
        {"active": 3, "within": 1, "not_due": 1, "overdue": 1, "share": Decimal("33.3"),
         "share_previous": Decimal("50.0"), "share_change": Decimal("-16.7")}  # the year before: see below
    ]
    # Made in Q1: A 02-05 (due 02-10: on time), A 03-20 (due 03-05: late, with a deviation) and
    # B 02-10 (no date planned: his plan has none and it is his first follow-up).
    assert _rows(data, "follow_ups_made") == [
        {"count": 3, "on_time": 1, "late": 1, "no_due_date": 1, "deviations": 1, "share": Decimal("33.3"),
         "share_previous": Decimal("0.0"), "share_change": Decimal("33.3")}
    ]


def test_follow_ups_made_the_same_day_share_the_due_date_the_day_before_set(world):
    # G (two plans) was followed up on 2024-12-20 (next by 2025-01-10), twice on 2025-01-15 (one per
    # plan: next by 01-16 and by 03-01, in that order) and on 2025-02-10. Both 01-15 follow-ups were
    # due 01-10, so both are late: the one made first the same day is not the other's previous.
    # 02-10 was due on the date the later of the two 01-15 follow-ups set (03-01): on time.
    add_person(world, "G", gender="man", born=datetime.date(1985, 4, 4))
    old = plan(world, "G", datetime.date(2024, 11, 1))
    new = plan(world, "G", datetime.date(2025, 1, 12), version=2, supersedes=old)
    FollowUpFactory(plan=old, followed_up_on=datetime.date(2024, 12, 20), next_follow_up_on=datetime.date(2025, 1, 10))
    FollowUpFactory(plan=new, followed_up_on=datetime.date(2025, 1, 15), next_follow_up_on=datetime.date(2025, 1, 16))
    FollowUpFactory(plan=old, followed_up_on=datetime.date(2025, 1, 15), next_follow_up_on=datetime.date(2025, 3, 1))
    FollowUpFactory(plan=new, followed_up_on=datetime.date(2025, 2, 10), next_follow_up_on=datetime.date(2025, 3, 10))
    # A, B and the year before as in test_follow_ups_within_the_interval, and G's three.
    assert _rows(_build(), "follow_ups_made") == [
        {"count": 6, "on_time": 2, "late": 3, "no_due_date": 1, "deviations": 1, "share": Decimal("33.3"),
         "share_previous": Decimal("0.0"), "share_change": Decimal("33.3")},
    ]


def test_bip_progress_per_indicator(world):
    rows = _rows(_build(), "bip_progress")
    # Indicator 0: A 2 -> 4 (+2), B 3 -> 2 (-1; his December answer is before the period); C once only.
    # Indicator 1: A 3 -> 3 (0), B 4 -> 2 (-2).
    assert [(r["persons"], r["mean"], r["improved"], r["unchanged"], r["worsened"]) for r in rows] == [
        (2, Decimal("0.50"), 1, 0, 1),
        (2, Decimal("-1.00"), 0, 1, 1),
    ]
    assert rows[0]["indicator"] == "Handläggarens tro på att individen får jobb"


def test_bip_progress_is_not_reported_from_placeholder_indicators(world):
    BipIndicator.objects.filter(pk=BipIndicator.objects.order_by("pk").values("pk")[:1]).update(is_confirmed=False)
    assert _rows(_build(), "bip_progress") == []


def test_unit_filter(world):
    data = _build(unit_id=Unit.objects.get(code="koordinator").pk)
    assert _rows(data, "valid_plan")[0]["active"] == 2  # A and C
    assert {r["question"]: r["judged"] for r in _rows(data, "plan_checkpoints")}["Är planen tidsatt?"] == 2
    assert _rows(data, "follow_up_compliance")[0]["overdue"] == 0
    assert [(r["persons"], r["mean"]) for r in _rows(data, "bip_progress")] == [(1, Decimal("2.00")), (1, Decimal("0.00"))]


def test_reference_day_is_today_while_the_period_runs(world):
    # On 2025-02-20 (period not ended): D is still active; A has no follow-up after 01-20 but one on 02-05.
    data = _build(today=datetime.date(2025, 2, 20))
    assert _rows(data, "valid_plan")[0]["active"] == 3  # A, B, D (C starts in March)


def test_the_same_period_a_year_before(world):
    # Q1 2024, reference day 2024-03-31: E (man 33) and F (kvinna 28) only. Active: both. Valid plan:
    # F's (made 2024-01-27, to 07-27); E's expired 2024-02-01.
    data = _build()
    rows = {r["group"]: (r["share"], r["share_previous"], r["share_change"]) for r in _rows(data, "valid_plan")}
    assert rows["Totalt"] == (Decimal("66.7"), Decimal("50.0"), Decimal("16.7"))
    assert rows["Kvinnor"] == (Decimal("100.0"), Decimal("100.0"), Decimal("0.0"))
    assert rows["Män"] == (Decimal("0.0"), Decimal("0.0"), Decimal("0.0"))
    assert rows["30–49 år"] == (Decimal("100.0"), Decimal("0.0"), Decimal("100.0"))  # A now, E then
    assert rows["50 år och äldre"] == (None, None, None)
    population = {r["line"]: (r["count"], r["count_previous"]) for r in _rows(data, "plan_population")}
    assert population["Personer i målgruppen"] == (4, 2)  # E (from 2023-09-01) and F (from 2024-01-15)
    assert population["Bedömda planer"] == (3, 2)  # E's (in force to 02-01) and F's
    # Followed up within the interval (after 2024-02-29): E on 03-15; F (started 02-01) is overdue.
    compliance = _rows(data, "follow_up_compliance")[0]
    assert (compliance["share"], compliance["share_previous"], compliance["share_change"]) == (
        Decimal("33.3"), Decimal("50.0"), Decimal("-16.7"))
    # E's follow-up on 2024-03-15, his first: due on his plan's date 2023-09-01, so late.
    made = _rows(data, "follow_ups_made")[0]
    assert (made["share"], made["share_previous"]) == (Decimal("33.3"), Decimal("0.0"))
    checkpoints = {r["question"]: (r["share"], r["share_previous"]) for r in _rows(data, "plan_checkpoints")}
    # E's plan is complete; F's (made when her participation began) has no sub-goal and no activity.
    assert checkpoints["Framgår delmål/kortsiktiga mål?"] == (Decimal("66.7"), Decimal("50.0"))
    assert checkpoints["Framgår långsiktigt mål?"] == (Decimal("100.0"), Decimal("100.0"))
    table = next(t for t in data.tables if t.key == "valid_plan")
    assert [c.label for c in table.columns][3:] == [
        "Andel Kvartal 1 2025 (%)", "Andel Kvartal 1 2024 (%)", "Förändring (procentenheter)"]


def test_a_running_period_is_compared_with_the_year_before_on_the_same_day(world):
    # On 2025-02-20 the year before is read on 2024-02-20: F (from 02-01) and E are active; F's plan valid.
    data = _build(today=datetime.date(2025, 2, 20))
    assert _rows(data, "valid_plan")[0]["share_previous"] == Decimal("50.0")
    assert "2024-02-20" in " ".join(data.notes)


def test_the_summary_names_each_share_it_ranks(world):
    data = get_report("plan_quality").make(ReportParams(period=Q1_2025, unit_id=None, today=datetime.date(2025, 6, 1)))
    titles = {f["title"]: f for f in data.summary["figures"]}
    # Both were 0.0 % the year before and are not now, so they are new and rank first, in the report's
    # order: followed up within 6 months (E's plan was followed up only after it expired; now A's in
    # time: 1 of 2) and follow-ups made in time (E's only one was late; now 1 of 3).
    assert [(f["title"], f["new"], f["current"]) for f in data.summary["figures"][:2]] == [
        ("Planer som klarar kvalitetspunkten (andel): Har uppföljning genomförts inom 6 mån?", True, Decimal("50.0")),
        ("Uppföljningar gjorda i tid (andel)", True, Decimal("33.3")),
    ]
    assert all(" (andel)" in title for title in titles)

"""The auditors' situations (seed 004:583-605 and Bilaga B, 004:864-933), built as they describe
them, for report 2, the control samples and the plan-quality function. Reusable: `build()`
returns the world; the counts each test expects are worked out by hand in the table below.

Period asked about: the second quarter of 2025 (reference day 2025-06-30). Every person has a
household and a case at Ekonomiskt bistånd opened 2023-01-01; unless said otherwise a coordinator
at "koordinator" since 2024-06-01, and the plan belongs to the person's case. A "full" plan has
everything: time, follow-up date and form, a long-term goal, a measurable sub-goal, an activity
with a responsible and how it is carried out, and the person's participation recorded.

| key | situation | plan(s) | follow-up within 6 months |
| --- | --- | --- | --- |
| full | complete plan, followed up in time | signed 2024-11-01 (to 2025-05-01) | 2025-01-15: yes |
| col1 | audit columns 1, 2, 7-10: no responsible, no sub-goals | signed 2024-12-01 | 2025-03-01: yes |
| col3 | audit columns 3, 4, 6: as col1, and no follow-up date | signed 2024-12-05 | 2025-02-01: yes |
| draft | the plan that could not be signed (no responsible, sub-goals, follow-up date or form) | draft 2024-10-15 (six months to 2025-04-15) | none: no |
| closed | case closed early (2025-04-30, assignment ends with it) | signed 2024-12-15 (to 2025-06-15) | none: not applicable |
| left | left the target group (assignment ended 2025-04-10, case open) | signed 2024-12-20 (to 2025-06-20) | none: not applicable |
| late | followed up after the six months | signed 2024-10-01 (to 2025-04-01) | 2025-04-20: no |
| running | six months still running | signed 2025-05-01 | none: not applicable |
| replaced | v1 replaced by v2 within its six months | v1 signed 2024-11-10 (to 2025-05-10), v2 signed 2025-04-20 | v1 none: n/a (superseded); v2 running: n/a |
| nocoord | no coordinator, no plan (not in the target group) | none | |
| noplan | in the target group (coordinator since 2025-03-01), no plan at all | none | |
| old | only a plan that expired before the period | signed 2024-01-10 (to 2024-07-10) | none: no |
| south | coordinator at "koordinator-syd"; draft without long-term goal, sub-goal or responsible | draft 2025-05-10 | running: n/a |
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from cases.models import CaseStatus, CoordinatorAssignment, Role
from tests.factories.cases import ApplicantFactory, CaseFactory, StaffFactory, UnitFactory
from tests.factories.planning import (
    FollowUpFactory,
    PlanActivityFactory,
    PlanFactory,
    SignedPlanFactory,
    SubgoalFactory,
)

D = datetime.date
PERIOD_START, PERIOD_END = D(2025, 4, 1), D(2025, 6, 30)
TODAY = D(2025, 8, 15)  # after the period: the reference day is its last day


@dataclass
class Situations:
    units: dict = field(default_factory=dict)
    persons: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    plans: dict = field(default_factory=dict)
    coordinator: object = None
    south_coordinator: object = None
    caseworker: object = None


COORDINATOR_SINCE = D(2024, 6, 1)


def _person(w: Situations, key: str, coordinator=None, since=COORDINATOR_SINCE, until=None) -> None:
    person = ApplicantFactory(first_name=f"Namn{key}", last_name="Granskad", registered_unit=w.units["eb"])
    w.persons[key] = person
    w.cases[key] = CaseFactory(unit=w.units["eb"], opened_on=D(2023, 1, 1), with_applicant=person)
    if coordinator is not None:
        CoordinatorAssignment.objects.create(case=w.cases[key], applicant=person, coordinator=coordinator,
                                             start_date=since, end_date=until)


def _plan(w: Situations, key: str, made_on: datetime.date, *, signed=True, subgoal=True, responsible=True,
          follow_up_date=True, method=True, long_term_goal=True, version=1, supersedes=None, created_by=None):
    factory = SignedPlanFactory if signed else PlanFactory
    plan = factory(
        applicant=w.persons[key], case=w.cases[key], made_on=made_on, version=version, supersedes=supersedes,
        latest_follow_up_on=made_on + datetime.timedelta(days=30) if follow_up_date else None,
        follow_up_method="meeting" if method else "",
        long_term_goal="Självförsörjning genom arbete inom vården." if long_term_goal else "",
        participation_recorded=True, created_by=created_by or w.coordinator,
    )
    if subgoal:
        SubgoalFactory(plan=plan)
    PlanActivityFactory(plan=plan, responsible="Koordinatorn" if responsible else "", how="Två dagar i veckan.")
    return plan


def _close_case(w: Situations, key: str, on: datetime.date) -> None:
    case = w.cases[key]
    case.status, case.closed_on, case.closing_reason = CaseStatus.CLOSED, on, "work"
    case.save()
    CoordinatorAssignment.objects.filter(case=case, end_date__isnull=True).update(end_date=on)


def build() -> Situations:
    w = Situations()
    w.units = {code: UnitFactory(code=code, name=name) for code, name in (
        ("eb", "Ekonomiskt bistånd"), ("koordinator", "Koordinator"), ("koordinator-syd", "Koordinator syd"))}
    w.coordinator = StaffFactory(role=Role.COORDINATOR, unit=w.units["koordinator"])
    w.south_coordinator = StaffFactory(role=Role.COORDINATOR, unit=w.units["koordinator-syd"])
    w.caseworker = StaffFactory(role=Role.CASEWORKER, unit=w.units["eb"])

    for key in ("full", "col1", "col3", "draft", "closed", "late", "running", "replaced", "old"):
        _person(w, key, w.coordinator)
    _person(w, "left", w.coordinator, until=D(2025, 4, 10))
    _person(w, "nocoord")
    _person(w, "noplan", w.coordinator, since=D(2025, 3, 1))
    _person(w, "south", w.south_coordinator)

    p = w.plans
    p["full"] = _plan(w, "full", D(2024, 11, 1))
    FollowUpFactory(plan=p["full"], followed_up_on=D(2025, 1, 15))
    p["col1"] = _plan(w, "col1", D(2024, 12, 1), subgoal=False, responsible=False)
    FollowUpFactory(plan=p["col1"], followed_up_on=D(2025, 3, 1))
    p["col3"] = _plan(w, "col3", D(2024, 12, 5), subgoal=False, responsible=False, follow_up_date=False)
    FollowUpFactory(plan=p["col3"], followed_up_on=D(2025, 2, 1))
    p["draft"] = _plan(w, "draft", D(2024, 10, 15), signed=False, subgoal=False, responsible=False,
                       follow_up_date=False, method=False)
    p["closed"] = _plan(w, "closed", D(2024, 12, 15))
    _close_case(w, "closed", D(2025, 4, 30))
    p["left"] = _plan(w, "left", D(2024, 12, 20))
    p["late"] = _plan(w, "late", D(2024, 10, 1))
    FollowUpFactory(plan=p["late"], followed_up_on=D(2025, 4, 20))
    p["running"] = _plan(w, "running", D(2025, 5, 1))
    p["replaced_v1"] = _plan(w, "replaced", D(2024, 11, 10))
    p["replaced_v2"] = _plan(w, "replaced", D(2025, 4, 20), version=2, supersedes=p["replaced_v1"])
    p["old"] = _plan(w, "old", D(2024, 1, 10))
    p["south"] = _plan(w, "south", D(2025, 5, 10), signed=False, subgoal=False, responsible=False,
                       long_term_goal=False, created_by=w.south_coordinator)
    return w


# Report 2 for the quarter, all units, counted by hand from the table above.
# Plans judged: every plan but "old" (expired before the period): 11.
PLANS_JUDGED = ("full", "col1", "col3", "draft", "closed", "left", "late", "running", "replaced_v1", "replaced_v2",
                "south")
POPULATION = {
    "target": 12,  # all but "nocoord"
    "target_with_plan": 10,  # the persons of PLANS_JUDGED
    "target_only_old_plans": 1,  # old
    "target_without_plan": 1,  # noplan
    "plans": 11,
    "plans_signed": 8,  # full, col1, col3, closed, left, late, running, replaced_v2
    "plans_draft": 2,  # draft, south
    "plans_superseded": 1,  # replaced_v1
}
# (yes, no, not applicable) per question over the 11 plans.
CHECKPOINTS = {
    "Är planen tidsatt?": (11, 0, 0),
    "Finns planerat uppföljningsdatum?": (9, 2, 0),  # col3, draft
    "Framgår ansvarig?": (7, 4, 0),  # col1, col3, draft, south
    "Framgår om sökande varit delaktig?": (11, 0, 0),
    "Framgår långsiktigt mål?": (10, 1, 0),  # south
    "Framgår delmål/kortsiktiga mål?": (7, 4, 0),  # col1, col3, draft, south
    "Framgår aktiviteter?": (11, 0, 0),
    # yes: full, col1, col3; no: draft, late; n/a: closed, left, running, replaced_v1, replaced_v2, south.
    "Har uppföljning genomförts inom 6 mån?": (3, 2, 6),
    "Har genomförandeplan upprättats?": (9, 2, 0),  # the drafts answer no
    "Har den enskilde varit delaktig i arbetet med upprättandet av genomförandeplanen?": (11, 0, 0),
    "Framgår av genomförandeplanen vilket eller vilka mål som gäller för insatsen?": (10, 1, 0),  # south
    "Framgår av genomförandeplanen hur insatsen ska genomföras?": (11, 0, 0),
    "Framgår av genomförandeplanen när och hur uppföljning ska göras?": (9, 2, 0),  # col3, draft
}
# The same for the unit "koordinator" alone: "south" leaves.
POPULATION_KOORDINATOR = {**POPULATION, "target": 11, "target_with_plan": 9, "plans": 10, "plans_draft": 1}

# A control sample of every case at Ekonomiskt bistånd in the quarter (13 cases, one person each),
# prefilled from each person's latest plan made by 2025-06-30: replaced_v2 for "replaced", the
# expired plan for "old" (signed, not followed up: no), none for "nocoord" and "noplan".
SAMPLE_PLAN_STATES = {"signed": 9, "draft": 2, "none": 2}
# Prefilled "yes" per question code, of 13.
SAMPLE_YES = {
    "plan_made": 9, "person_took_part": 11, "goals_stated": 10, "how_carried_out": 11, "follow_up_stated": 9,
    "time_bound": 11, "follow_up_date": 9, "responsible_named": 7, "participation_recorded": 11,
    "long_term_goal": 10, "sub_goals": 7, "activities": 11, "followed_up_within_6_months": 3,
}
# Prefilled "no" for the follow-up question: draft, late, old, and the two persons without a plan
# (no plan, so nothing was followed up). Not applicable: closed, left, running, replaced (v2 running),
# south.
SAMPLE_FOLLOW_UP_NO = 5

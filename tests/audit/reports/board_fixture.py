"""Small explicit worlds for the board reports 1-3, with answers counted by hand in the tests.

Rows are built directly (as tests/factories/insatser.py does): the reports read what is stored,
so the fixture states exactly the decisions, participations and closings the counts are about.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from cases.finance_models import (
    Application,
    ApplicationCost,
    ApplicationStatus,
    CostType,
    Decision,
    DelegationPoint,
    LegalBasis,
)
from cases.models import CaseSupportBarrier, CoordinatorAssignment, Role, SupportBarrier
from insatser import norms as insatser_norms
from insatser.models import InsatsType, ParticipationClosing, ParticipationStatus
from planning.models import BipAnswer, BipAssessment, BipInstrument
from tests.factories.cases import ApplicantFactory, CaseFactory, StaffFactory, UnitFactory
from tests.factories.insatser import ExemptionFactory, InsatsFactory, ParticipationFactory, WeeklyAttendanceFactory
from tests.factories.planning import FollowUpFactory, PlanActivityFactory, SignedPlanFactory, SubgoalFactory

D = datetime.date


@dataclass
class World:
    units: dict = field(default_factory=dict)
    persons: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    insatser: dict = field(default_factory=dict)
    caseworker: object = None
    coordinator: object = None


def base_world() -> World:
    w = World()
    for code in ("ekonomiskt-bistand", "eb-norr", "koordinator", "insats-matchning", "parketten", "intern-service"):
        w.units[code] = UnitFactory(code=code)
    w.caseworker = StaffFactory(role=Role.CASEWORKER, unit=w.units["ekonomiskt-bistand"])
    w.coordinator = StaffFactory(role=Role.COORDINATOR, unit=w.units["koordinator"])
    return w


def add_person(w: World, key: str, *, gender: str, born: datetime.date, unit: str = "ekonomiskt-bistand"):
    """A person with their own household and case (opened 2023-01-01) at `unit`."""
    person = ApplicantFactory(legal_gender=gender, birth_date=born, first_name=f"Namn{key}",
                              last_name=f"Efternamn{key}", street_address=f"Gatvägen {len(w.persons) + 11}",
                              registered_unit=w.units[unit])
    w.persons[key] = person
    w.cases[key] = CaseFactory(unit=w.units[unit], opened_on=D(2023, 1, 1), with_applicant=person)
    return person


def decide(w: World, key: str, month: datetime.date, amount: int, *, wait: int = 0, outcome: str = "granted",
           applied: int | None = None, cost: int | None = None, withdrawn: bool = False):
    """An application for `month` (received on its first day) with a försörjningsstöd decision
    `wait` days later; optionally a granted cost item (livsföring i övrigt) decided the same day."""
    application = Application.objects.create(
        case=w.cases[key], month=month, received_on=month, created_by=w.caseworker,
        status=ApplicationStatus.WITHDRAWN if withdrawn else ApplicationStatus.DECIDED,
    )
    decided_on = month + datetime.timedelta(days=wait)
    decision = _decision(w, application, "income_support", outcome, amount, applied or amount, decided_on)
    if cost:
        item = ApplicationCost.objects.create(application=application, cost_type=CostType.objects.first(),
                                              amount_applied=cost, amount_approved=cost)
        _decision(w, application, "cost", "granted", cost, cost, decided_on, cost=item)
    return decision


def correct(w: World, original: Decision, amount: int, decided_on: datetime.date) -> Decision:
    """A correction: a new granted decision that replaces `original`."""
    return _decision(w, original.application, "income_support", "granted", amount, amount, decided_on,
                     replaces=original)


def _decision(w, application, item_kind, outcome, amount, applied, decided_on, **extra):
    if outcome == "refused":
        amount = 0
    return Decision.objects.create(
        application=application, item_kind=item_kind, outcome=outcome, amount_applied=applied, amount=amount,
        legal_basis=LegalBasis.objects.get(code="sol-12-1"), reasoning="Prövat enligt riksnormen.",
        decided_by=w.caseworker, decided_by_role=Role.CASEWORKER, delegation_point=DelegationPoint.objects.first(),
        decided_on=decided_on, signed_at=timezone.now(), **extra,
    )


def insats(w: World, key: str, insats_type: str, provider: str):
    w.insatser[key] = InsatsFactory(insats_type=insats_type, provider_unit=w.units[provider])
    return w.insatser[key]


def participate(w: World, key: str, insats_key: str, start: datetime.date, *, end: datetime.date | None = None,
                reason: str = "", confirmed: bool = True, proposed_end: datetime.date | None = None, hours=8):
    """A participation; with `end` it is closed with `reason`, the closing proposed by the
    coordinator and (if `confirmed`) confirmed by the caseworker. `proposed_end` gives an active
    participation with a closing proposed but not yet confirmed."""
    person = w.persons[key]
    if not person.plans.exists():
        SignedPlanFactory(applicant=person, made_on=start - datetime.timedelta(days=5), created_by=w.coordinator,
                          signed_by=w.coordinator)
    p = ParticipationFactory(
        applicant=person, insats=w.insatser[insats_key], start_date=start,
        decision_period_end=insatser_norms.participation_period_end(start, insats_type=w.insatser[insats_key].insats_type),
        status=ParticipationStatus.CLOSED if end else ParticipationStatus.ACTIVE, end_date=end,
        closing_reason=reason if end else "", referral__referred_by=w.coordinator,
        **{f"hours_{d}": hours for d in ("monday", "tuesday", "wednesday", "thursday", "friday")},
    )
    if end or proposed_end:
        now = timezone.now()
        ParticipationClosing.objects.create(
            participation=p, reason=reason or "other_benefit", end_date=end or proposed_end,
            proposed_by=w.coordinator, proposed_at=now,
            confirmed_by=w.caseworker if (end and confirmed) else None, confirmed_at=now if (end and confirmed) else None,
        )
    return p


def key_figures_world() -> World:
    """Seven persons; the answers for Q1 2025 and Q1 2024 are counted by hand in test_key_figures."""
    w = base_world()
    add_person(w, "P1", gender="kvinna", born=D(2005, 6, 1))  # 19 on 2025-03-31 (18 on 2024-03-31)
    add_person(w, "P2", gender="man", born=D(1998, 4, 1))  # 26
    add_person(w, "P3", gender="kvinna", born=D(1985, 1, 10))  # 40
    add_person(w, "P4", gender="man", born=D(1970, 3, 31))  # 55 exactly on the last day
    add_person(w, "P5", gender="kvinna", born=D(2000, 3, 31))  # turns 25 on the last day
    add_person(w, "P6", gender="man", born=D(1995, 4, 1))  # 29 (30 the day after)
    add_person(w, "P7", gender="kvinna", born=D(1960, 5, 5), unit="eb-norr")  # 64, the other unit

    jan, feb, mar = D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)
    # H1
    decide(w, "P1", D(2024, 1, 1), 4000, wait=4)
    for month, wait in ((jan, 10), (feb, 12), (mar, 14)):
        decide(w, "P1", month, 5000, wait=wait)
    # H2: January granted, February refused, March partly granted
    decide(w, "P2", jan, 6000, wait=20)
    decide(w, "P2", feb, 0, wait=5, outcome="refused", applied=5000)
    decide(w, "P2", mar, 3000, wait=25, outcome="partly_granted", applied=5000)
    # H3: March 2024 and every month April 2024 - March 2025 (12 of 12)
    decide(w, "P3", D(2024, 3, 1), 7000, wait=6)
    for i in range(12):
        month = D(2024 + (3 + i) // 12, (3 + i) % 12 + 1, 1)
        decide(w, "P3", month, 7000, wait=3)
    # H4: May 2024 - February 2025 (10 of 12)
    for i in range(10):
        month = D(2024 + (4 + i) // 12, (4 + i) % 12 + 1, 1)
        decide(w, "P4", month, 2000, wait=7)
    # H5: July 2024 - March 2025 (9 of 12); February corrected from 1000 to 1500
    for i in range(9):
        month = D(2024 + (6 + i) // 12, (6 + i) % 12 + 1, 1)
        decision = decide(w, "P5", month, 1000, wait=16)
        if month == feb:
            correct(w, decision, 1500, D(2025, 2, 20))
    # H6: March 2025 with a cost item of 800 kr; an application withdrawn in January
    decide(w, "P6", mar, 2500, wait=30, cost=800)
    decide(w, "P6", jan, 999, wait=2, withdrawn=True)
    # H7 (eb-norr): February and March 2025
    decide(w, "P7", feb, 9000, wait=1)
    decide(w, "P7", mar, 9000, wait=2)

    insats(w, "I1", InsatsType.PRAKTIK, "insats-matchning")
    insats(w, "I2", InsatsType.WORK_TRAINING, "parketten")
    insats(w, "I3", InsatsType.LABOUR_MARKET_EMPLOYMENT, "parketten")
    insats(w, "I4", InsatsType.LANGUAGE_PRAKTIK, "intern-service")
    insats(w, "I5", InsatsType.DIGITAL, "insats-matchning")
    participate(w, "P1", "I1", D(2024, 12, 1), end=D(2025, 2, 15), reason="work")
    participate(w, "P1", "I5", D(2024, 1, 15), end=D(2024, 3, 1), reason="work")  # the year before
    participate(w, "P2", "I2", D(2025, 1, 10))
    participate(w, "P2", "I1", D(2024, 11, 1), end=D(2025, 1, 5), reason="sickness")
    participate(w, "P3", "I3", D(2024, 6, 1))
    participate(w, "P3", "I5", D(2025, 2, 1))
    participate(w, "P5", "I4", D(2025, 3, 1))
    participate(w, "P6", "I1", D(2024, 9, 1), end=D(2025, 1, 20), reason="studies")
    participate(w, "P4", "I5", D(2024, 10, 1), end=D(2024, 12, 20), reason="moved")
    participate(w, "P7", "I1", D(2025, 3, 10), proposed_end=D(2025, 3, 25))  # not confirmed: not a closing
    return w


def assign(w: World, key: str, coordinator, start: datetime.date, end: datetime.date | None = None):
    return CoordinatorAssignment.objects.create(case=w.cases[key], applicant=w.persons[key], coordinator=coordinator,
                                                start_date=start, end_date=end)


def plan(w: World, key: str, made_on: datetime.date, *, subgoal=True, activity_responsible: str | None = "Koordinator",
         **fields):
    """A signed plan (valid 6 months from made_on); a sub-goal and an activity unless told otherwise."""
    p = SignedPlanFactory(applicant=w.persons[key], made_on=made_on, created_by=w.coordinator,
                          signed_by=w.coordinator, **fields)
    if subgoal:
        SubgoalFactory(plan=p)
    if activity_responsible is not None:
        PlanActivityFactory(plan=p, responsible=activity_responsible)
    return p


def bip(w: World, key: str, on: datetime.date, values: dict[int, int]):
    """A BIP assessment with {indicator position: value}."""
    instrument = BipInstrument.objects.get(code="bip-standard")
    assessment = BipAssessment.objects.create(applicant=w.persons[key], instrument=instrument, assessed_on=on,
                                              recorded_by=w.coordinator)
    for position, value in values.items():
        BipAnswer.objects.create(assessment=assessment, indicator=instrument.indicators.get(position=position),
                                 value=value)


def plan_world() -> World:
    """Four persons; report 2 for Q1 2025 (reference day 2025-03-31) is counted in test_plan_quality."""
    w = base_world()
    other = StaffFactory(role=Role.COORDINATOR, unit=UnitFactory(code="koordinator-syd"))
    add_person(w, "A", gender="kvinna", born=D(1990, 2, 2))  # 35
    add_person(w, "B", gender="man", born=D(1998, 6, 1))  # 26
    add_person(w, "C", gender="kvinna", born=D(2003, 5, 5))  # 21
    add_person(w, "D", gender="man", born=D(1980, 1, 1))  # 45
    assign(w, "A", w.coordinator, D(2024, 12, 1))
    assign(w, "C", w.coordinator, D(2025, 3, 1))
    assign(w, "B", other, D(2024, 7, 1))
    assign(w, "D", other, D(2024, 5, 1))

    plan_a = plan(w, "A", D(2025, 1, 10))  # complete; valid to 2025-07-10
    plan_b = plan(w, "B", D(2024, 8, 1), subgoal=False, activity_responsible=None, latest_follow_up_on=None)  # to 02-01
    plan(w, "C", D(2025, 3, 10), activity_responsible="", participation_recorded=None)
    plan_d = plan(w, "D", D(2024, 6, 1))  # expired 2024-12-01: not in force in the period

    insats(w, "I1", InsatsType.PRAKTIK, "insats-matchning")
    participate(w, "A", "I1", D(2025, 1, 1))
    participate(w, "B", "I1", D(2024, 10, 1))
    participate(w, "C", "I1", D(2025, 3, 15))
    participate(w, "D", "I1", D(2024, 9, 1), end=D(2025, 2, 28), reason="work")

    # A: first follow-up due 2025-02-10 (the plan's date), done 02-05; the next due 03-05, done 03-20.
    FollowUpFactory(plan=plan_a, followed_up_on=D(2025, 2, 5), next_follow_up_on=D(2025, 3, 5))
    FollowUpFactory(plan=plan_a, followed_up_on=D(2025, 3, 20), follows_plan=False,
                    plan_deviation="Har inte sökt de jobb som planerats.")
    FollowUpFactory(plan=plan_d, followed_up_on=D(2024, 12, 15))
    # B: after his plan expired, and with no date planned (the plan has none).
    FollowUpFactory(plan=plan_b, followed_up_on=D(2025, 2, 10))

    bip(w, "A", D(2025, 1, 15), {0: 2, 1: 3})
    bip(w, "A", D(2025, 2, 15), {0: 3})
    bip(w, "A", D(2025, 3, 15), {0: 4, 1: 3})
    bip(w, "B", D(2024, 12, 1), {0: 5})  # before the period
    bip(w, "B", D(2025, 1, 20), {0: 3, 1: 4})
    bip(w, "B", D(2025, 3, 1), {0: 2, 1: 2})
    bip(w, "C", D(2025, 3, 20), {0: 1})  # only once

    # The year before (Q1 2024, reference day 2024-03-31): E and F, both gone by 2025.
    add_person(w, "E", gender="man", born=D(1990, 7, 7))  # 33 on 2024-03-31
    add_person(w, "F", gender="kvinna", born=D(1996, 1, 1))  # 28
    assign(w, "E", w.coordinator, D(2023, 9, 1), end=D(2024, 6, 30))
    assign(w, "F", other, D(2024, 1, 15), end=D(2024, 6, 30))
    plan_e = plan(w, "E", D(2023, 8, 1))  # complete; valid to 2024-02-01
    participate(w, "E", "I1", D(2023, 9, 1), end=D(2024, 4, 30), reason="work")
    participate(w, "F", "I1", D(2024, 2, 1), end=D(2024, 5, 31), reason="studies")  # her plan: made 2024-01-27
    FollowUpFactory(plan=plan_e, followed_up_on=D(2024, 3, 15))
    return w


def barrier(w: World, key: str, code: str, valid_from: datetime.date, valid_to: datetime.date | None = None):
    return CaseSupportBarrier.objects.create(case=w.cases[key], applicant=w.persons[key],
                                             barrier=SupportBarrier.objects.get(code=code), valid_from=valid_from,
                                             valid_to=valid_to)


def exempt(w: World, key: str, reason: str, valid_from, valid_to, review_on, hours=0):
    return ExemptionFactory(applicant=w.persons[key], reason=reason, valid_from=valid_from, valid_to=valid_to,
                            review_on=review_on, required_hours_per_week=hours, decided_by=w.caseworker)


def attend(participation, week_start: datetime.date, hours):
    WeeklyAttendanceFactory(participation=participation, week_start=week_start, attended_hours=hours)


UNEMPLOYED = "arbetslos-ingen-ersattning"


def full_time_world() -> World:
    """Five persons; report 3 for February 2025 (weeks from 3, 10, 17 and 24 Feb) is counted in
    test_full_time_activation."""
    w = base_world()
    add_person(w, "X", gender="man", born=D(1999, 6, 1))  # 25
    add_person(w, "Y", gender="kvinna", born=D(1984, 9, 9))  # 40
    add_person(w, "Z", gender="kvinna", born=D(2002, 8, 8))  # 22
    add_person(w, "W", gender="man", born=D(1969, 12, 12))  # 55
    add_person(w, "V", gender="kvinna", born=D(1994, 5, 5), unit="eb-norr")  # 30
    insats(w, "I1", InsatsType.PRAKTIK, "insats-matchning")

    barrier(w, "X", UNEMPLOYED, D(2025, 1, 1))
    x = participate(w, "X", "I1", D(2025, 1, 1), hours=8)  # 40 h a week
    for monday, hours in ((D(2025, 2, 3), 40), (D(2025, 2, 10), 32), (D(2025, 2, 17), 40)):
        attend(x, monday, hours)

    barrier(w, "Y", UNEMPLOYED, D(2025, 2, 10))
    y = participate(w, "Y", "I1", D(2025, 2, 10), hours=4)  # 20 h a week
    for monday in (D(2025, 2, 10), D(2025, 2, 17), D(2025, 2, 24)):
        attend(y, monday, 20)
    exempt(w, "Y", "part_time_work", D(2025, 2, 17), D(2025, 3, 31), review_on=D(2025, 2, 20), hours=20)

    barrier(w, "Z", UNEMPLOYED, D(2024, 6, 1), D(2025, 2, 14))
    exempt(w, "Z", "sickness", D(2025, 1, 1), D(2025, 1, 20), review_on=D(2025, 1, 10))  # before February

    barrier(w, "W", "sjukskriven-ingen-sjukpenning", D(2025, 1, 1))  # not a labour-market barrier
    exempt(w, "W", "sickness", D(2025, 2, 1), D(2025, 6, 30), review_on=D(2025, 4, 1))

    barrier(w, "V", UNEMPLOYED, D(2025, 1, 1))
    exempt(w, "V", "other", D(2025, 2, 1), D(2025, 12, 31), review_on=D(2025, 2, 15), hours=10)

    # The year before (February 2024): U, under the norm January - March 2024 only.
    add_person(w, "U", gender="man", born=D(2000, 1, 1))  # 24 on 2024-02-29
    barrier(w, "U", UNEMPLOYED, D(2024, 1, 1), D(2024, 3, 31))
    u = participate(w, "U", "I1", D(2024, 1, 1), end=D(2024, 3, 31), reason="work", hours=8)  # 40 h a week
    for monday, hours in ((D(2024, 2, 5), 40), (D(2024, 2, 12), 36), (D(2024, 2, 19), 20)):
        attend(u, monday, hours)
    exempt(w, "U", "sickness", D(2024, 2, 19), D(2024, 3, 10), review_on=D(2024, 2, 25), hours=20)
    return w

"""current_plan / current_plans: which signed plan is in force on a date."""

import datetime

import pytest

from planning import selectors
from tests.factories.planning import PlanFactory, SignedPlanFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_signed_plan_is_current_within_its_validity_only():
    plan = SignedPlanFactory(made_on=D(2025, 1, 10))
    assert plan.valid_until == D(2025, 7, 10)
    assert selectors.current_plan(plan.applicant_id, D(2025, 1, 10)) == plan
    assert selectors.current_plan(plan.applicant_id, D(2025, 7, 10)) == plan
    assert selectors.current_plan(plan.applicant_id, D(2025, 7, 11)) is None
    assert selectors.current_plan(plan.applicant_id, D(2025, 1, 9)) is None


def test_draft_is_never_current():
    draft = PlanFactory(made_on=D(2025, 1, 10))
    assert selectors.current_plan(draft.applicant_id, D(2025, 2, 1)) is None


def test_new_version_supersedes_from_its_made_on():
    v1 = SignedPlanFactory(made_on=D(2025, 1, 10))
    v2 = SignedPlanFactory(applicant=v1.applicant, version=2, supersedes=v1, made_on=D(2025, 4, 1))
    assert selectors.current_plan(v1.applicant_id, D(2025, 3, 31)) == v1
    assert selectors.current_plan(v1.applicant_id, D(2025, 4, 1)) == v2
    assert list(selectors.current_plans(on=D(2025, 5, 1))) == [v2]


def test_current_plans_is_one_query_for_many(django_assert_num_queries):
    for _ in range(4):
        SignedPlanFactory(made_on=D(2025, 1, 10))
    with django_assert_num_queries(1):
        assert len(list(selectors.current_plans(on=D(2025, 2, 1)))) == 4


def test_overdue_plans_are_those_past_their_follow_up_date_without_a_follow_up():
    from tests.factories.planning import FollowUpFactory

    late = SignedPlanFactory(made_on=D(2025, 1, 10), latest_follow_up_on=D(2025, 2, 10))
    kept_up = SignedPlanFactory(made_on=D(2025, 1, 10), latest_follow_up_on=D(2025, 2, 10))
    FollowUpFactory(plan=kept_up, followed_up_on=D(2025, 2, 5), next_follow_up_on=D(2025, 3, 5))
    assert set(selectors.overdue_plans(on=D(2025, 3, 1))) == {late}
    assert set(selectors.overdue_plans(on=D(2025, 3, 6))) == {late, kept_up}


# Scoping and the person's timeline (planning.selectors.plans_for, timeline_entries).


def _coordinator_world():
    from cases.models import Role
    from tests.factories.cases import CaseFactory, CoordinatorAssignmentFactory, StaffFactory, UnitFactory

    coordinator_unit = UnitFactory(code="koordinator", name="Koordinator")
    coordinator = StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit)
    case = CaseFactory(unit=UnitFactory(code="annan", name="Annan"))
    person = case.household.members.get().applicant
    assignment = CoordinatorAssignmentFactory(case=case, applicant=person, coordinator=coordinator,
                                              start_date=D(2025, 1, 1))
    return coordinator, case, person, assignment


def test_the_coordinator_unit_keeps_sight_of_its_plans_after_the_assignment_ended():
    """A unit manager of the coordinators' unit sees the plans of cases where one of its
    coordinators held an assignment for the person, also once it ended; the coordinator does not."""
    from cases.models import Role
    from tests.factories.cases import StaffFactory

    coordinator, case, person, assignment = _coordinator_world()
    plan = SignedPlanFactory(applicant=person, case=case, made_on=D(2025, 2, 1))
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=coordinator.unit)
    assert set(selectors.plans_for(coordinator)) == {plan}
    assignment.end_date = D(2025, 6, 30)
    assignment.save()
    assert not selectors.plans_for(coordinator).exists()
    assert set(selectors.plans_for(manager)) == {plan}
    caseworker_there = StaffFactory(role=Role.CASEWORKER, unit=coordinator.unit)
    assert not selectors.plans_for(caseworker_there).exists()


def test_a_coordinator_sees_no_plan_through_a_case_at_their_unit_and_a_deactivated_account_none():
    from cases.models import Role
    from tests.factories.cases import CaseFactory, StaffFactory

    coordinator, _, _, _ = _coordinator_world()
    case_here = CaseFactory(unit=coordinator.unit)
    SignedPlanFactory(applicant=case_here.household.members.get().applicant, case=case_here)
    assert set(selectors.plans_for(coordinator)) == set()  # their own assignment's person has no plan
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=coordinator.unit)
    assert selectors.plans_for(caseworker).count() == 1
    caseworker.is_active = False
    assert not selectors.plans_for(caseworker).exists()


def test_the_timeline_has_each_kind_in_date_order_and_only_the_kinds_asked():
    from planning.models import BipAssessment, BipInstrument
    from tests.factories.planning import AssessmentFactory, FollowUpFactory

    coordinator, case, person, _ = _coordinator_world()
    AssessmentFactory(applicant=person, assessed_on=D(2025, 1, 5), made_by=coordinator)
    plan = SignedPlanFactory(applicant=person, case=case, made_on=D(2025, 1, 10), created_by=coordinator)
    FollowUpFactory(plan=plan, followed_up_on=D(2025, 2, 10), follows_plan=False,
                    plan_deviation="Praktiken sköts upp en månad.")
    BipAssessment.objects.create(applicant=person, instrument=BipInstrument.objects.get(code="bip-standard"),
                                 assessed_on=D(2025, 3, 1), recorded_by=coordinator)
    entries = selectors.timeline_entries(user=coordinator, applicant_id=person.pk)
    assert [(e["date"], e["kind"]) for e in entries] == [
        (D(2025, 1, 5), "assessment"), (D(2025, 1, 10), "plan"), (D(2025, 2, 10), "follow_up"),
        (D(2025, 3, 1), "bip_assessment"),
    ]
    assert entries[2]["title"] == "Uppföljning (möte): avviker från planeringen"
    assert [e["kind"] for e in selectors.timeline_entries(user=coordinator, applicant_id=person.pk,
                                                          kinds=("follow_up",))] == ["follow_up"]
    assert [e["kind"] for e in selectors.timeline_entries(user=coordinator, applicant_id=person.pk,
                                                          kinds=("plan", "bip_assessment"))] == ["plan", "bip_assessment"]


def test_bip_change_is_the_step_since_the_previous_assessment_and_plan_list_names_the_next_version():
    """Stegförflyttning (DOMAIN.md 5): each answer with the same indicator's value at the person's
    previous assessment and the step since; none for a first assessment."""
    from planning.models import BipAnswer, BipAssessment, BipInstrument

    coordinator, case, person, _ = _coordinator_world()
    instrument = BipInstrument.objects.get(code="bip-standard")
    indicator = instrument.indicators.order_by("position").first()
    for on, value in ((D(2025, 1, 1), 2), (D(2025, 4, 1), 4), (D(2025, 7, 1), 3)):
        assessment = BipAssessment.objects.create(applicant=person, instrument=instrument, assessed_on=on,
                                                  recorded_by=coordinator)
        BipAnswer.objects.create(assessment=assessment, indicator=indicator, value=value)
    rows = selectors.bip_answers_with_change().filter(indicator=indicator).order_by("assessment__assessed_on")
    assert [(r.value, r.previous_value, r.change) for r in rows] == [(2, None, None), (4, 2, 2), (3, 4, -1)]
    assert list(selectors.bip_instrument_list()) == [instrument]
    BipInstrument.objects.filter(pk=instrument.pk).update(is_active=False)
    assert list(selectors.bip_instrument_list()) == []

    first = SignedPlanFactory(applicant=person, case=case, made_on=D(2025, 2, 1))
    second = SignedPlanFactory(applicant=person, case=case, made_on=D(2025, 5, 1), version=2, supersedes=first)
    by_id = {p.pk: p.q_superseded_by for p in selectors.plan_list(user=coordinator)}
    assert by_id == {first.pk: second.pk, second.pk: None}

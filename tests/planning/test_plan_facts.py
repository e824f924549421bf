"""The plans' stored facts (planning/plan_facts.py) against their definition, the grouped query, after
every kind of change the triggers must follow: rows added, edited (through a save and a queryset
update), moved to another plan and deleted, a draft signed as a new version, a plan deleted, and two
sessions adding to one plan at once; the person's coordinator assignments added, ended and deleted. On SQLite the facts are the definition itself (a view)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import CoordinatorAssignment
from planning import norms, plan_facts
from planning.models import FollowUp, ImplementationPlan, PlanActivity, PlanStatus, Subgoal
from tests.factories.cases import ApplicantFactory, CaseFactory, CoordinatorAssignmentFactory
from tests.factories.planning import (
    FollowUpFactory,
    PlanActivityFactory,
    PlanFactory,
    SignedPlanFactory,
    SubgoalFactory,
)
from tests.planning.sessions import second_waits_for_first

D = datetime.date
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a view on SQLite: nothing stored")


def _stored() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT plan_id, {', '.join(plan_facts.COLUMNS)} FROM planning_planfacts ORDER BY plan_id")
        return cursor.fetchall()


def _defined() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({plan_facts.DEFINITION}) d ORDER BY plan_id")
        return cursor.fetchall()


def _versions():
    person = ApplicantFactory()
    case = CaseFactory(with_applicant=person)
    first = SignedPlanFactory(applicant=person, case=case, version=1, made_on=D(2024, 2, 1))
    second = PlanFactory(applicant=person, case=case, version=2, supersedes=first, made_on=D(2024, 5, 1))
    return first, second


@postgres_only
@pytest.mark.django_db
def test_the_stored_facts_follow_every_change():
    first, second = _versions()
    other, _ = _versions()
    def check(what):
        assert _stored() == _defined(), what

    check("new plans: a row each, all zero")
    SubgoalFactory(plan=first)
    SubgoalFactory(plan=first)
    activity = PlanActivityFactory(plan=first, responsible="Koordinator", how="Två dagar i veckan.")
    PlanActivityFactory(plan=first, responsible="", how="")
    follow_up = FollowUpFactory(plan=first, followed_up_on=D(2024, 4, 1))
    FollowUpFactory(plan=first, followed_up_on=D(2024, 3, 1))
    check("rows added")
    assert _stored()[0][1:] == (2, 2, 1, 1, D(2024, 3, 1), None, None, None)

    activity.responsible = ""
    activity.save()
    check("an activity loses its responsible (save)")
    PlanActivity.objects.filter(plan=first).update(how="Varje vecka.")
    check("every activity gets a how (queryset update)")
    FollowUp.objects.filter(pk=follow_up.pk).update(followed_up_on=D(2024, 2, 15))
    check("a follow-up moved earlier")
    FollowUp.objects.filter(pk=follow_up.pk).update(plan=other)
    check("a follow-up moved to another plan: both plans change")
    Subgoal.objects.filter(plan=first).first().delete()
    check("a sub-goal deleted")

    second.status, second.valid_until = PlanStatus.SIGNED, norms.plan_valid_until(second.made_on)
    second.signed_at, second.signed_by = timezone.now(), second.created_by
    second.save()
    check("the draft signed: the first plan is replaced from its day")
    assert dict((row[0], row[6]) for row in _stored())[first.pk] == D(2024, 5, 1)
    ImplementationPlan.objects.filter(pk=second.pk).update(made_on=D(2024, 4, 20))
    check("the replacing version's day corrected")

    ImplementationPlan.objects.filter(pk=second.pk).delete()
    check("the replacing version deleted: the first is no longer replaced, the second's row goes")
    assert second.pk not in {row[0] for row in _stored()}
    PlanActivity.objects.filter(plan=first).delete()
    FollowUp.objects.all().delete()
    check("bulk deletes")

    assignment = CoordinatorAssignmentFactory(case=first.case, applicant=first.applicant, start_date=D(2024, 1, 10))
    check("the person gets a coordinator: every plan of theirs has the open assignment")
    assert {row[0]: row[7:] for row in _stored()}[first.pk] == (D(2024, 1, 10), None)
    CoordinatorAssignment.objects.filter(pk=assignment.pk).update(end_date=D(2024, 6, 30))
    check("the assignment ends")
    CoordinatorAssignmentFactory(case=first.case, applicant=first.applicant, start_date=D(2024, 9, 1),
                                 end_date=D(2024, 12, 31))
    check("a later assignment")
    assert {row[0]: row[7:] for row in _stored()}[first.pk] == (D(2024, 9, 1), D(2024, 12, 31))
    CoordinatorAssignment.objects.filter(pk=assignment.pk).delete()
    check("an assignment deleted")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sessions_adding_to_one_plan_both_count():
    """Each session counts the plan's sub-goals in its trigger; the second waits for the first's
    row and then sees its committed sub-goal, so the stored count is two, not the last one's one."""
    plan, _ = _versions()
    errors = second_waits_for_first(lambda: SubgoalFactory(plan=plan), lambda: SubgoalFactory(plan=plan))
    assert not errors
    assert _stored() == _defined()
    assert {row[0]: row[1] for row in _stored()}[plan.pk] == 2


@postgres_only
@pytest.mark.django_db
def test_a_truncated_table_builds_the_facts_again(as_owner_role):
    """As a test database's flush does (as the owner: the application's role may not truncate)."""
    first, _ = _versions()
    SubgoalFactory(plan=first)
    FollowUpFactory(plan=first, followed_up_on=D(2024, 3, 1))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no key check left pending
        cursor.execute("TRUNCATE planning_subgoal CASCADE")
    assert _stored() == _defined()
    assert {row[0]: row[1] for row in _stored()}[first.pk] == 0

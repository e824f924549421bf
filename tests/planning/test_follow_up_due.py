"""The follow-ups' stored due dates (planning/follow_up_due.py) against their definition, the two
windows over every follow-up, after each kind of change the triggers must follow: follow-ups added
(several the same day), moved in time and to another person's plan, their next date changed, the
plan's "följs upp senast" changed, deleted one by one and with their plan, and two sessions adding
a person's follow-ups at once. On SQLite the due dates are the definition itself (a view)."""

import datetime

import pytest
from django.db import connection

from planning import follow_up_due
from planning.models import FollowUp, ImplementationPlan
from tests.factories.planning import FollowUpFactory, SignedPlanFactory
from tests.planning.sessions import second_waits_for_first

D = datetime.date
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a view on SQLite: nothing stored")


def _stored() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT follow_up_id, {', '.join(follow_up_due.COLUMNS)} FROM planning_followupdue "
                       "ORDER BY follow_up_id")
        return cursor.fetchall()


def _defined() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({follow_up_due.DEFINITION}) d ORDER BY follow_up_id")
        return cursor.fetchall()


def _due(follow_up) -> datetime.date | None:
    return {row[0]: row[4] for row in _stored()}[follow_up.pk]


@postgres_only
@pytest.mark.django_db
def test_the_stored_due_dates_follow_every_change():
    plan = SignedPlanFactory(made_on=D(2024, 1, 10), latest_follow_up_on=D(2024, 2, 1))
    later_plan = SignedPlanFactory(applicant=plan.applicant, case=plan.case, version=2, made_on=D(2024, 3, 1),
                                   latest_follow_up_on=D(2024, 4, 1))
    other = SignedPlanFactory(made_on=D(2024, 1, 10), latest_follow_up_on=D(2024, 2, 20))

    def check(what):
        assert _stored() == _defined(), what

    first = FollowUpFactory(plan=plan, followed_up_on=D(2024, 2, 5), next_follow_up_on=D(2024, 3, 5))
    second = FollowUpFactory(plan=later_plan, followed_up_on=D(2024, 3, 4), next_follow_up_on=D(2024, 4, 4))
    same_day = FollowUpFactory(plan=plan, followed_up_on=D(2024, 3, 4), next_follow_up_on=D(2024, 5, 1))
    check("follow-ups added, two the same day")
    assert (_due(first), _due(second), _due(same_day)) == (D(2024, 2, 1), D(2024, 3, 5), D(2024, 3, 5))

    FollowUp.objects.filter(pk=first.pk).update(next_follow_up_on=D(2024, 3, 1))
    check("the first one's next date changed: the later ones' due dates follow")
    assert _due(second) == D(2024, 3, 1)
    first.followed_up_on = D(2024, 3, 10)
    first.next_follow_up_on = D(2024, 4, 10)
    first.save()
    check("the first one moved after the others")
    ImplementationPlan.objects.filter(pk=later_plan.pk).update(latest_follow_up_on=D(2024, 3, 20))
    check("a plan's 'följs upp senast' changed")
    FollowUp.objects.filter(pk=same_day.pk).update(plan=other)
    check("a follow-up moved to another person's plan: both persons change")
    FollowUp.objects.filter(pk=second.pk).update(follows_plan=False, plan_deviation="Kom inte.")
    check("a deviation recorded")
    first.delete()
    check("a follow-up deleted")
    FollowUp.objects.filter(plan=later_plan).delete()
    ImplementationPlan.objects.filter(pk=later_plan.pk).delete()
    check("a plan deleted with its follow-ups")
    assert {row[0] for row in _stored()} == {same_day.pk}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sessions_adding_a_persons_follow_ups_both_count():
    """The second session waits for the first's person and then counts its follow-up too: the
    later follow-up is due on the day the earlier one set, not on the plan's date."""
    plan = SignedPlanFactory(made_on=D(2024, 1, 10), latest_follow_up_on=D(2024, 2, 1))
    errors = second_waits_for_first(
        lambda: FollowUpFactory(plan=plan, followed_up_on=D(2024, 2, 1), next_follow_up_on=D(2024, 3, 1)),
        lambda: FollowUpFactory(plan=plan, followed_up_on=D(2024, 3, 2), next_follow_up_on=D(2024, 4, 1)),
    )
    assert not errors
    assert _stored() == _defined()
    assert sorted(row[4] for row in _stored()) == [D(2024, 2, 1), D(2024, 3, 1)]


@postgres_only
@pytest.mark.django_db
def test_a_statement_over_many_persons_locks_the_table_not_each_person():
    """Each person's advisory lock takes a slot of the shared lock table: 20 000 of them ran out
    ("out of shared memory"). Over MAX_PERSON_LOCKS persons the table is locked instead."""
    plan = SignedPlanFactory(made_on=D(2024, 1, 10), latest_follow_up_on=D(2024, 2, 1))
    FollowUpFactory(plan=plan, followed_up_on=D(2024, 2, 5))
    assert 20001 > follow_up_due.MAX_PERSON_LOCKS
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM planning_followupdue")  # as the application's role may
        cursor.execute("SELECT planning_follow_up_due_refresh(ARRAY(SELECT generate_series(1, 20000)::bigint) || %s::bigint)",
                       [plan.applicant_id])
    assert _stored() == _defined() != []

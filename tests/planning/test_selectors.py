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

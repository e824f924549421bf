"""count_answers against annotate_quality plan by plan: random plans in every state, with and
without each fact (sub-goals, activities lacking a responsible or a how, follow-ups in and out of
the plan's six months, a closed case, an ended coordinator assignment and a later new one, a
replacing version),
counted on several days, on the database the suite runs on."""

import datetime
import random
from collections import Counter

import pytest

from planning import quality
from planning.models import FollowUpMethod, ImplementationPlan, PlanStatus
from tests.factories.cases import ApplicantFactory, CaseFactory, CoordinatorAssignmentFactory
from tests.factories.planning import (
    FollowUpFactory,
    PlanActivityFactory,
    PlanFactory,
    SignedPlanFactory,
    SubgoalFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
CODES = [*quality.CHECKPOINT_CODES, *(c for c, _, _ in quality.CONTROL_QUESTIONS)]


def _random_plans(rng: random.Random) -> None:
    for _ in range(14):
        person = ApplicantFactory()
        case = CaseFactory(with_applicant=person)
        if rng.random() < 0.3:
            case.status, case.closed_on, case.closing_reason = "closed", D(2024, rng.randint(4, 12), 1), "work"
            case.save()
        if rng.random() < 0.7:
            ended = rng.choice([None, D(2024, 6, 1), D(2024, 11, 1)])
            CoordinatorAssignmentFactory(case=case, applicant=person, start_date=D(2024, 1, 1), end_date=ended)
            if ended == D(2024, 6, 1) and rng.random() < 0.6:
                # A new assignment after the first ended: a day before it sees only the first.
                CoordinatorAssignmentFactory(case=case, applicant=person, start_date=D(2024, 8, 1),
                                             end_date=rng.choice([None, D(2024, 10, 1)]))
        previous = None
        versions = rng.randint(1, 3)
        for version in range(1, versions + 1):
            made_on = D(2024, 2 * version, rng.randint(1, 28))
            # At most one draft per person: the last version may be one.
            factory = PlanFactory if version == versions and rng.random() < 0.4 else SignedPlanFactory
            plan = factory(
                applicant=person, case=case, version=version, supersedes=previous, made_on=made_on,
                latest_follow_up_on=rng.choice([None, made_on + datetime.timedelta(days=30)]),
                long_term_goal=rng.choice(["", "Arbete inom vården."]),
                participation_recorded=rng.choice([None, True, False]),
                follow_up_method=rng.choice(["", FollowUpMethod.MEETING]),
            )
            for _ in range(rng.randint(0, 2)):
                SubgoalFactory(plan=plan)
            for _ in range(rng.randint(0, 3)):
                PlanActivityFactory(plan=plan, responsible=rng.choice(["", "Koordinator"]),
                                    how=rng.choice(["", "Två dagar i veckan."]))
            for _ in range(rng.randint(0, 2)):
                FollowUpFactory(plan=plan, followed_up_on=made_on + datetime.timedelta(days=rng.randint(10, 300)))
            if plan.status == PlanStatus.SIGNED:
                previous = plan


@pytest.mark.parametrize("seed", [1, 2])
def test_count_answers_are_annotate_quality_counted(seed, django_assert_num_queries):
    _random_plans(random.Random(seed))
    plans = ImplementationPlan.objects.all()
    seen = Counter()
    for on in (D(2024, 5, 1), D(2024, 9, 15), D(2025, 3, 1)):
        rows = list(quality.annotate_quality(plans, on=on))
        expected = Counter({"plans": len(rows)})
        for row in rows:
            expected[f"plans_{row.q_state}"] += 1
            for code in CODES:
                expected[f"n_{code}_{getattr(row, f'qa_{code}')}"] += 1
        with django_assert_num_queries(1):
            counted = quality.count_answers(plans, on=on)
        assert {k: v for k, v in counted.items() if v} == dict(expected)
        seen.update(k for k, v in counted.items() if v)
    # The data reaches every state and every answer to the follow-up question.
    assert {f"plans_{s}" for s in (quality.DRAFT, quality.SIGNED, quality.SUPERSEDED)} <= set(seen)
    assert {f"n_followed_up_within_6_months_{a}" for a in (quality.YES, quality.NO, quality.NOT_APPLICABLE)} <= set(seen)

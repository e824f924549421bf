"""Builders shared by the rule tests."""

import datetime

from cases.models import CaseSupportBarrier, SupportBarrier
from tests.factories.cases import ApplicantFactory, CaseFactory
from tests.factories.insatser import ParticipationFactory
from tests.factories.planning import FollowUpFactory, SignedPlanFactory


def labour_market_barrier() -> SupportBarrier:
    barrier, _ = SupportBarrier.objects.get_or_create(
        code="test-arbetsloshet",
        defaults={"name": "Arbetslös utan ersättning", "group": "Arbetsmarknadsskäl", "is_labour_market": True},
    )
    return barrier


def person_with_barrier(*, opened_on=datetime.date(2025, 1, 1), person=None):
    """A person in an open case with a labour-market support barrier from the case's opening."""
    person = person or ApplicantFactory()
    case = CaseFactory(with_applicant=person, opened_on=opened_on)
    CaseSupportBarrier.objects.create(case=case, applicant=person, barrier=labour_market_barrier(), valid_from=opened_on)
    return person, case


def overdue_participants(n: int = 2) -> list:
    """n participants whose last follow-up (2026-02-01) is more than a month old on 2026-03-10, so
    rule 1 (followed up at least once a month, DOMAIN.md 2.7 and 3) finds each; their plans."""
    plans = []
    for _ in range(n):
        person = ApplicantFactory()
        plans.append(SignedPlanFactory(applicant=person, made_on=datetime.date(2025, 12, 1)))
        ParticipationFactory(applicant=person, start_date=datetime.date(2026, 1, 5))
        FollowUpFactory(plan=plans[-1], followed_up_on=datetime.date(2026, 2, 1))
    return plans

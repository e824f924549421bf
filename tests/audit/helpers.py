"""Builders shared by the rule tests."""

import datetime

from cases.models import CaseSupportBarrier, SupportBarrier
from tests.factories.cases import ApplicantFactory, CaseFactory


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

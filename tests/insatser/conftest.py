"""Fixtures for insatser tests: staff at the provider units, persons under heltidsaktivering."""

import datetime

import pytest

from cases.models import CaseSupportBarrier, Role, SupportBarrier
from tests.factories.cases import CaseFactory, CoordinatorAssignmentFactory, StaffFactory, UnitFactory


@pytest.fixture
def insats_unit(db):
    return UnitFactory(code="insats-matchning", name="Insats & Matchning")


@pytest.fixture
def insats_staff(insats_unit):
    return StaffFactory(role=Role.INSATS_STAFF, unit=insats_unit, username="insatspersonal")


@pytest.fixture
def labour_market_barrier(db):
    return SupportBarrier.objects.get_or_create(
        code="arbetslos-utan-ersattning",
        defaults={"name": "Arbetslös utan ersättning", "group": "Arbetsmarknadsskäl", "is_labour_market": True},
    )[0]


@pytest.fixture
def other_barrier(db):
    return SupportBarrier.objects.get_or_create(
        code="sjukskriven-med-lakarintyg",
        defaults={"name": "Sjukskriven med läkarintyg", "group": "Sociala skäl", "is_labour_market": False},
    )[0]


@pytest.fixture
def person_of(caseworker, coordinator):
    """make(barrier=None) -> an applicant in a case at the caseworker's unit, assigned to the coordinator."""

    def make(barrier=None, *, since=datetime.date(2024, 1, 1)):
        case = CaseFactory(unit=caseworker.unit, opened_on=since)
        assignment = CoordinatorAssignmentFactory(case=case, coordinator=coordinator, start_date=since)
        if barrier is not None:
            CaseSupportBarrier.objects.create(case=case, applicant=assignment.applicant, barrier=barrier, valid_from=since)
        return assignment.applicant

    return make


@pytest.fixture
def planned(person_of, labour_market_barrier):
    """An applicant of the coordinator's with a signed plan (made 40 days ago)."""
    from django.utils import timezone

    from tests.factories.planning import SignedPlanFactory

    applicant = person_of(labour_market_barrier)
    SignedPlanFactory(applicant=applicant, made_on=timezone.localdate() - datetime.timedelta(days=40))
    return applicant

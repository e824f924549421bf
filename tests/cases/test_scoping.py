"""Scoping lives in cases.selectors: who sees which person and case."""

import datetime

import pytest

from cases import selectors
from cases.models import Role
from tests.factories.cases import (
    ApplicantFactory,
    CaseFactory,
    CoordinatorAssignmentFactory,
    StaffFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def test_caseworker_sees_cases_and_persons_of_own_unit_only(caseworker):
    own = CaseFactory(unit=caseworker.unit)
    other_unit = UnitFactory(code="annan-enhet")
    other = CaseFactory(unit=other_unit, with_applicant=ApplicantFactory(registered_unit=other_unit))
    assert list(selectors.cases_for(caseworker)) == [own]
    visible = set(selectors.applicants_for(caseworker))
    assert own.household.members.get().applicant in visible
    assert other.household.members.get().applicant not in visible


def test_coordinator_sees_only_persons_with_an_open_assignment(coordinator):
    today = datetime.date.today()
    mine = CoordinatorAssignmentFactory(coordinator=coordinator, start_date=today - datetime.timedelta(days=10))
    ended = CoordinatorAssignmentFactory(
        coordinator=coordinator,
        start_date=today - datetime.timedelta(days=100),
        end_date=today - datetime.timedelta(days=1),
    )
    CoordinatorAssignmentFactory()  # someone else's
    assert list(selectors.applicants_for(coordinator)) == [mine.applicant]
    assert list(selectors.cases_for(coordinator)) == [mine.case]
    assert ended.applicant not in selectors.applicants_for(coordinator)


def test_unit_manager_sees_what_the_unit_sees(coordinator_unit, coordinator):
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=coordinator_unit)
    assignment = CoordinatorAssignmentFactory(coordinator=coordinator, start_date=datetime.date.today())
    assert list(selectors.applicants_for(manager)) == [assignment.applicant]


@pytest.mark.parametrize("role", [Role.BOARD, Role.ADMINISTRATOR, Role.INSATS_STAFF])
def test_roles_without_case_scope_see_no_person(role, eb_unit):
    CaseFactory(unit=eb_unit)
    user = StaffFactory(role=role, unit=None if role in (Role.BOARD, Role.ADMINISTRATOR) else eb_unit)
    assert not selectors.applicants_for(user).exists()
    assert not selectors.cases_for(user).exists()
    assert not selectors.households_for(user).exists()

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


def test_a_caseworker_does_not_see_through_a_coordinator_of_the_same_unit(caseworker):
    # Sight through a coordinator assignment is the coordinator's and their unit manager's, not
    # a caseworker's: a coordinator placed in the caseworker's unit gives the caseworker nothing.
    colleague = StaffFactory(role=Role.COORDINATOR, unit=caseworker.unit)
    other_unit = UnitFactory(code="annan-enhet")
    other = CaseFactory(unit=other_unit, with_applicant=ApplicantFactory(registered_unit=other_unit))
    assignment = CoordinatorAssignmentFactory(case=other, coordinator=colleague,
                                              start_date=datetime.date.today() - datetime.timedelta(days=10))
    assert other not in selectors.cases_for(caseworker)
    assert assignment.applicant not in selectors.applicants_for(caseworker)
    assert assignment.applicant in selectors.applicants_for(colleague)


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


def test_a_deactivated_account_sees_nothing_whatever_its_role_and_unit(eb_unit, coordinator_unit):
    """Deny by default: an account switched off (is_active False) keeps its role and unit, and sees
    no case, no person and no household."""
    case = CaseFactory(unit=eb_unit)
    for role, unit in ((Role.CASEWORKER, eb_unit), (Role.UNIT_MANAGER, eb_unit), (Role.COORDINATOR, coordinator_unit)):
        user = StaffFactory(role=role, unit=unit, is_active=False)
        if role == Role.COORDINATOR:
            CoordinatorAssignmentFactory(case=case, applicant=case.household.members.get().applicant,
                                         coordinator=user, start_date=datetime.date.today())
        assert not selectors.cases_for(user).exists(), role
        assert not selectors.applicants_for(user).exists(), role
        assert not selectors.households_for(user).exists(), role


def test_a_coordinator_does_not_see_the_cases_of_their_own_unit_only_their_assignments(coordinator):
    """The unit's cases are the caseworkers' and unit manager's scope; a coordinator sees a case
    through an open assignment only, even one run at the coordinator's unit."""
    CaseFactory(unit=coordinator.unit, with_applicant=ApplicantFactory(registered_unit=coordinator.unit))
    assert not selectors.cases_for(coordinator).exists()
    assert not selectors.applicants_for(coordinator).exists()


def test_search_by_personal_identity_number_or_by_name_alone(caseworker):
    sara = ApplicantFactory(registered_unit=caseworker.unit, first_name="Sara", last_name="Lind")
    omar = ApplicantFactory(registered_unit=caseworker.unit, first_name="Omar", last_name="Berg")
    by_number = selectors.applicant_search(user=caseworker, personal_identity_number=sara.personal_identity_number)
    assert list(by_number) == [sara]
    assert list(selectors.applicant_search(user=caseworker, name="lind sara")) == [sara]
    assert list(selectors.applicant_search(user=caseworker, name="Berg")) == [omar]
    assert set(selectors.applicant_search(user=caseworker)) == {sara, omar}


def test_support_barrier_list_offers_the_active_barriers_only(db):
    from cases.models import SupportBarrier

    retired = SupportBarrier.objects.create(code="gammal-kod", name="Utgången", group="Övrigt", is_active=False)
    listed = list(selectors.support_barrier_list())
    assert listed and retired not in listed
    assert all(b.is_active for b in listed)


def test_a_household_is_seen_through_its_case_or_through_an_adult_member_the_user_sees(caseworker):
    from tests.factories.cases import HouseholdMemberFactory

    with_case = CaseFactory(unit=caseworker.unit).household
    member_only = HouseholdMemberFactory(applicant=ApplicantFactory(registered_unit=caseworker.unit)).household
    other_unit = UnitFactory(code="annan-enhet")
    HouseholdMemberFactory(applicant=ApplicantFactory(registered_unit=other_unit))
    assert set(selectors.households_for(caseworker)) == {with_case, member_only}

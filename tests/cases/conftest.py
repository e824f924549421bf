"""A small municipality for the API tests: one user per role, cases in and out of scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from cases.models import (
    Applicant,
    Attachment,
    Case,
    CaseStatus,
    CoordinatorAssignment,
    Household,
    JournalEntry,
    JournalEntryKind,
    MemberRole,
    Role,
    Staff,
)
from tests.factories.attachments import stored_attachment
from tests.factories.cases import (
    ApplicantFactory,
    CaseFactory,
    CoordinatorAssignmentFactory,
    HouseholdMemberFactory,
    StaffFactory,
    UnitFactory,
)


@dataclass
class World:
    users: dict[str, Staff | None]
    applicant: Applicant  # in the case, assigned to the coordinator
    co_applicant: Applicant  # in the case, not assigned
    household: Household
    case: Case  # active, at Ekonomiskt bistånd
    assignment: CoordinatorAssignment
    opened_case: Case  # status opened, same unit
    other_applicant: Applicant  # another unit's person and case: outside everyone's scope here
    other_household: Household
    other_case: Case
    journal_entry: JournalEntry  # about `applicant`, in `case`
    attachment: Attachment  # a PDF with `case`, its file stored


@pytest.fixture
def world(eb_unit, coordinator_unit) -> World:
    return make_world(eb_unit, coordinator_unit)


def make_world(eb_unit=None, coordinator_unit=None) -> World:
    """The world above; without units, makes them as the `eb_unit`/`coordinator_unit` fixtures do
    (for `tests.once.built_once`, which builds it once for a module)."""
    eb_unit = eb_unit or UnitFactory(code="ekonomiskt-bistand", name="Ekonomiskt bistånd")
    coordinator_unit = coordinator_unit or UnitFactory(code="koordinator", name="Koordinator")
    insats_unit = UnitFactory(code="insats-matchning", name="Insats & Matchning")
    other_unit = UnitFactory(code="annan-kommundel", name="Ekonomiskt bistånd Norr")
    users = {
        "caseworker": StaffFactory(role=Role.CASEWORKER, unit=eb_unit, username="handlaggare"),
        "coordinator": StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit, username="koordinator"),
        "insats_staff": StaffFactory(role=Role.INSATS_STAFF, unit=insats_unit, username="insats"),
        "unit_manager": StaffFactory(role=Role.UNIT_MANAGER, unit=eb_unit, username="chef"),
        "board": StaffFactory(role=Role.BOARD, unit=None, username="namnd"),
        "administrator": StaffFactory(role=Role.ADMINISTRATOR, unit=None, username="admin"),
        "anonymous": None,
    }
    applicant = ApplicantFactory(registered_unit=eb_unit, first_name="Sara", last_name="Lind")
    case = CaseFactory(unit=eb_unit, with_applicant=applicant, responsible_caseworker=users["caseworker"])
    co_applicant = ApplicantFactory(registered_unit=eb_unit, first_name="Omar", last_name="Lind")
    HouseholdMemberFactory(household=case.household, applicant=co_applicant, role=MemberRole.CO_APPLICANT)
    assignment = CoordinatorAssignmentFactory(
        case=case, applicant=applicant, coordinator=users["coordinator"], start_date=datetime.date(2024, 2, 1)
    )
    opened_case = CaseFactory(unit=eb_unit, status=CaseStatus.OPENED, opened_on=datetime.date(2024, 6, 1))
    other_applicant = ApplicantFactory(registered_unit=other_unit, first_name="Utanför", last_name="Scope")
    other_case = CaseFactory(unit=other_unit, with_applicant=other_applicant)
    journal_entry = JournalEntry.objects.create(
        case=case, applicant=applicant, kind=JournalEntryKind.objects.get(code="visit"),
        event_date=datetime.date(2025, 3, 3), text="Besök på kontoret.", author=users["caseworker"],
    )
    attachment = stored_attachment(case=case, uploaded_by=users["caseworker"])
    return World(
        users=users,
        applicant=applicant,
        co_applicant=co_applicant,
        household=case.household,
        case=case,
        assignment=assignment,
        opened_case=opened_case,
        other_applicant=other_applicant,
        other_household=other_case.household,
        other_case=other_case,
        journal_entry=journal_entry,
        attachment=attachment,
    )


@pytest.fixture
def client_for(api_as):
    """An API client for a role name of `world.users` (None = anonymous)."""
    from rest_framework.test import APIClient

    def make(user):
        return api_as(user) if user is not None else APIClient()

    return make


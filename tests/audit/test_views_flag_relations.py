"""Every worklist and flag page, for every role, over flags with and without each optional relation.

A flag may lack a responsible person (made before the ownership chain, or its owner left), a unit,
a person (a finding about a corrective action from a sample of an unknown applicant), a case (a
person known only by their plan) or a coordinator. None of these may break a page: before this
test the caseworker's worklist answered 500 on a flag without a responsible person.
"""

import pytest
from django.urls import reverse

from audit.control.models import OwnerBasis
from audit.control.selectors import flags_for
from cases.models import CoordinatorAssignment, Role
from tests.factories.audit import CorrectiveActionFactory, FlagFactory, RuleFactory
from tests.factories.cases import ApplicantFactory, CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db

ROLES = [Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.UNIT_MANAGER, Role.BOARD, Role.ADMINISTRATOR]
WORKLIST = {Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.UNIT_MANAGER}


@pytest.fixture
def flags(eb_unit, coordinator_unit):
    rule = RuleFactory(code="r08_full_time_activation", title="Heltidsaktivering")
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=eb_unit, first_name="Hanna", last_name="Lindqvist")
    coordinator = StaffFactory(role=Role.COORDINATOR, unit=coordinator_unit)
    in_case = ApplicantFactory(registered_unit=eb_unit)
    case = CaseFactory(with_applicant=in_case, unit=eb_unit, responsible_caseworker=caseworker)
    coordinated = ApplicantFactory(registered_unit=eb_unit)
    CoordinatorAssignment.objects.create(
        case=CaseFactory(with_applicant=coordinated, unit=eb_unit), applicant=coordinated, coordinator=coordinator,
        start_date=case.opened_on,
    )
    no_case = ApplicantFactory(registered_unit=eb_unit)
    made = {
        "complete": FlagFactory(rule=rule, person=coordinated, responsible=coordinator,
                                owner_basis=OwnerBasis.COORDINATOR),
        "no_coordinator": FlagFactory(rule=rule, person=in_case, responsible=caseworker,
                                      owner_basis=OwnerBasis.CASEWORKER),
        "no_responsible": FlagFactory(rule=rule, person=in_case, responsible=None, unit=eb_unit, subject_id=10**6),
        "no_unit": FlagFactory(rule=rule, person=in_case, responsible=caseworker, unit=None, subject_id=10**6 + 1),
        "no_responsible_no_unit": FlagFactory(rule=rule, person=in_case, responsible=None, unit=None,
                                              subject_id=10**6 + 2),
        "no_person": FlagFactory(rule=rule, person=None, responsible=caseworker, subject_id=10**6 + 3),
        "no_person_no_responsible": FlagFactory(rule=rule, person=None, responsible=None, unit=eb_unit,
                                                subject_id=10**6 + 4),
        "no_case": FlagFactory(rule=rule, person=no_case, responsible=caseworker,
                               owner_basis=OwnerBasis.REGISTERED_UNIT_MANAGER),
        "unregistered_rule": FlagFactory(person=in_case, responsible=caseworker, owner_basis=OwnerBasis.CASEWORKER),
    }
    for flag in made.values():
        CorrectiveActionFactory(flag=flag, owner=caseworker)
    return made


@pytest.mark.parametrize("role", ROLES)
def test_every_flag_page_renders_for_every_role(client, flags, eb_unit, coordinator_unit, role):
    unit = {Role.COORDINATOR: coordinator_unit, Role.BOARD: None, Role.ADMINISTRATOR: None}.get(role, eb_unit)
    user = StaffFactory(role=role, unit=unit)
    client.force_login(user)
    assert client.get(reverse("flag-list")).status_code == (200 if role in WORKLIST else 403)
    assert client.get(reverse("unit-overview")).status_code == (200 if role == Role.UNIT_MANAGER else 403)
    visible = set(flags_for(user).values_list("pk", flat=True))
    for name, flag in flags.items():
        response = client.get(reverse("flag-detail", args=[flag.pk]))
        expected = 403 if role not in WORKLIST else (200 if flag.pk in visible else 404)
        assert response.status_code == expected, (name, role)
        if expected == 200:
            body = response.content.decode()
            assert ("Ingen ansvarig" in body) == (flag.responsible_id is None), name


def test_the_worklist_shows_who_is_responsible_and_why(client, flags, eb_unit):
    caseworker = flags["no_coordinator"].responsible
    client.force_login(caseworker)
    body = client.get(reverse("flag-list")).content.decode()
    assert "Hanna Lindqvist" in body
    assert "ingen koordinator: ärendets handläggare" in body
    assert "Ingen ansvarig" in body  # the flags on their persons that nobody owns are shown as such


def test_a_unit_manager_sees_every_live_flag_of_the_unit_including_persons_without_a_coordinator(
    client, flags, eb_unit
):
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=eb_unit)
    client.force_login(manager)
    body = client.get(reverse("flag-list")).content.decode()
    of_unit = [f for f in flags.values() if f.unit_id == eb_unit.pk]
    assert flags["no_coordinator"] in of_unit and flags["no_responsible"] in of_unit
    for flag in of_unit:
        assert reverse("flag-detail", args=[flag.pk]) in body

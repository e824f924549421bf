"""Factories and builders for ekonomiskt bistånd (applications, decisions)."""

import datetime

import factory

from cases import application_services, decision_services
from cases.finance_models import DelegationPoint, RiksnormTable
from cases.models import MemberRole
from tests.factories.cases import ApplicantFactory, CaseFactory, HouseholdMemberFactory


class ChildMemberFactory(HouseholdMemberFactory):
    role = MemberRole.CHILD
    applicant = None
    first_name = factory.Sequence(lambda n: f"Barn{n}")
    last_name = "Andersson"
    birth_date = datetime.date(2016, 10, 10)


class RiksnormTableFactory(factory.django.DjangoModelFactory):
    """A bare table (no rows): for 'no norm in force' style tests use none at all instead."""

    class Meta:
        model = RiksnormTable

    name = "Testnorm"
    valid_from = datetime.date(2030, 1, 1)
    is_official = False
    single_adult = 1000
    cohabiting_couple = 2000
    shared_per_member_beyond_7 = 100


def family_case(*, unit, opened_on=datetime.date(2019, 1, 1), children=(datetime.date(2016, 10, 10),), couple=True):
    """A case whose household has an applicant, optionally a co-applicant, and children."""
    applicant = ApplicantFactory(registered_unit=unit, birth_date=datetime.date(1985, 6, 1))
    case = CaseFactory(unit=unit, opened_on=opened_on, with_applicant=applicant)
    members = list(case.household.members.all())
    if couple:
        members.append(HouseholdMemberFactory(household=case.household, role=MemberRole.CO_APPLICANT,
                                              applicant=ApplicantFactory(registered_unit=unit), valid_from=opened_on))
    for born in children:
        members.append(ChildMemberFactory(household=case.household, birth_date=born, valid_from=opened_on))
    return case, members


def make_application(*, actor, case, month, members, incomes=(), costs=(), **kwargs):
    return application_services.application_create(
        actor=actor, case=case, month=month, members=[{"household_member": m.pk} for m in members],
        incomes=list(incomes), costs=list(costs), **kwargs,
    )


def granted_month(*, actor, case, month, members, costs=({"cost_type": "housing", "amount_applied": 6000},),
                  decider=None):
    """An application for `month` registered and calculated by `actor` (a caseworker), granted in
    full by `decider` (default the same) under their delegation point for försörjningsstöd."""
    decider = decider or actor
    application = make_application(actor=actor, case=case, month=month, members=members, costs=costs)
    calculation = application_services.application_calculate(actor=actor, application=application)
    decision = decision_services.decision_make(
        actor=decider, application=application, item_kind="income_support", outcome="granted",
        amount=calculation.requested_amount, legal_basis="sol-12-1", delegation_point=point_for(decider),
        reasoning="Behovet är styrkt.", decided_on=month,
    )
    return application, calculation, decision


def point_for(actor) -> str:
    return DelegationPoint.objects.get(role=actor.role, item_kind="income_support").code

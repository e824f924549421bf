"""Factories for cases. Personnummer are generated valid (Luhn) from a seeded sequence."""

import datetime

import factory
from stdnum import luhn

from cases.models import (
    Applicant,
    Case,
    CaseStatus,
    CoordinatorAssignment,
    Household,
    HouseholdMember,
    MemberRole,
    OpeningWay,
    Role,
    Staff,
    Unit,
)


def valid_pnr(birth: datetime.date, serial: int) -> str:
    """A valid 12-digit personnummer for `birth` with a three-digit serial."""
    base = f"{birth:%y%m%d}{serial % 1000:03d}"
    return f"{birth:%Y%m%d}{serial % 1000:03d}{luhn.calc_check_digit(base)}"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"enhet-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Förnamn{n}")
    last_name = "Testsson"
    role = Role.CASEWORKER
    unit = factory.SubFactory(UnitFactory, code="ekonomiskt-bistand", name="Ekonomiskt bistånd")
    password = factory.PostGenerationMethodCall("set_password", "lösenord-för-test")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    birth_date = datetime.date(1990, 5, 17)
    personal_identity_number = factory.Sequence(lambda n: valid_pnr(datetime.date(1990, 5, 17), n * 2 + 1))
    legal_gender = factory.LazyAttribute(lambda o: "man" if int(o.personal_identity_number[-2]) % 2 else "kvinna")
    first_name = factory.Sequence(lambda n: f"Sökande{n}")
    last_name = "Andersson"
    street_address = "Storgatan 1"
    postal_code = "11122"
    city = "Staden"
    registered_unit = factory.SubFactory(UnitFactory, code="ekonomiskt-bistand", name="Ekonomiskt bistånd")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    role = MemberRole.APPLICANT
    applicant = factory.SubFactory(ApplicantFactory)
    birth_date = factory.LazyAttribute(lambda o: o.applicant.birth_date if o.applicant else datetime.date(2015, 1, 1))
    valid_from = datetime.date(2024, 1, 1)


class CaseFactory(factory.django.DjangoModelFactory):
    """A case with a household whose applicant is `applicant` (created unless given)."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    class Params:
        applicant = factory.SubFactory(ApplicantFactory)

    household = factory.SubFactory(HouseholdFactory)
    unit = factory.SubFactory(UnitFactory, code="ekonomiskt-bistand", name="Ekonomiskt bistånd")
    opened_on = datetime.date(2024, 1, 1)
    opening_way = OpeningWay.APPLICATION
    status = CaseStatus.ACTIVE

    @factory.post_generation
    def with_applicant(obj, create, extracted, **kwargs):
        if not create:
            return
        applicant = kwargs.get("applicant") or extracted
        if applicant is None and not obj.household.members.exists():
            applicant = ApplicantFactory(registered_unit=obj.unit)
        if applicant is not None:
            HouseholdMemberFactory(household=obj.household, applicant=applicant, valid_from=obj.opened_on)


class CoordinatorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoordinatorAssignment

    case = factory.SubFactory(CaseFactory)
    applicant = factory.LazyAttribute(lambda o: o.case.household.members.filter(applicant__isnull=False).first().applicant)
    coordinator = factory.SubFactory(
        StaffFactory,
        role=Role.COORDINATOR,
        unit=factory.SubFactory(UnitFactory, code="koordinator", name="Koordinator"),
    )
    start_date = datetime.date(2024, 2, 1)

"""Factories for insatser. Build rows directly (tests of services call the services instead)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from cases.models import Role
from insatser import norms
from insatser.models import (
    DecisionKind,
    Exemption,
    ExemptionReason,
    Insats,
    InsatsDecision,
    InsatsType,
    Participation,
    Referral,
    ReferralStatus,
    Track,
    WeeklyAttendance,
)
from planning.models import ImplementationPlan
from tests.factories.cases import ApplicantFactory, CaseFactory, StaffFactory, UnitFactory
from tests.factories.planning import CoordinatorFactory, SignedPlanFactory


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track
        django_get_or_create = ("code",)

    code = "arbetsmarknad"
    name = "Arbetsmarknad"


class InsatsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Insats

    name = factory.Sequence(lambda n: f"Praktik {n}")
    insats_type = InsatsType.PRAKTIK
    track = factory.SubFactory(TrackFactory)
    provider_unit = factory.SubFactory(UnitFactory, code="insats-matchning", name="Insats & Matchning")
    capacity = 10
    normal_hours_per_week = Decimal(40)


class InsatsDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsatsDecision

    case = factory.SubFactory(CaseFactory)
    applicant = factory.LazyAttribute(lambda o: o.case.household.members.filter(applicant__isnull=False).first().applicant)
    kind = DecisionKind.PRAKTIK
    reasoning = "Behöver arbetslivserfarenhet i Sverige."
    decided_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    decided_by = factory.SubFactory(StaffFactory, role=Role.CASEWORKER)
    valid_from = factory.SelfAttribute("decided_on")


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    applicant = factory.SubFactory(ApplicantFactory)
    insats = factory.SubFactory(InsatsFactory)
    # The person's existing plan (one version per person here), else a new signed one.
    plan = factory.LazyAttribute(
        lambda o: ImplementationPlan.objects.filter(applicant=o.applicant).order_by("-version").first()
        or SignedPlanFactory(applicant=o.applicant)
    )
    referred_by = CoordinatorFactory
    referred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    valid_until = factory.LazyAttribute(lambda o: norms.referral_valid_until(o.referred_on))
    status = ReferralStatus.STARTED
    started_on = factory.SelfAttribute("referred_on")


class ParticipationFactory(factory.django.DjangoModelFactory):
    """An active participation, 8 h Monday to Friday unless told otherwise."""

    class Meta:
        model = Participation

    applicant = factory.SubFactory(ApplicantFactory)
    insats = factory.SubFactory(InsatsFactory)
    referral = factory.SubFactory(
        ReferralFactory,
        applicant=factory.SelfAttribute("..applicant"),
        insats=factory.SelfAttribute("..insats"),
        referred_on=factory.SelfAttribute("..start_date"),
    )
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    decision_period_end = factory.LazyAttribute(lambda o: norms.decision_period_end(o.start_date))
    hours_monday = Decimal(8)
    hours_tuesday = Decimal(8)
    hours_wednesday = Decimal(8)
    hours_thursday = Decimal(8)
    hours_friday = Decimal(8)


class WeeklyAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyAttendance

    participation = factory.SubFactory(ParticipationFactory)
    week_start = factory.LazyAttribute(lambda o: o.participation.start_date - datetime.timedelta(days=o.participation.start_date.weekday()))
    attended_hours = Decimal(40)
    reported_by = factory.SubFactory(StaffFactory, role=Role.INSATS_STAFF, unit=factory.SelfAttribute("..participation.insats.provider_unit"))


class ExemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exemption

    applicant = factory.SubFactory(ApplicantFactory)
    reason = ExemptionReason.SICKNESS
    reason_text = "Sjukskriven på halvtid enligt läkarintyg."
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=14))
    valid_to = factory.LazyAttribute(lambda o: o.valid_from + datetime.timedelta(days=60))
    required_hours_per_week = Decimal(20)
    decided_by = factory.SubFactory(StaffFactory, role=Role.CASEWORKER)
    decided_on = factory.SelfAttribute("valid_from")
    review_on = factory.LazyAttribute(lambda o: o.valid_from + datetime.timedelta(days=30))

"""Factories for planning. `SignedPlanFactory` gives a complete, signed plan (current from made_on)."""

import datetime

import factory
from django.utils import timezone

from cases.models import Role
from planning import norms
from planning.models import (
    Assessment,
    FollowUp,
    FollowUpMethod,
    ImplementationPlan,
    PlanActivity,
    PlanStatus,
    Subgoal,
)
from tests.factories.cases import ApplicantFactory, StaffFactory, UnitFactory

CoordinatorFactory = factory.SubFactory(
    StaffFactory, role=Role.COORDINATOR, unit=factory.SubFactory(UnitFactory, code="koordinator", name="Koordinator")
)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    applicant = factory.SubFactory(ApplicantFactory)
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    made_by = CoordinatorFactory
    work_experience = "Lagerarbete 2 år."
    education = "Gymnasium."
    language = "Svenska, arabiska."


class PlanFactory(factory.django.DjangoModelFactory):
    """A draft plan with the plan-level fields filled in; add subgoals/activities as needed."""

    class Meta:
        model = ImplementationPlan

    applicant = factory.SubFactory(ApplicantFactory)
    version = 1
    status = PlanStatus.DRAFT
    areas_to_maintain = "Fungerande boende."
    areas_to_change = "Arbetslivserfarenhet i Sverige."
    long_term_goal = "Självförsörjning genom arbete inom lager och logistik."
    participants = "Den enskilde, koordinator."
    participation_recorded = True
    person_views = "Vill arbeta inom logistik."
    made_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))
    latest_follow_up_on = factory.LazyAttribute(lambda o: norms.add_months(o.made_on, 1))
    follow_up_method = FollowUpMethod.MEETING
    created_by = CoordinatorFactory


class SignedPlanFactory(PlanFactory):
    status = PlanStatus.SIGNED
    valid_until = factory.LazyAttribute(lambda o: norms.plan_valid_until(o.made_on))
    signed_at = factory.LazyFunction(timezone.now)
    signed_by = factory.SelfAttribute("created_by")


class SubgoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subgoal

    plan = factory.SubFactory(PlanFactory)
    description = "Genomföra truckkort."
    measure = "Truckkort A+B"
    target = "Godkänt prov"
    target_date = factory.LazyAttribute(lambda o: norms.add_months(o.plan.made_on, 3))


class PlanActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanActivity

    plan = factory.SubFactory(PlanFactory)
    description = "Praktik på lager."
    how = "Tre dagar i veckan, handledare på plats."
    responsible = "Koordinator"
    partners = ["arbetsformedlingen"]


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    plan = factory.SubFactory(SignedPlanFactory)
    followed_up_on = factory.LazyAttribute(lambda o: o.plan.made_on + datetime.timedelta(days=10))
    method = FollowUpMethod.MEETING
    participants = "Den enskilde, koordinator."
    follows_plan = True
    next_follow_up_on = factory.LazyAttribute(lambda o: norms.add_months(o.followed_up_on, 1))
    recorded_by = factory.SelfAttribute("plan.created_by")

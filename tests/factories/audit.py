"""Factories for audit's control layer."""

import datetime

import factory

from audit.control.models import CorrectiveAction, Flag, Rule
from tests.factories.cases import ApplicantFactory, StaffFactory


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rule
        django_get_or_create = ("code",)

    # Not a registered rule: the flags it makes are subjects for other rules, never re-examined.
    code = "test_manual_rule"
    title = "Testregel"
    source = "test"


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    rule = factory.SubFactory(RuleFactory)
    subject_type = "cases.applicant"
    subject_id = factory.SelfAttribute("person.pk")
    person = factory.SubFactory(ApplicantFactory)
    responsible = factory.SubFactory(StaffFactory)
    unit = factory.SelfAttribute("responsible.unit")
    first_seen = factory.LazyFunction(datetime.date.today)
    last_seen = factory.SelfAttribute("first_seen")


class CorrectiveActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorrectiveAction

    flag = factory.SubFactory(FlagFactory)
    description = "Boka uppföljningssamtal"
    owner = factory.SelfAttribute("flag.responsible")
    created_by = factory.SelfAttribute("owner")
    due_date = factory.LazyFunction(datetime.date.today)

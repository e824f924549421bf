"""Insatser's changes that integrations hear of (webhooks): each writes one outbox event, with ids
only, in the change's own transaction."""

import pytest
from django.utils import timezone

from audit.models import EventType, OutboxEvent
from insatser import services
from tests.factories.insatser import InsatsFactory, ParticipationFactory
from tests.factories.planning import SignedPlanFactory
from tests.insatser.test_services import FULL_WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(person_of, labour_market_barrier):
    applicant = person_of(labour_market_barrier)
    SignedPlanFactory(applicant=applicant)
    return applicant


def events():
    return list(OutboxEvent.objects.values_list("event_type", "subject_type", "subject_id"))


def test_a_started_referral_writes_one_event(planned, coordinator, insats_staff):
    referral = services.referral_create(actor=coordinator, applicant=planned,
                                        insats=InsatsFactory(provider_unit=insats_staff.unit),
                                        referred_on=timezone.localdate())
    assert events() == []
    services.referral_start(actor=insats_staff, referral=referral, start_date=timezone.localdate(), hours=FULL_WEEK)
    assert events() == [(EventType.REFERRAL_STARTED, "referral", referral.pk)]


def test_a_closing_writes_its_event_only_when_confirmed(planned, coordinator, caseworker):
    participation = ParticipationFactory(applicant=planned)
    closing = services.closing_propose(actor=coordinator, participation=participation, reason="work",
                                       end_date=timezone.localdate())
    assert events() == []
    services.closing_confirm(actor=caseworker, closing=closing)
    assert events() == [(EventType.PARTICIPATION_CLOSED, "participation", participation.pk)]

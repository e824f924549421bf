"""Avsteg from heltidsaktivering (DOMAIN.md 3): every departure is documented with a coded reason,
a motivation and a period, is time-limited, and has a date by which it is reviewed. Bad input
names its field and writes nothing; one person has at most one exemption on any day."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import ChangeEvent
from config.errors import NotAllowed
from insatser import services
from insatser.models import Exemption

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def _create(actor, applicant, **overrides):
    values = {
        "reason": "sickness", "reason_text": "Läkarintyg till och med mars.", "valid_from": today(),
        "valid_to": today() + 30 * DAY, "review_on": today() + 14 * DAY,
    }
    values.update(overrides)
    return services.exemption_create(actor=actor, applicant=applicant, **values)


def _refused_fields(call) -> set:
    """The fields the refusal names; asserts nothing was written."""
    before = (Exemption.objects.count(), ChangeEvent.objects.count())
    with pytest.raises((ValidationError, NotAllowed)) as exc:
        call()
    assert (Exemption.objects.count(), ChangeEvent.objects.count()) == before
    return set(exc.value.message_dict) if isinstance(exc.value, ValidationError) else {exc.value.field}


@pytest.fixture
def person(person_of, labour_market_barrier):
    return person_of(labour_market_barrier)


def test_a_documented_exemption_is_stored_with_its_reason_period_and_review_date(person, caseworker):
    exemption = _create(caseworker, person, reason="part_time_work", reason_text="  Arbetar 20 timmar i veckan.  ")
    stored = Exemption.objects.get(pk=exemption.pk)
    assert (stored.applicant_id, stored.reason, stored.reason_text) == (person.pk, "part_time_work",
                                                                       "Arbetar 20 timmar i veckan.")
    assert (stored.valid_from, stored.valid_to, stored.review_on) == (today(), today() + 30 * DAY, today() + 14 * DAY)
    assert (stored.decided_by_id, stored.decided_on) == (caseworker.pk, today())
    # Unless stated, an exemption requires no activity at all during its period.
    assert stored.required_hours_per_week == Decimal(0)
    event = ChangeEvent.objects.get(action="exemption.create")
    assert (event.object_id, event.person_id, event.actor_id) == (str(exemption.pk), person.pk, caseworker.pk)


def test_a_coordinator_may_decide_an_exemption_with_some_hours_still_required(person, coordinator):
    exemption = _create(coordinator, person, required_hours_per_week=Decimal(20))
    assert Exemption.objects.get(pk=exemption.pk).required_hours_per_week == Decimal(20)


def test_insats_staff_may_not_decide_an_exemption(person, insats_staff):
    assert _refused_fields(lambda: _create(insats_staff, person)) == {"role"}


def test_the_reason_must_be_one_of_the_coded_reasons(person, caseworker):
    assert _refused_fields(lambda: _create(caseworker, person, reason="tired")) == {"reason"}


@pytest.mark.parametrize("text", ["", "   ", None])
def test_the_exemption_must_be_motivated(person, caseworker, text):
    assert _refused_fields(lambda: _create(caseworker, person, reason_text=text)) == {"reason_text"}


def test_an_exemption_is_time_limited(person, caseworker):
    assert _refused_fields(lambda: _create(caseworker, person, valid_to=None)) == {"valid_to"}


def test_the_period_may_not_end_before_it_starts_but_may_be_one_day(person, caseworker):
    assert _refused_fields(lambda: _create(caseworker, person, valid_to=today() - DAY, review_on=today())) == {"valid_to"}
    one_day = _create(caseworker, person, valid_to=today(), review_on=today())
    assert (one_day.valid_from, one_day.valid_to) == (today(), today())


def test_a_review_date_is_required_and_not_before_the_start(person, caseworker):
    assert _refused_fields(lambda: _create(caseworker, person, review_on=None)) == {"review_on"}
    assert _refused_fields(lambda: _create(caseworker, person, review_on=today() - DAY)) == {"review_on"}
    assert _create(caseworker, person, review_on=today()).review_on == today()


def test_every_bad_field_is_named_at_once(person, caseworker):
    fields = _refused_fields(lambda: _create(caseworker, person, reason="tired", reason_text=" ", valid_to=None,
                                             review_on=None))
    assert fields == {"reason", "reason_text", "valid_to", "review_on"}


def test_a_backwards_period_and_an_early_review_are_named_together(person, caseworker):
    fields = _refused_fields(lambda: _create(caseworker, person, valid_to=today() - DAY, review_on=today() - 2 * DAY))
    assert fields == {"valid_to", "review_on"}


def test_periods_of_one_person_may_not_share_a_day(person, person_of, caseworker):
    _create(caseworker, person, valid_from=today(), valid_to=today() + 30 * DAY, review_on=today() + 14 * DAY)
    # Starting on the last day of the one in force, or ending on its first day: overlapping.
    assert _refused_fields(lambda: _create(caseworker, person, valid_from=today() + 30 * DAY,
                                           valid_to=today() + 60 * DAY, review_on=today() + 40 * DAY)) == {"valid_from"}
    assert _refused_fields(lambda: _create(caseworker, person, valid_from=today() - 10 * DAY, valid_to=today(),
                                           review_on=today() - 5 * DAY)) == {"valid_from"}
    # The day after it ends, and the day before it starts, are free; and another person is not affected.
    after = _create(caseworker, person, valid_from=today() + 31 * DAY, valid_to=today() + 60 * DAY,
                    review_on=today() + 40 * DAY)
    before = _create(caseworker, person, valid_from=today() - 10 * DAY, valid_to=today() - DAY,
                     review_on=today() - 5 * DAY)
    other = _create(caseworker, person_of())
    assert Exemption.objects.filter(pk__in=[after.pk, before.pk, other.pk]).count() == 3

"""The insatser demo builder: a catalogue, a full insats with a queue, persons below 40 h, ..."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases.models import Role
from insatser import demo
from insatser.full_time import full_time_activity, week_of
from insatser.models import Exemption, Insats, Participation, ParticipationClosing, Referral, WeeklyAttendance
from insatser.selectors import referral_list
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.planning import SignedPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_persons(person_of, labour_market_barrier, insats_staff):
    StaffFactory(role=Role.INSATS_STAFF, unit=UnitFactory(code="parketten", name="Parketten"))
    today = timezone.localdate()
    people = [person_of(labour_market_barrier, since=today - datetime.timedelta(days=300)) for _ in range(16)]
    for person in people:
        SignedPlanFactory(applicant=person, made_on=today - datetime.timedelta(days=100))
    return people


def test_demo_builds_the_catalogue_queue_attendance_closings_and_exemptions(demo_persons, coordinator):
    demo.build(SimpleNamespace(seed=2026, extra={}))
    assert Insats.objects.count() == 12
    assert set(Insats.objects.values_list("track__code", flat=True)) == {"grundaktivitet", "sprak", "digital", "arbetsmarknad"}
    full = Insats.objects.get(name=demo.FULL_INSATS)
    assert Participation.objects.filter(insats=full, status="active").count() == full.capacity
    queue = list(referral_list(user=coordinator).filter(insats=full, status="queued").order_by("queue_position"))
    assert [r.queue_position for r in queue] == [1, 2, 3]
    assert [r.has_temporary_activity for r in queue] == [False, True, False]
    assert WeeklyAttendance.objects.filter(week_start=week_of(timezone.localdate()) - datetime.timedelta(weeks=1)).exists()
    rows = list(full_time_activity(week_start=week_of(timezone.localdate()) - datetime.timedelta(weeks=1)))
    assert any(not r.is_scheduled_full_time for r in rows) and any(r.is_scheduled_full_time for r in rows)
    assert ParticipationClosing.objects.filter(confirmed_at__isnull=True).exists()
    assert Exemption.objects.count() >= 3
    today = timezone.localdate()
    in_force = Exemption.objects.filter(valid_from__lte=today, valid_to__gte=today)
    assert in_force.filter(review_on__lt=today).count() == 1  # one avsteg past its review date
    assert Referral.objects.filter(plan__isnull=True).count() == 0
    for model in (Participation, Referral):  # rows pass the model's own validation
        for obj in model.objects.all():
            obj.full_clean()

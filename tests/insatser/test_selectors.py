"""referral_list applies the queue-wait norm in the query, so the API and a settings override agree."""

import datetime

import pytest
from django.utils import timezone

from insatser import selectors
from insatser.models import ReferralStatus
from tests.factories.insatser import InsatsFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _queued(insats, days: int):
    queued_on = timezone.localdate() - datetime.timedelta(days=days)
    return ReferralFactory(insats=insats, status=ReferralStatus.QUEUED, referred_on=queued_on, queued_on=queued_on,
                           started_on=None, queue_position=days)


def test_needs_temporary_activity_follows_the_norm_and_its_override(insats_staff, settings):
    insats = InsatsFactory(provider_unit=insats_staff.unit)
    on_limit, past_limit, recent = _queued(insats, 14), _queued(insats, 15), _queued(insats, 3)
    started = ReferralFactory(insats=insats, referred_on=timezone.localdate() - datetime.timedelta(days=40))

    def needing():
        rows = selectors.referral_list(user=insats_staff)
        return {r.pk for r in rows if r.needs_temporary_activity}

    assert needing() == {past_limit.pk}
    settings.INSATSER_NORMS = {"MAX_QUEUE_WAIT_DAYS": 2}
    assert needing() == {on_limit.pk, past_limit.pk, recent.pk}
    assert started.pk not in needing()

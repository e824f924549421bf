"""Scheduled platform work runs through a real worker on the configured broker."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app
from config.tasks import clear_expired_sessions

pytestmark = pytest.mark.celery_worker


def test_expired_sessions_are_cleared_by_the_worker(celery_worker):
    now = timezone.now()
    Session.objects.create(session_key="gammal", session_data="", expire_date=now - datetime.timedelta(hours=1))
    Session.objects.create(session_key="aktiv", session_data="", expire_date=now + datetime.timedelta(hours=1))

    result = clear_expired_sessions.delay()

    assert result.get(timeout=90) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["aktiv"]
    # Idempotent: a second run deletes nothing more.
    assert clear_expired_sessions.delay().get(timeout=90) == 0


def test_clear_expired_sessions_is_scheduled_nightly():
    entry = app.conf.beat_schedule["platform.clear_expired_sessions"]
    assert entry["task"] == clear_expired_sessions.name
    assert entry["schedule"].hour == {3}

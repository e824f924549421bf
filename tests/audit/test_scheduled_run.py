"""The scheduled-run task is acked late, so a redelivery must not start a second run of the day."""

import pytest

from audit.control import services
from audit.control.models import RuleRun, RunStatus, RunTrigger, Schedule

pytestmark = pytest.mark.django_db


def test_a_redelivered_schedule_finds_the_run_it_started():
    first = services.scheduled_run_start(schedule=Schedule.NIGHTLY)
    assert first is not None
    assert services.scheduled_run_start(schedule=Schedule.NIGHTLY) == first
    assert RuleRun.objects.filter(trigger=RunTrigger.SCHEDULE).count() == 1


def test_after_a_failed_run_the_schedule_runs_again():
    first = services.scheduled_run_start(schedule=Schedule.NIGHTLY)
    RuleRun.objects.filter(pk=first).update(status=RunStatus.FAILED)
    again = services.scheduled_run_start(schedule=Schedule.NIGHTLY)
    assert again not in (None, first)
    assert RuleRun.objects.filter(trigger=RunTrigger.SCHEDULE).count() == 2


def test_each_schedule_has_its_own_run():
    nightly = services.scheduled_run_start(schedule=Schedule.NIGHTLY)
    weekly = services.scheduled_run_start(schedule=Schedule.WEEKLY)
    assert None not in (nightly, weekly) and nightly != weekly

"""Rule runs through a real Celery worker: flags in the database, idempotent, resumable."""

import datetime
import time

import pytest
from django.db import OperationalError
from django.utils import timezone

from audit.control import engine, services
from audit.control.models import Flag, FlagStatus, RuleRun, RunStatus
from audit.control.rules import REGISTRY
from config.celery import app
from tests.factories.audit import CorrectiveActionFactory

pytestmark = pytest.mark.celery_worker
CODE = "r12_action_overdue"


def _wait(run_id: int, timeout: float = 30) -> RuleRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            run = RuleRun.objects.get(pk=run_id)
        except OperationalError:  # SQLite's shared-cache test database: the worker holds a table lock
            run = None
        if run is not None and run.status != RunStatus.RUNNING:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish: {RuleRun.objects.get(pk=run_id).__dict__}")


def _live_flags() -> set[tuple[str, int]]:
    return set(
        Flag.objects.filter(rule__code=CODE, status=FlagStatus.OPEN).values_list("subject_type", "subject_id")
    )


@pytest.fixture
def overdue(transactional_db):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = CorrectiveActionFactory.create_batch(5, due_date=yesterday - datetime.timedelta(days=3))
    CorrectiveActionFactory(due_date=timezone.localdate())  # due today: a near miss
    return {("audit.correctiveaction", a.pk) for a in late}


def _start(admin, **kwargs):
    return services.rule_run_start(actor=admin, rule_codes=[CODE], chunk_size=2, **kwargs)


def test_run_through_worker_flags_and_rerun_adds_nothing(celery_worker, overdue, administrator):
    run = _wait(_start(administrator).pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert _live_flags() == overdue
    assert (run.flags_opened, run.flags_kept, run.flags_resolved) == (5, 0, 0)
    assert run.subjects_examined == 6
    assert run.chunks_done == run.chunks_total > 1
    assert run.duration_ms is not None

    count = Flag.objects.count()
    again = _wait(_start(administrator).pk)
    assert (again.flags_opened, again.flags_kept, again.flags_resolved) == (0, 5, 0)
    assert Flag.objects.count() == count
    assert _live_flags() == overdue


def test_interrupted_run_started_again_ends_with_the_same_flags(celery_worker, overdue, administrator, monkeypatch):
    real = engine.run_chunk
    chunks = engine.plan_chunks(engine.REGISTRY[CODE], 2)
    failing_lower = chunks[1][0]

    def crash_in_second_chunk(**kwargs):
        if kwargs["lower"] == failing_lower:
            raise RuntimeError("arbetaren dog mitt i körningen")
        return real(**kwargs)

    monkeypatch.setattr(engine, "run_chunk", crash_in_second_chunk)
    failed = _wait(_start(administrator).pk)
    assert failed.status == RunStatus.FAILED
    assert "arbetaren dog" in failed.error
    partial = _live_flags()
    assert partial < overdue  # some chunks did their part

    monkeypatch.setattr(engine, "run_chunk", real)
    run = _wait(_start(administrator).pk)
    assert run.status == RunStatus.SUCCEEDED
    assert _live_flags() == overdue
    assert Flag.objects.filter(rule__code=CODE).count() == len(overdue)


def test_transient_database_error_is_retried(celery_worker, overdue, administrator, monkeypatch):
    real = engine.run_chunk
    failures = []

    def flaky(**kwargs):
        if not failures:
            failures.append(kwargs["lower"])
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(engine, "run_chunk", flaky)
    run = _wait(_start(administrator).pk, timeout=60)
    assert failures and run.status == RunStatus.SUCCEEDED, run.error
    assert _live_flags() == overdue


def test_beat_runs_rules_nightly_and_heltidsaktivering_weekly():
    nightly = app.conf.beat_schedule["audit.nightly_rules"]
    weekly = app.conf.beat_schedule["audit.weekly_rules"]
    assert nightly["task"] == weekly["task"] == "audit.run_scheduled_rules"
    assert nightly["kwargs"] == {"schedule": "nightly"}
    assert weekly["kwargs"] == {"schedule": "weekly"}
    assert weekly["schedule"].day_of_week == {1}


def test_all_rules_through_worker_are_idempotent(celery_worker, overdue, administrator):
    from tests.factories.insatser import ExemptionFactory, ParticipationFactory

    today = timezone.localdate()
    late = ParticipationFactory(start_date=today - datetime.timedelta(days=200),
                                decision_period_end=today - datetime.timedelta(days=1))
    review = ExemptionFactory(valid_from=today - datetime.timedelta(days=40), review_on=today - datetime.timedelta(days=1))

    run = _wait(services.rule_run_start(actor=administrator, chunk_size=50).pk, timeout=60)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert sorted(run.rule_codes) == sorted(REGISTRY)
    live = set(Flag.objects.filter(status=FlagStatus.OPEN).values_list("rule__code", "subject_id"))
    assert ("r07_participation_past_decision_period", late.pk) in live
    assert ("r09_exemption_review_passed", review.pk) in live
    assert {("r12_action_overdue", pk) for _, pk in overdue} <= live

    again = _wait(services.rule_run_start(actor=administrator, chunk_size=50).pk, timeout=60)
    assert again.flags_opened == 0 and again.flags_resolved == 0
    assert set(Flag.objects.filter(status=FlagStatus.OPEN).values_list("rule__code", "subject_id")) == live

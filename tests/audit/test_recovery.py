"""Runs recover by themselves: the watchdog finds a stalled run from the database alone and sends its
unfinished chunks again; a chunk done twice changes nothing. (The same with a real worker killed and
Redis restarted: tests/audit/test_recovery_worker.py.)"""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from audit import tasks
from audit.control import services
from audit.control.models import Flag, FlagStatus, RuleRun, RuleRunChunk, RunStatus
from config.celery import app
from tests.factories.audit import CorrectiveActionFactory

pytestmark = pytest.mark.django_db
CODE = "r12_action_overdue"


@pytest.fixture
def overdue(db):
    late = CorrectiveActionFactory.create_batch(5, due_date=timezone.localdate() - datetime.timedelta(days=4))
    return {a.pk for a in late}


@pytest.fixture
def sent(monkeypatch):
    """Chunks the watchdog sends, executed in-process as a worker would."""
    calls = []

    def send(run_id, chunk_ids):
        calls.append(list(chunk_ids))
        for pk in chunk_ids:
            tasks.run_rule_chunk.apply(kwargs={"run_id": run_id, "chunk_id": pk}).get()

    monkeypatch.setattr(tasks, "send_chunks", send)
    return calls


def _live():
    return set(Flag.objects.filter(rule__code=CODE, status=FlagStatus.OPEN).values_list("subject_id", flat=True))


def _lost_run(administrator, django_capture_on_commit_callbacks, done=1):
    """A run whose messages were lost (its dispatch never reached a worker) after `done` chunks."""
    with django_capture_on_commit_callbacks(execute=False):
        run = services.rule_run_start(actor=administrator, rule_codes=[CODE], chunk_size=2)
    for chunk_id in services.rule_run_chunk_ids(run_id=run.pk)[:done]:
        services.rule_chunk_execute(chunk_id=chunk_id)
    return run


def test_a_stalled_run_is_found_from_the_database_and_completes(
    overdue, administrator, sent, django_capture_on_commit_callbacks
):
    run = _lost_run(administrator, django_capture_on_commit_callbacks)
    assert RuleRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    pending = set(services.rule_run_chunk_ids(run_id=run.pk))
    assert pending and _live() < overdue

    # Not yet: nothing has happened for less than the configured time.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stalled_runs_redispatch(now=timezone.now()) == {}
    later = timezone.now() + services.stalled_after() + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.stalled_runs_redispatch(now=later)

    assert set(again[run.pk]) == pending
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.chunks_done == run.chunks_total
    assert _live() == overdue
    assert (run.flags_opened, run.flags_resolved) == (len(overdue), 0)
    assert all(c.dispatch_count == 1 and c.duration_ms is not None for c in RuleRunChunk.objects.filter(pk__in=pending))
    # A finished run is never sent again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stalled_runs_redispatch(now=later + services.stalled_after() * 2) == {}


def test_a_chunk_done_twice_changes_nothing(overdue, administrator, sent, django_capture_on_commit_callbacks):
    run = _lost_run(administrator, django_capture_on_commit_callbacks, done=0)
    first = services.rule_run_chunk_ids(run_id=run.pk)[0]
    assert tasks.run_rule_chunk.apply(kwargs={"run_id": run.pk, "chunk_id": first}).get() is True
    flags = list(Flag.objects.order_by("pk").values())
    chunk = RuleRunChunk.objects.values().get(pk=first)

    # A re-dispatched copy of a chunk that did finish (Redis redelivering, or the watchdog).
    assert tasks.run_rule_chunk.apply(kwargs={"run_id": run.pk, "chunk_id": first}).get() is False
    assert list(Flag.objects.order_by("pk").values()) == flags
    assert RuleRunChunk.objects.values().get(pk=first) == chunk
    assert RuleRun.objects.get(pk=run.pk).chunks_done == 1


def test_a_run_whose_worker_is_busy_is_not_stalled(overdue, administrator, sent, django_capture_on_commit_callbacks):
    run = _lost_run(administrator, django_capture_on_commit_callbacks, done=0)
    soon = timezone.now() + services.stalled_after() - datetime.timedelta(seconds=5)
    chunk_id = services.rule_run_chunk_ids(run_id=run.pk)[0]
    RuleRunChunk.objects.filter(pk=chunk_id).update(started_at=soon - datetime.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stalled_runs_redispatch(now=soon + datetime.timedelta(seconds=10)) == {}
    assert sent == []


def test_a_chunk_that_never_finishes_fails_its_run_instead_of_looping(
    overdue, administrator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "send_chunks", lambda run_id, chunk_ids: None)  # every copy is lost
    run = _lost_run(administrator, django_capture_on_commit_callbacks, done=0)
    now = timezone.now()
    for _ in range(settings.AUDIT_CHUNK_MAX_DISPATCHES + 1):
        now += services.stalled_after() + datetime.timedelta(seconds=1)
        with django_capture_on_commit_callbacks(execute=True):
            services.stalled_runs_redispatch(now=now)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "skickades" in run.error and "gånger" in run.error
    assert max(RuleRunChunk.objects.filter(run=run).values_list("dispatch_count", flat=True)) == (
        settings.AUDIT_CHUNK_MAX_DISPATCHES
    )


def test_the_watchdog_is_on_beat_and_the_timeouts_fit_together():
    entry = app.conf.beat_schedule["audit.redispatch_stalled_runs"]
    assert entry["task"] == tasks.redispatch_stalled_runs.name
    assert entry["schedule"] == settings.AUDIT_RUN_WATCH_SECONDS
    # A chunk still running is never sent again: the watchdog waits longer than its time limit.
    assert services.stalled_after().total_seconds() > tasks.run_rule_chunk.time_limit == tasks.CHUNK_TIME_LIMIT
    assert settings.AUDIT_RUN_WATCH_SECONDS < services.stalled_after().total_seconds()


def test_redis_visibility_timeout_is_set_and_longer_than_every_task_with_its_retries():
    timeout = settings.REDIS_VISIBILITY_TIMEOUT_SECONDS
    if settings.CELERY_BROKER_URL.startswith("redis"):
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == timeout
    ours = [t for name, t in app.tasks.items() if name.split(".")[0] in ("audit", "platform")]
    assert ours
    for task in ours:
        assert timeout > task.time_limit + getattr(task, "retry_backoff_max", 0), task.name
    # A stuck rule run does not wait for Redis to give a lost message back: the watchdog sends its
    # chunks again first (Redis's own hour, or for ever without its data, is what left runs stuck).
    assert settings.AUDIT_RUN_STALLED_AFTER_SECONDS + settings.AUDIT_RUN_WATCH_SECONDS < timeout

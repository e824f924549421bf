"""A rule run survives its worker being killed mid-run and Redis restarting without its data.

Real processes (tests/audit/processes.py): a private redis-server on port 6390 (the shared Redis
is untouched), a Celery worker and beat on it, all on this test's PostgreSQL database. The test
holds a lock on one chunk so the worker is caught in the middle of the run, kills it (SIGKILL),
restarts Redis (every queued message is lost) and starts a new worker, as a supervisor would. No
one touches the run: beat's watchdog finds it from the database and sends its chunks again. The
flags it ends with are exactly those of an undisturbed run of the same rules.
"""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from kombu import Connection

from audit import tasks
from audit.control import services
from audit.control.models import Flag, RuleRun, RuleRunChunk, RunStatus
from config.celery import app
from tests.audit.processes import Celery, PrivateRedis, database_url, redis_available
from tests.factories.audit import CorrectiveActionFactory
from tests.factories.insatser import ExemptionFactory, ParticipationFactory

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgresql,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker processes share the PostgreSQL test database"),
    pytest.mark.skipif(not redis_available(), reason="needs redis-server to start a private Redis"),
]
PORT = 6390
CODES = ["r07_participation_past_decision_period", "r09_exemption_review_passed", "r12_action_overdue"]
# Quick enough for a test; the production values and how they relate are in README.
WATCHDOG = {"AUDIT_RUN_STALLED_AFTER_SECONDS": "3", "AUDIT_RUN_WATCH_SECONDS": "1", "AUDIT_CHUNK_MAX_DISPATCHES": "50"}
FIELDS = ("rule__code", "subject_type", "subject_id", "status", "person_id", "responsible_id", "unit_id", "first_seen",
          "last_seen", "facts")


def wait_for(condition, timeout: float, what: str, log=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s\n{log()}")


@pytest.fixture
def redis():
    server = PrivateRedis(PORT).start()
    yield server
    server.stop()


@pytest.fixture
def celery(redis):
    processes = Celery(broker=redis.url, database=database_url(), env=WATCHDOG)
    yield processes
    processes.stop()


@pytest.fixture
def findings(transactional_db):
    today = timezone.localdate()
    CorrectiveActionFactory.create_batch(7, due_date=today - datetime.timedelta(days=4))
    CorrectiveActionFactory(due_date=today)  # not yet overdue
    for _ in range(3):
        ParticipationFactory(start_date=today - datetime.timedelta(days=200), decision_period_end=today - datetime.timedelta(days=1))
    ExemptionFactory(valid_from=today - datetime.timedelta(days=40), review_on=today - datetime.timedelta(days=1))


def dispatch(redis, run_id: int) -> None:
    with Connection(redis.url) as conn:
        app.send_task(tasks.dispatch_rule_run.name, args=[run_id], connection=conn)


def start_run(redis, administrator, *, send: bool = True) -> RuleRun:
    """Start a run through the service; its dispatch goes to the private Redis after the commit
    (or, with send=False, when the test sends it)."""
    original = tasks.dispatch_rule_run.delay
    tasks.dispatch_rule_run.delay = (lambda run_id: dispatch(redis, run_id)) if send else (lambda run_id: None)
    try:
        return services.rule_run_start(actor=administrator, rule_codes=CODES, chunk_size=2)
    finally:
        tasks.dispatch_rule_run.delay = original


def finished(run_id):
    run = RuleRun.objects.get(pk=run_id)
    return run if run.status != RunStatus.RUNNING else None


def flags() -> set[tuple]:
    return {tuple(str(v) for v in row) for row in Flag.objects.filter(rule__code__in=CODES).values_list(*FIELDS)}


def activity() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT datname, state, wait_event_type, wait_event, left(query, 120) FROM pg_stat_activity")
        return "\n".join(map(str, cursor.fetchall()))


def worker_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Statistics views are a snapshot per transaction, and this runs inside the locking one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        # Other sessions' wait events are visible to the owner only (the suite may run as the
        # application role, which sees "insufficient privilege"): look as the owner, then go back.
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
        cursor.execute("RESET ROLE")
        try:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] > 0
        finally:
            cursor.execute(connection.ops.compose_sql("SET ROLE %s", [role]))


def test_killed_worker_and_restarted_redis_the_run_completes_by_itself_with_the_same_flags(
    findings, redis, celery, administrator
):
    celery.beat()
    celery.worker()

    # An undisturbed run: its flags are what the disturbed run must end with.
    calm = start_run(redis, administrator)
    calm = wait_for(lambda: finished(calm.pk), 90, "the undisturbed run finished", celery.log)
    assert calm.status == RunStatus.SUCCEEDED, calm.error
    expected = flags()
    assert len(expected) == 7 + 3 + 1
    Flag.objects.filter(rule__code__in=CODES).delete()
    worker = celery.processes[-1]

    # The same run again. Two chunks are done already (an earlier worker's share); the worker is
    # caught in the middle of the next one: its flags written, not committed, when it is killed.
    run = start_run(redis, administrator, send=False)
    chunk_ids = services.rule_run_chunk_ids(run_id=run.pk)
    assert len(chunk_ids) >= 6
    for chunk_id in chunk_ids[:2]:
        services.rule_chunk_execute(chunk_id=chunk_id)
    with transaction.atomic():
        # A chunk ends by counting itself on the run's row: held here, the worker waits there.
        RuleRun.objects.select_for_update().get(pk=run.pk)
        dispatch(redis, run.pk)
        wait_for(worker_waits_on_a_lock, 60, "the worker reached the end of its chunk", lambda: celery.log() + activity())
        Celery.kill(worker)
        redis.restart()
        assert redis.queued("audit.run_rule_chunk") == 0  # every queued chunk message is gone
    run.refresh_from_db()
    assert (run.status, run.chunks_done) == (RunStatus.RUNNING, 2)

    celery.worker()  # the supervisor starts a new worker; nobody touches the run
    run = wait_for(lambda: finished(run.pk), 90, "the interrupted run finished by itself", celery.log)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert flags() == expected
    assert (run.flags_opened, run.flags_kept, run.flags_resolved) == (calm.flags_opened, 0, 0)
    assert run.chunks_done == run.chunks_total == len(chunk_ids)
    assert RuleRunChunk.objects.filter(run=run, dispatch_count__gt=1).exists()  # sent again by the watchdog

"""Benchmark: how soon a flag follows a saved fact, and how soon a killed run recovers. Not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch db> .venv/bin/python bench/reevaluation.py

Real processes, as in production: a private redis-server (default port 6391, no persistence; the
shared Redis is untouched), a Celery worker and beat in their own processes, on the PostgreSQL
server DATABASE_URL names: the script creates a fresh database "<name>_bench" there (migrated,
as the test runner does) and drops it when done, so it can be run again and again.

1. Re-check latency: for each sample a coordinator records a follow-up through the service (the
   person's follow-up flag resolves), or decides an exemption whose review date has passed (a flag
   opens); the clock runs from the commit to the moment the flag's new state is visible in the
   database (polled every 5 ms). Median, 90th percentile and max of each.
2. Recovery time of a killed run: the worker is killed in the middle of a chunk and Redis restarted
   without its data, then a new worker is started (what a supervisor does); the clock runs from the
   new worker's start to the run finishing, with no manual step. The watchdog settings are the
   script's (--stall-seconds, watch every second); the production defaults (900 s + 60 s) bound it
   the same way, plus the same worker start-up.

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

PORT = int(os.environ.get("BENCH_REDIS_PORT", "6391"))
os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{PORT}/0"  # this process queues on the private Redis too
os.environ["CELERY_RESULT_BACKEND"] = "cache+memory://"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from audit.control import engine, services  # noqa: E402
from audit.control.models import Flag, FlagStatus, RuleRun, RunStatus  # noqa: E402
from cases.models import Role  # noqa: E402
from insatser import services as insatser_services  # noqa: E402
from insatser.models import ExemptionReason  # noqa: E402
from planning import services as planning_services  # noqa: E402
from tests.audit.processes import Celery, PrivateRedis, database_url  # noqa: E402
from tests.factories.audit import CorrectiveActionFactory  # noqa: E402
from tests.factories.cases import CoordinatorAssignmentFactory, StaffFactory  # noqa: E402
from tests.factories.insatser import ParticipationFactory  # noqa: E402
from tests.factories.planning import PlanActivityFactory, SignedPlanFactory, SubgoalFactory  # noqa: E402

R01, R09, R12 = "r01_follow_up_interval", "r09_exemption_review_passed", "r12_action_overdue"
DAY = datetime.timedelta(days=1)


def wait_for(condition, timeout: float, what: str, interval: float = 0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise SystemExit(f"timed out: {what}")


def overdue_participant(today):
    assignment = CoordinatorAssignmentFactory(start_date=today - datetime.timedelta(days=120))
    plan = SignedPlanFactory(applicant=assignment.applicant, made_on=today - datetime.timedelta(days=90),
                             created_by=assignment.coordinator)
    SubgoalFactory(plan=plan)
    PlanActivityFactory(plan=plan)
    ParticipationFactory(applicant=assignment.applicant, start_date=today - datetime.timedelta(days=60))
    return assignment, plan


def flag_state(code, subject_id):
    return Flag.objects.filter(rule__code=code, subject_id=subject_id).values_list("status", flat=True).first()


def timed(save, done) -> float:
    with transaction.atomic():
        result = save()
    committed = time.perf_counter()
    wait_for(lambda: done(result), 60, "the flag followed the fact")
    return time.perf_counter() - committed


def latency(samples: int) -> dict:
    today = timezone.localdate()
    people = [overdue_participant(today) for _ in range(samples + 1)]
    engine.rules_sync()
    for lo, hi in engine.plan_chunks(engine.REGISTRY[R01]):
        engine.run_chunk(rule_code=R01, lower=lo, upper=hi, as_of=today)

    def follow_up(assignment, plan):
        return timed(
            lambda: planning_services.follow_up_record(actor=assignment.coordinator, plan=plan, followed_up_on=today,
                                                       method="meeting", follows_plan=True),
            lambda _: flag_state(R01, assignment.applicant_id) == FlagStatus.RESOLVED,
        )

    def exemption(assignment):
        return timed(
            lambda: insatser_services.exemption_create(
                actor=assignment.coordinator, applicant=assignment.applicant, reason=ExemptionReason.values[0],
                reason_text="Vård.", valid_from=today - datetime.timedelta(days=40),
                valid_to=today + datetime.timedelta(days=30), review_on=today - DAY),
            lambda e: flag_state(R09, e.pk) == FlagStatus.OPEN,
        )

    follow_up(*people[0])  # warm-up: the worker's first task loads the code
    resolved = [follow_up(*p) for p in people[1:]]
    opened = [exemption(a) for a, _ in people[1:]]

    def stats(values):
        values = sorted(values)
        return {"median_ms": round(statistics.median(values) * 1000), "p90_ms": round(values[int(0.9 * (len(values) - 1))] * 1000),
                "max_ms": round(values[-1] * 1000), "samples": len(values)}

    return {"resolved_after_follow_up": stats(resolved), "opened_after_exemption": stats(opened)}


def worker_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def recovery(redis: PrivateRedis, celery: Celery, actions: int) -> float:
    """One killed run: seconds from the new worker's start to the run finishing by itself."""
    from celery import current_app
    from kombu import Connection

    from audit import tasks

    admin = StaffFactory(role=Role.ADMINISTRATOR, unit=None)
    CorrectiveActionFactory.create_batch(actions, due_date=timezone.localdate() - 4 * DAY)
    original = tasks.dispatch_rule_run.delay
    tasks.dispatch_rule_run.delay = lambda run_id: None
    try:
        run = services.rule_run_start(actor=admin, rule_codes=[R12], chunk_size=max(1, actions // 8))
    finally:
        tasks.dispatch_rule_run.delay = original
    worker = next(p for p in reversed(celery.processes) if "worker" in p.args)
    with transaction.atomic():
        RuleRun.objects.select_for_update().get(pk=run.pk)  # the worker blocks at the end of its chunk
        with Connection(redis.url) as conn:
            current_app.send_task(tasks.dispatch_rule_run.name, args=[run.pk], connection=conn)
        wait_for(worker_waits_on_a_lock, 60, "the worker reached the end of its chunk", interval=0.05)
        Celery.kill(worker)
        redis.restart()
    started = time.perf_counter()
    celery.worker()
    wait_for(lambda: RuleRun.objects.get(pk=run.pk).status != RunStatus.RUNNING, 600, "the run recovered", 0.05)
    elapsed = time.perf_counter() - started
    assert RuleRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15, help="re-checks timed of each kind")
    parser.add_argument("--recoveries", type=int, default=3, help="killed runs timed")
    parser.add_argument("--stall-seconds", type=int, default=10, help="the watchdog's stall age for the bench")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a scratch PostgreSQL database (the worker processes share it).")
    original = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{original}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)

    redis = PrivateRedis(PORT).start()
    celery = Celery(broker=redis.url, database=database_url(), env={
        "AUDIT_RUN_STALLED_AFTER_SECONDS": str(args.stall_seconds), "AUDIT_RUN_WATCH_SECONDS": "1",
        "AUDIT_CHUNK_MAX_DISPATCHES": "50",
    })
    try:
        celery.worker()
        figures = latency(args.samples)
        for name, values in figures.items():
            print(f"{name:<28} median {values['median_ms']} ms, p90 {values['p90_ms']} ms, max {values['max_ms']} ms "
                  f"({values['samples']} samples)")
        celery.beat()
        recoveries = [recovery(redis, celery, actions=16) for _ in range(args.recoveries)]
        for i, seconds in enumerate(recoveries, 1):
            print(f"killed run {i}: finished {seconds:.1f} s after the new worker started")
        figures["recovery"] = {
            "median_s": round(statistics.median(recoveries), 1), "max_s": round(max(recoveries), 1),
            "runs": len(recoveries), "stall_seconds": args.stall_seconds, "watch_seconds": 1,
        }
    finally:
        celery.stop()
        redis.stop()
        connection.creation.destroy_test_db(original, verbosity=0)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

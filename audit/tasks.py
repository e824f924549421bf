"""Celery tasks of the control layer. Thin: they take ids, call a service, and are idempotent.

A run is coordinated, not computed, by `audit.dispatch_rule_run`: it sends one
`audit.run_rule_chunk` per chunk (one rule over a range of subject ids) as a group, so the
chunks spread over every worker. Each chunk is done once (its row is locked and marked done in
the same transaction as its flags), and the chunk that completes the run records the totals.
"""

from __future__ import annotations

from celery import Task, group, shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from audit import report_services
from audit.control import digest, services
from audit.control.models import Schedule
from audit.recording import webhooks
from audit.reports import key_figure_facts

# Errors worth retrying: a dropped database connection, a deadlock/serialisation failure
# (OperationalError on PostgreSQL) or an unreachable broker.
TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)
COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


class ChunkTask(Task):
    """A chunk that fails for good marks its run failed, with the error."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        run_id = kwargs.get("run_id", args[0] if args else None)
        if run_id is not None:
            services.rule_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(name="audit.run_scheduled_rules", soft_time_limit=120, time_limit=180, **COMMON)
def run_scheduled_rules(schedule: str = Schedule.NIGHTLY) -> int:
    return services.scheduled_run_start(schedule=schedule) or 0


# A chunk's hard time limit. The run's watchdog waits longer than this before it sends a chunk
# again (AUDIT_RUN_STALLED_AFTER_SECONDS), and Redis's visibility timeout is longer than the
# longest time limit here (tests/audit/test_recovery.py checks both).
CHUNK_TIME_LIMIT = 720


def send_chunks(run_id: int, chunk_ids: list[int]) -> None:
    if chunk_ids:
        group(run_rule_chunk.s(run_id=run_id, chunk_id=pk) for pk in chunk_ids).apply_async()


@shared_task(name="audit.dispatch_rule_run", soft_time_limit=120, time_limit=180, **COMMON)
def dispatch_rule_run(run_id: int) -> int:
    chunk_ids = services.rule_run_chunks_dispatched(run_id=run_id)
    send_chunks(run_id, chunk_ids)
    return len(chunk_ids)


@shared_task(
    base=ChunkTask, name="audit.run_rule_chunk", soft_time_limit=CHUNK_TIME_LIMIT - 120, time_limit=CHUNK_TIME_LIMIT,
    **COMMON,
)
def run_rule_chunk(*, run_id: int, chunk_id: int) -> bool:
    services.rule_chunk_begin(chunk_id=chunk_id)
    return services.rule_chunk_execute(chunk_id=chunk_id)


@shared_task(name="audit.redispatch_stalled_runs", soft_time_limit=60, time_limit=90, **COMMON)
def redispatch_stalled_runs() -> int:
    """The runs' watchdog (beat): send again the chunks of runs in which nothing has happened."""
    return sum(len(ids) for ids in services.stalled_runs_redispatch().values())


@shared_task(name="audit.reevaluate_subjects", soft_time_limit=120, time_limit=180, **COMMON)
def reevaluate_subjects(*, facts: dict) -> dict:
    """Re-check the rules that read the saved facts, for the subjects they concern (ids only)."""
    return services.subjects_reevaluate(facts=facts)


@shared_task(name="audit.escalate_flags", soft_time_limit=300, time_limit=360, **COMMON)
def escalate_flags() -> int:
    return services.flags_escalate()


@shared_task(name="audit.send_flag_digests", soft_time_limit=300, time_limit=360, **COMMON)
def send_flag_digests() -> int:
    return digest.send_digests()


# --- board reports (issue 7) ------------------------------------------------------------------

class ReportTask(Task):
    """A report build that fails for good marks its snapshot failed, with the error."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        snapshot_id = kwargs.get("snapshot_id", args[0] if args else None)
        if snapshot_id is not None:
            report_services.snapshot_fail(snapshot_id=snapshot_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(base=ReportTask, name="audit.build_report_snapshot", soft_time_limit=600, time_limit=720, **COMMON)
def build_report_snapshot(snapshot_id: int) -> bool:
    return report_services.snapshot_build(snapshot_id=snapshot_id)


# --- the hash chain over the access log (issue 11) ---------------------------------------------

@shared_task(name="audit.refresh_key_figure_facts", soft_time_limit=600, time_limit=660, **COMMON)
def refresh_key_figure_facts() -> int:
    """Rebuild the months of report 1's facts that changes have made stale (beat; idempotent:
    nothing stale, nothing done). The report rebuilds what is still stale before it reads."""
    return len(key_figure_facts.refresh()) if key_figure_facts.available() else 0


@shared_task(name="audit.verify_audit_chain", soft_time_limit=1800, time_limit=1900, **COMMON)
def verify_audit_chain() -> bool:
    from audit.control.chain_services import chain_nightly_check

    return chain_nightly_check()


@shared_task(name="audit.retention_purge", soft_time_limit=3600, time_limit=3700, **COMMON)
def retention_purge() -> int:
    """Yearly gallring; a second run finds nothing left to purge and writes an empty protocol."""
    from audit.control.retention import retention_purge as purge
    from audit.recording.context import channel_context

    with channel_context("task", endpoint="audit.retention_purge"):
        return purge().persons


@shared_task(name="audit.access_log_partitions", soft_time_limit=600, time_limit=660, **COMMON)
def access_log_partitions() -> dict:
    """Daily: the access log's partitions made ahead; months older than the keeping time dropped."""
    from audit.control.log_retention import access_log_partitions_maintain
    from audit.recording.context import channel_context

    with channel_context("task", endpoint="audit.access_log_partitions"):
        return access_log_partitions_maintain()


# --- events out (webhooks): audit/recording/webhooks.py ----------------------------------------

@shared_task(name="audit.deliver_webhook_event", **COMMON)
def deliver_webhook_event(event_id: int) -> int:
    """Fan one committed event out and try each of its deliveries."""
    due = webhooks.event_deliver(event_id)
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)


@shared_task(name="audit.deliver_webhook", **COMMON)
def deliver_webhook(delivery_id: int) -> str | None:
    """One attempt; a failure is queued again for when its back-off has passed."""
    status = webhooks.delivery_attempt(delivery_id)
    if status == "pending":
        delivery = webhooks.WebhookDelivery.objects.filter(pk=delivery_id).values("next_attempt_at").first()
        if delivery and delivery["next_attempt_at"]:
            deliver_webhook.apply_async((delivery_id,), eta=delivery["next_attempt_at"])
    return status


@shared_task(name="audit.sweep_webhooks", **COMMON)
def sweep_webhooks() -> int:
    """Whatever a lost message or a restarted worker left: events not fanned out, deliveries due."""
    events, deliveries = webhooks.due_work()
    for event_id in events:
        deliver_webhook_event.delay(event_id)
    for delivery_id in deliveries:
        deliver_webhook.delay(delivery_id)
    return len(events) + len(deliveries)

"""Every Celery task of the project keeps the developer guide's contract (stable name, limits, late acks)."""

import audit.tasks  # noqa: F401 - registers the audit tasks with the app
import config.tasks  # noqa: F401
from config.celery import app


def test_every_task_has_a_stable_name_time_limits_and_late_acks():
    ours = {name: task for name, task in app.tasks.items() if name.split(".")[0] in ("audit", "platform")}
    assert {"platform.clear_expired_sessions", "audit.run_rule_chunk", "audit.build_report_snapshot"} <= set(ours)
    for name, task in ours.items():
        assert task.acks_late and task.reject_on_worker_lost, name
        assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit, name

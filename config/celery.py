"""The Celery app. Broker and schedule come from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Apps' tasks.py modules, plus config/tasks.py for platform housekeeping.
app.autodiscover_tasks(lambda: [*settings.INSTALLED_APPS, "config"])

# Scheduled work. Times are Europe/Stockholm (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    "platform.clear_expired_sessions": {
        "task": "platform.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    # Idempotency keys and the answers stored with them (personal data) live API_IDEMPOTENCY_KEY_HOURS.
    "platform.purge_idempotency_keys": {
        "task": "platform.purge_idempotency_keys",
        "schedule": crontab(minute=40),
    },
    # A planned transfer of a case takes effect on its date (cases.transfer_services), before the
    # egenkontroll's nightly run, so its flags go to the new holder.
    "cases.transfers_take_effect": {
        "task": "cases.transfers_take_effect",
        "schedule": crontab(hour=0, minute=5),
    },
}

# Egenkontroll (audit's control layer). Nightly: every nightly rule, then escalation and the
# digest once the run has had time to finish. Weekly: heltidsaktivering, on Monday night,
# after the week it checks has ended.
app.conf.beat_schedule.update(
    {
        "audit.nightly_rules": {
            "task": "audit.run_scheduled_rules",
            "schedule": crontab(hour=1, minute=30),
            "kwargs": {"schedule": "nightly"},
        },
        "audit.weekly_rules": {
            "task": "audit.run_scheduled_rules",
            "schedule": crontab(hour=2, minute=30, day_of_week="mon"),
            "kwargs": {"schedule": "weekly"},
        },
        # The runs' watchdog: a run in which nothing has happened for a while has its unfinished
        # chunks sent again (a killed worker, or a Redis that lost its data), no manual step.
        "audit.redispatch_stalled_runs": {
            "task": "audit.redispatch_stalled_runs",
            "schedule": float(settings.AUDIT_RUN_WATCH_SECONDS),
        },
        # The hash chain over the access log, before the rules (its flag goes to the administrator).
        "audit.verify_audit_chain": {"task": "audit.verify_audit_chain", "schedule": crontab(hour=0, minute=45)},
        # Gallring once a year, in January (DOMAIN.md 7: by the end of the year after the five years).
        "audit.retention_purge": {
            "task": "audit.retention_purge", "schedule": crontab(month_of_year=1, day_of_month=15, hour=2, minute=0),
        },
        # The access log's monthly partitions, made months ahead (a DEFAULT partition catches the
        # rest); months older than AUDIT_ACCESS_LOG_KEEP_MONTHS dropped, if that is set.
        "audit.access_log_partitions": {"task": "audit.access_log_partitions", "schedule": crontab(hour=0, minute=15)},
        # Webhooks: events or retries whose message was lost are sent by the sweep.
        "audit.sweep_webhooks": {"task": "audit.sweep_webhooks", "schedule": float(settings.WEBHOOK_SWEEP_SECONDS)},
        # Report 1's monthly facts: months a change made stale (a late correction) are rebuilt.
        "audit.refresh_key_figure_facts": {
            "task": "audit.refresh_key_figure_facts", "schedule": float(settings.KEY_FIGURE_FACTS_REFRESH_SECONDS),
        },
        "audit.escalate_flags": {"task": "audit.escalate_flags", "schedule": crontab(hour=5, minute=0)},
        "audit.send_flag_digests": {"task": "audit.send_flag_digests", "schedule": crontab(hour=6, minute=0)},
    }
)

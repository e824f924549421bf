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
}

"""Report snapshots (issue 7): a board report as it was made, kept unchanged.

A snapshot stores the parameters, who made it and when, and, once the task has built it, the
report's figures as JSON. Pages and downloads render that JSON; they never recompute, so the
figures a board received can be shown again exactly. Making a report again is a new snapshot.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from config.models import TimeStampedModel

__all__ = ["ReportSnapshot", "SnapshotStatus"]


class SnapshotStatus(models.TextChoices):
    QUEUED = "queued", "I kö"
    RUNNING = "running", "Tas fram"
    DONE = "done", "Klar"
    FAILED = "failed", "Misslyckades"


class ReportSnapshot(TimeStampedModel):
    code = models.SlugField("rapport", max_length=64)
    title = models.CharField("rubrik", max_length=200)
    # ReportParams.to_json() as requested (period, unit, dates, the unit's name at the time).
    params = models.JSONField("parametrar", default=dict)
    unit = models.ForeignKey(
        "cases.Unit", verbose_name="enhet", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_snapshots")
    made_at = models.DateTimeField("beställd")
    status = models.CharField("status", max_length=16, choices=SnapshotStatus.choices, default=SnapshotStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("förlopp (%)", default=0, validators=[MaxValueValidator(100)])
    started_at = models.DateTimeField("påbörjad", null=True, blank=True)
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    error = models.TextField("fel", blank=True)
    # ReportData.to_json(), written once by the task; never changed after status "done".
    data = models.JSONField("innehåll", null=True, blank=True)
    # When the maker was told it is ready (e-mail sent / shown), so the task tells only once.
    notified_at = models.DateTimeField("meddelad", null=True, blank=True)

    class Meta:
        verbose_name = "rapport (ögonblicksbild)"
        verbose_name_plural = "rapporter (ögonblicksbilder)"
        ordering = ["-made_at", "-pk"]
        indexes = [models.Index(fields=["made_by", "made_at"], name="snapshot_maker_time")]
        constraints = [
            models.CheckConstraint(name="snapshot_progress_max_100", condition=Q(progress__lte=100)),
            models.CheckConstraint(name="snapshot_done_has_data", condition=~Q(status="done") | Q(data__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.made_at:%Y-%m-%d %H:%M})"

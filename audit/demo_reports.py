"""Demo data for the board reports: one report 6 (intern kontroll) for this year, made by the
board's demo user and built in-process, so the reports page shows a finished report at once.

Runs after audit.demo (it reports on the flags and sample that builder made). Goes through
audit.report_services like a real order; the queued task finds the snapshot done and does nothing.
"""

from __future__ import annotations

from django.utils import timezone

from audit import report_services
from audit.report_models import ReportSnapshot
from cases.models import Role, Staff


def build(ctx) -> None:
    board = Staff.objects.filter(role=Role.BOARD, is_active=True).order_by("pk").first()
    if board is None or ReportSnapshot.objects.exists():
        return
    today = getattr(ctx, "today", None) or timezone.localdate()
    snap = report_services.report_request(actor=board, code="internal_control", period_kind="year", year=today.year)
    report_services.snapshot_build(snapshot_id=snap.pk)

"""Writes of board reports: request a snapshot, build it (from the task), fail it.

A request is validated in full (report code, audience, unit, period) before anything is written;
the build runs in a Celery task queued on commit. The maker is told when it is ready by e-mail
(if they have an address) and on the reports page, which polls the snapshot's status.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.recording.log import record_change
from audit.recording.webhook_models import EventType
from audit.recording.webhooks import event_emit
from audit.report_models import ReportSnapshot, SnapshotStatus
from audit.reports import get_report
from audit.reports.base import Period, ReportParams, parse_date_range, parse_period
from audit.reports.catalog import available_reports, definition_for
from cases.models import Unit
from cases.permissions import require_role
from config.db_router import replica_replayed_at, report_reads

logger = logging.getLogger(__name__)


def _err(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def report_roles() -> frozenset[str]:
    return frozenset().union(*(r.audience for r in available_reports()))


def _unit(definition, actor, unit_id) -> Unit | None:
    unit = None
    if unit_id not in (None, ""):
        unit = Unit.objects.filter(pk=unit_id).first() if str(unit_id).isdigit() else None
        if unit is None:
            raise _err("unit", "Okänd enhet.", "unknown_unit")
    # A report about persons (4a) is for the unit manager's own unit only, never the whole area.
    if definition.personal_data and (unit is None or unit.pk != actor.unit_id):
        raise _err("unit", "Rapporten kan bara tas fram för din egen enhet.", "unit_not_allowed")
    return unit


def _period(definition, *, period_kind, year, number, date_from, date_to, today) -> dict:
    if definition.period_kind == "date_range":
        missing = [name for name, value in (("date_from", date_from), ("date_to", date_to)) if value is None]
        if missing:
            raise ValidationError({name: ValidationError("Ange ett datum.", code="required") for name in missing})
        date_from, date_to = parse_date_range(date_from=date_from, date_to=date_to, today=today)
        return {"period": None, "date_from": date_from, "date_to": date_to}
    if not period_kind:
        raise _err("period", "Välj månad, kvartal eller år.", "required")
    if definition.period_kind == "quarter" and period_kind != "quarter":
        raise _err("period", "Rapporten görs per kvartal; välj ett kvartal.", "quarter_required")
    if year is None:
        raise _err("year", "Ange ett år.", "required")
    period = parse_period(kind=period_kind, year=year, number=number if period_kind != "year" else None, today=today)
    return {"period": period}


@transaction.atomic
def report_request(
    *, actor, code: str, period_kind: str | None = None, year: int | None = None, number: int | None = None,
    date_from: datetime.date | None = None, date_to: datetime.date | None = None, unit: int | None = None,
) -> ReportSnapshot:
    """Validate a report order and queue its build. 400 naming the field, 403 outside the audience."""
    require_role(actor, report_roles(), doing="ta fram rapporter")
    definition = definition_for(actor, code)
    today = timezone.localdate()
    unit_obj = _unit(definition, actor, unit)
    when = _period(definition, period_kind=period_kind, year=year, number=number, date_from=date_from,
                   date_to=date_to, today=today)
    params = ReportParams(unit_id=unit_obj.pk if unit_obj else None, today=today,
                          extra={"unit_name": unit_obj.name if unit_obj else ""}, **when)
    snap = ReportSnapshot.objects.create(
        code=definition.code, title=definition.title, params=params.to_json(), unit=unit_obj, made_by=actor,
        made_at=timezone.now(),
    )
    record_change(actor=actor, action="report.request", instance=snap,
                  after={"code": snap.code, "params": snap.params})
    from audit.tasks import build_report_snapshot  # tasks import services; import here to keep one direction

    transaction.on_commit(lambda: build_report_snapshot.delay(snap.pk))
    return snap


def params_from_json(data: dict) -> ReportParams:
    """The ReportParams a snapshot was requested with (dates as they were then, incl. 'today')."""
    def day(value):
        return datetime.date.fromisoformat(value) if value else None

    p = data.get("period")
    period = Period(p["kind"], day(p["start"]), day(p["end"])) if p else None
    return ReportParams(period=period, unit_id=data.get("unit_id"), date_from=day(data.get("date_from")),
                        date_to=day(data.get("date_to")), today=day(data.get("today")), extra=dict(data.get("extra") or {}))


def _set_progress(snapshot_id: int, percent: int) -> None:
    # Outside any transaction, so the page polling the snapshot sees it at once.
    ReportSnapshot.objects.filter(pk=snapshot_id, status=SnapshotStatus.RUNNING).update(
        progress=max(0, min(99, int(percent))), updated_at=timezone.now()
    )


def snapshot_build(*, snapshot_id: int) -> bool:
    """Build a queued snapshot (called by the task). Idempotent: a done snapshot is left alone.

    Returns True when this call stored the figures.
    """
    with transaction.atomic():
        snap = ReportSnapshot.objects.select_for_update().filter(pk=snapshot_id).first()
        if snap is None or snap.status == SnapshotStatus.DONE:
            return False
        snap.status, snap.progress, snap.error = SnapshotStatus.RUNNING, 5, ""
        snap.started_at = timezone.now()
        snap.save(update_fields=["status", "progress", "error", "started_at", "updated_at"])
    params = params_from_json(snap.params)
    params.progress = lambda percent: _set_progress(snapshot_id, percent)
    # The figures are read from the reports' replica when there is one (config/db_router.py);
    # the snapshot, its progress and everything else here are written to default.
    with report_reads():
        replayed_at = replica_replayed_at()
        report = get_report(snap.code).make(params)
    if replayed_at is not None:
        report.notes.append(replica_note(replayed_at))
    data = report.to_json()
    if replayed_at is not None:
        data["replica_replayed_at"] = replayed_at.isoformat()
    with transaction.atomic():
        snap = ReportSnapshot.objects.select_for_update().get(pk=snapshot_id)
        if snap.status == SnapshotStatus.DONE:  # a redelivered task finished first
            return False
        snap.data, snap.status, snap.progress = data, SnapshotStatus.DONE, 100
        snap.finished_at = timezone.now()
        snap.save(update_fields=["data", "status", "progress", "finished_at", "updated_at"])
        record_change(actor=None, action="report.done", instance=snap, after={"status": snap.status})
        event_emit(event_type=EventType.REPORT_READY, unit_id=snap.unit_id, subject_type="report", subject_id=snap.pk)
        transaction.on_commit(lambda: snapshot_notify(snapshot_id=snapshot_id))
    return True


def replica_note(replayed_at: datetime.datetime) -> str:
    """What a report read from the replica says about its freshness: the replica replays the
    primary's changes with some delay, so the figures are as of its last replayed change."""
    at = timezone.localtime(replayed_at)
    return (f"Uppgifterna är hämtade ur en kopia av databasen: ändringar sparade till och med "
            f"{at:%Y-%m-%d} kl. {at:%H:%M} är med.")


def snapshot_fail(*, snapshot_id: int, error: str) -> None:
    with transaction.atomic():
        snap = ReportSnapshot.objects.select_for_update().filter(pk=snapshot_id).first()
        if snap is None or snap.status == SnapshotStatus.DONE:
            return
        snap.status, snap.error, snap.finished_at = SnapshotStatus.FAILED, error[:2000], timezone.now()
        snap.save(update_fields=["status", "error", "finished_at", "updated_at"])
        record_change(actor=None, action="report.fail", instance=snap, after={"status": snap.status})


def snapshot_notify(*, snapshot_id: int) -> bool:
    """Tell the maker by e-mail that the report is ready, once. The mail names the report and
    links to it; it carries no figures and nothing about any person."""
    with transaction.atomic():
        snap = (ReportSnapshot.objects.select_for_update().select_related("made_by")
                .filter(pk=snapshot_id, status=SnapshotStatus.DONE, notified_at__isnull=True).first())
        if snap is None:
            return False
        snap.notified_at = timezone.now()
        snap.save(update_fields=["notified_at", "updated_at"])
        email = snap.made_by.email
    if email:
        try:
            send_mail(
                subject=f"Rapporten {snap.title} är klar",
                message=(f"Rapporten du beställde {timezone.localtime(snap.made_at):%Y-%m-%d %H:%M} är klar.\n"
                         f"Öppna den här: {reverse('report-snapshot', args=[snap.pk])}\n"),
                from_email=None, recipient_list=[email],
            )
        except Exception:  # the report is made; a mail server being down must not undo that
            logger.exception("Could not send the report-ready e-mail for snapshot %s", snapshot_id)
    return True

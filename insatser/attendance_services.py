"""Attendance for a whole week's list at once (the insats staff's weekly form).

The rules of services.attendance_report (shared helpers there), checked for every row before anything is saved,
in a fixed number of queries whatever the number of participants: the rows are read, locked and
written set-based, and the audit trail is written with audit.recording.log.record_changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.recording.log import Change, record_changes, snapshot
from cases.models import Role, Staff

from .models import Participation, WeeklyAttendance
from .services import _require_role, attendance_participation_problem, check_attendance_week

FIELDS = ("attended_hours", "note")


class AttendanceRow(NamedTuple):
    participation_id: int
    attended_hours: Decimal
    note: str = ""


@transaction.atomic
def attendance_report_week(
    *, actor: Staff, week_start: datetime.date, rows: Sequence[AttendanceRow], check_only: bool = False
) -> list[WeeklyAttendance]:
    """Report (or correct) the hours of many participations for one week; all rows or none.

    A row's error is named `rows[i].<field>` (i its position in `rows`); every row's errors are
    reported at once. Rows whose hours and note are unchanged are left alone. Returns the rows
    written; `check_only` reports the errors and writes nothing (returns [])."""
    _require_role(actor, {Role.INSATS_STAFF}, doing="rapportera närvaro")
    check_attendance_week(week_start)
    ids = [r.participation_id for r in rows]
    participations = Participation.objects.select_related("insats").in_bulk(ids)
    existing = {
        a.participation_id: a
        for a in WeeklyAttendance.objects.select_for_update().filter(participation_id__in=ids, week_start=week_start)
    }
    errors: dict[str, list] = {}
    created, updated, changes = [], [], []
    now = timezone.now()
    for i, spec in enumerate(rows):
        prefix = f"rows[{i}]."
        participation = participations.get(spec.participation_id)
        problem = attendance_participation_problem(participation, actor=actor, week_start=week_start)
        if problem:
            field, message, code = problem
            errors[f"{prefix}{field}"] = [ValidationError(message, code=code)]
            continue
        row = existing.get(participation.pk)
        before = snapshot(row, FIELDS) if row else None
        if row is None:
            row = WeeklyAttendance(participation=participation, week_start=week_start, created_at=now)
        elif (row.attended_hours, row.note) == (spec.attended_hours, spec.note):
            continue
        row.attended_hours, row.note, row.reported_by, row.updated_at = spec.attended_hours, spec.note, actor, now
        try:
            # The one-row-per-week constraint holds by construction (existing rows were read under
            # lock above), so only the field validators run here: no query per row.
            row.full_clean(exclude=["participation", "reported_by"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"{prefix}{field}"] = messages
            continue
        (updated if before else created).append(row)
        changes.append((row, participation.applicant_id, before))
    if errors:
        raise ValidationError(errors)
    if check_only:
        return []
    WeeklyAttendance.objects.bulk_create(created)
    WeeklyAttendance.objects.bulk_update(updated, [*FIELDS, "reported_by", "updated_at"])
    record_changes(actor=actor, action="attendance.report", changes=[
        Change(row, [person_id], before, snapshot(row, FIELDS) | {"week_start": week_start.isoformat()})
        for row, person_id, before in changes
    ])
    return created + updated

"""Attendance (närvaro): the hours a participant attended in a week, reported by the insats staff.

One service for every way attendance is saved: the weekly page for a whole group, the API's bulk
POST for a group and its single POST for one participation all call attendance_report_week, so
the rules below are checked in one place. Every row is checked before anything is saved, in a
fixed number of queries whatever the number of rows: the rows are read, locked and written
set-based, and the audit trail is written with audit.recording.log.record_changes.
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
from config.errors import RowErrors, field_error, without_row_prefix

from .models import Participation, WeeklyAttendance
from .services import _require_role

FIELDS = ("attended_hours", "note")


class AttendanceRow(NamedTuple):
    participation_id: int
    attended_hours: Decimal
    note: str = ""


class WeekReport(NamedTuple):
    rows: list[WeeklyAttendance]  # every row asked for, in the order asked, as it now stands
    unchanged: list[WeeklyAttendance]  # those already as asked: left alone, not written

    @property
    def written(self) -> int:
        return len(self.rows) - len(self.unchanged)


def check_attendance_week(week_start: datetime.date) -> None:
    """Attendance is reported per week, named by its Monday, never for a week to come."""
    if week_start.weekday() != 0:
        raise field_error("week_start", "Veckan anges med sin måndag.", "not_monday")
    if week_start > timezone.localdate():
        raise field_error("week_start", "Närvaro kan inte rapporteras för en kommande vecka.", "future_date")


def attendance_participation_problem(
    participation: Participation | None, *, actor: Staff, week_start: datetime.date
) -> tuple[str, str, str] | None:
    """(field, message, code) when the actor may not report this participation for the week:
    only the staff of the unit that provides the insats report, and only within its period."""
    if participation is None or participation.insats.provider_unit_id != actor.unit_id:
        return ("participation", "Deltagandet finns inte eller är inte vid din enhet.", "not_found")
    week_end = week_start + datetime.timedelta(days=6)
    if week_end < participation.start_date or week_start > participation.last_day:
        return ("week_start", "Veckan ligger utanför deltagandets period.", "outside_period")
    return None


def attendance_report(
    *, actor: Staff, participation: Participation, week_start: datetime.date, attended_hours: Decimal, note: str = ""
) -> WeeklyAttendance:
    """One participation's week (creates or corrects the week's row): the weekly service with one
    row, its errors named by field alone (`attended_hours`, not `rows[0].attended_hours`)."""
    try:
        report = attendance_report_week(
            actor=actor, week_start=week_start, rows=[AttendanceRow(participation.pk, attended_hours, note)])
    except ValidationError as exc:
        raise without_row_prefix(exc) from None
    return report.rows[0]


@transaction.atomic
def attendance_report_week(
    *, actor: Staff, week_start: datetime.date, rows: Sequence[AttendanceRow], check_only: bool = False
) -> WeekReport:
    """Report (or correct) the hours of many participations for one week; all rows or none.

    A row's error is named `rows[i].<field>` (i its position in `rows`); every row's errors are
    reported at once. Rows whose hours and note are unchanged are left alone. A participation
    twice in `rows` is an error on its later row. `check_only` reports the errors and writes
    nothing (returns no rows)."""
    _require_role(actor, {Role.INSATS_STAFF}, doing="rapportera närvaro")
    check_attendance_week(week_start)
    ids = [r.participation_id for r in rows]
    # The participations are locked (in id order, so two reports never wait on each other) so that
    # two reports of the same week cannot both create its row: the second waits, then reads the
    # first's row below and corrects it.
    participations = (
        Participation.objects.select_related("insats").select_for_update(of=("self",)).order_by("pk").in_bulk(ids)
    )
    existing = {
        a.participation_id: a
        for a in WeeklyAttendance.objects.select_for_update().filter(participation_id__in=ids, week_start=week_start)
    }
    errors = RowErrors()
    created, updated, changes, result, unchanged = [], [], [], [], []
    now = timezone.now()
    for i, spec in enumerate(rows):
        if errors.repeated(i, spec.participation_id, "participation", "Deltagandet"):
            continue
        participation = participations.get(spec.participation_id)
        problem = attendance_participation_problem(participation, actor=actor, week_start=week_start)
        if problem:
            errors.add_row(i, *problem)
            continue
        row = existing.get(participation.pk)
        before = snapshot(row, FIELDS) if row else None
        if row is not None:
            row.participation = participation  # already read: the caller's row.participation costs no query
            if (row.attended_hours, row.note) == (spec.attended_hours, spec.note):
                result.append(row)
                unchanged.append(row)
                continue
        else:
            row = WeeklyAttendance(participation=participation, week_start=week_start, created_at=now)
        row.attended_hours, row.note, row.reported_by, row.updated_at = spec.attended_hours, spec.note, actor, now
        try:
            # The one-row-per-week constraint holds by construction (the week's rows were read with
            # their participations locked), so only the field validators run here: no query per row.
            row.full_clean(exclude=["participation", "reported_by"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.add_row_errors(i, exc)
            continue
        (updated if before else created).append(row)
        changes.append((row, participation.applicant_id, before))
        result.append(row)
    errors.raise_if_any()
    if check_only:
        return WeekReport([], [])
    WeeklyAttendance.objects.bulk_create(created)
    WeeklyAttendance.objects.bulk_update(updated, [*FIELDS, "reported_by", "updated_at"])
    record_changes(actor=actor, action="attendance.report", changes=[
        Change(row, [person_id], before, snapshot(row, FIELDS) | {"week_start": week_start.isoformat()})
        for row, person_id, before in changes
    ])
    return WeekReport(result, unchanged)

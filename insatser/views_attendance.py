"""Insats staff pages: their participants, and one week's attendance for a whole group on one page.

Thin: reads go through insatser.selectors (scoped to the user), writes through
insatser.attendance_services.attendance_report_week, all rows of a save in one call.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import Role
from config.web_auth import role_required
from config.web_forms import error_items, save_with_service

from .attendance_services import AttendanceRow, attendance_report_week
from .forms_attendance import AttendanceRowForm, WeekChoiceForm, current_week, week_value
from .models import Insats, ParticipationStatus, WeeklyAttendance
from .selectors import participation_list, participations_for


def _unit_insatser(user):
    return Insats.objects.filter(provider_unit_id=user.unit_id, is_active=True).order_by("name", "pk")


def _log(user, participations) -> None:
    record_access(
        actor=user, action=AccessAction.LIST, object_type="insatser.participation",
        subjects=[(p.pk, p.applicant_id) for p in participations],
    )


@login_required
@role_required(Role.INSATS_STAFF)
def participant_list(request):
    """The staff member's participants: active participations at their unit's insatser."""
    participations = list(
        participation_list(user=request.user)
        .filter(insats__provider_unit_id=request.user.unit_id, status=ParticipationStatus.ACTIVE)
        .order_by("insats__name", "applicant__last_name", "applicant__first_name", "pk")
    )
    _log(request.user, participations)
    return render(request, "insatser/attendance_participants.html", {"participations": participations, "nav": "participants"})


def _week_rows(user, insats: Insats, monday: datetime.date):
    """Participations in the group during the week, each with that week's attendance row if any."""
    sunday = monday + datetime.timedelta(days=6)
    return list(
        participations_for(user)
        .filter(insats=insats, insats__provider_unit_id=user.unit_id, start_date__lte=sunday)
        .filter(Q(end_date__gte=monday) | Q(end_date__isnull=True, decision_period_end__gte=monday))
        .select_related("applicant")
        .prefetch_related(
            Prefetch("attendance", queryset=WeeklyAttendance.objects.filter(week_start=monday), to_attr="week_rows")
        )
        .order_by("applicant__last_name", "applicant__first_name", "pk")
    )


def _row_forms(rows, data=None):
    out = []
    for participation in rows:
        existing = participation.week_rows[0] if participation.week_rows else None
        initial = {"attended_hours": existing.attended_hours, "note": existing.note} if existing else {}
        form = AttendanceRowForm(data, prefix=f"p{participation.pk}", initial=initial)
        out.append((participation, existing, form))
    return out


ROW_KEY = re.compile(r"^rows\[(\d+)\]\.(\w+)$")


def _save(user, monday, row_forms) -> tuple[bool, int]:
    """Report every filled-in, changed row in one service call (a fixed number of queries however
    many participants); if any row fails, nothing is saved and each error is shown on its row.
    A row that cannot be read (hours not a number) does not hide the other rows' errors: the
    service then only checks the rest (save_with_service)."""
    forms = [form for _, _, form in row_forms]
    changed = []
    for participation, existing, form in row_forms:
        if not form.is_valid():
            continue
        hours, note = form.cleaned_data["attended_hours"], form.cleaned_data["note"]
        if hours is None or (existing and existing.attended_hours == hours and existing.note == note):
            continue
        changed.append((form, AttendanceRow(participation.pk, Decimal(hours), note)))
    if not changed:
        return all(form.is_valid() for form in forms), 0

    def field_map(key: str):
        # A row's error goes to its form; a week or participation error concerns the row's hours
        # as the staff see it; an error about the whole week goes to the first changed row.
        match = ROW_KEY.match(key)
        form = changed[int(match[1])][0] if match else changed[0][0]
        field = match[2] if match else key
        return form, field if field in form.fields else "attended_hours"

    saved = save_with_service(changed[0][0], lambda check_only: attendance_report_week(
        actor=user, week_start=monday, rows=[row for _, row in changed], check_only=check_only), field_map, also=forms)
    return saved is not None, saved.written if saved else 0


def _error_list(row_forms) -> list:
    """The summary above the table: each participant's errors, named, linking to the field."""
    return [item for participation, _, form in row_forms
            for item in error_items(form, participation.applicant.full_name)]


@login_required
@role_required(Role.INSATS_STAFF)
def attendance_week(request):
    insatser = _unit_insatser(request.user)
    params = request.GET.copy()
    params.setdefault("vecka", week_value(current_week()))
    if "insats" not in params and insatser:
        params["insats"] = str(insatser[0].pk)
    choice = WeekChoiceForm(params, insatser=insatser)
    context = {"choice": choice, "rows": [], "saved": request.GET.get("sparade"), "nav": "attendance"}
    if not choice.is_valid():
        return render(request, "insatser/attendance_week.html", context, status=200)
    insats, monday = choice.cleaned_data["insats"], choice.cleaned_data["vecka"]
    rows = _week_rows(request.user, insats, monday)
    row_forms = _row_forms(rows, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        ok, saved = _save(request.user, monday, row_forms)
        if ok:
            query = urlencode({"insats": insats.pk, "vecka": week_value(monday), "sparade": saved})
            return redirect(f"{reverse('attendance-week')}?{query}")
        status = 400
    _log(request.user, rows)
    context.update(
        insats=insats, monday=monday, sunday=monday + datetime.timedelta(days=6), row_forms=row_forms,
        is_future=monday > timezone.localdate(), error_list=_error_list(row_forms) if status == 400 else [],
    )
    return render(request, "insatser/attendance_week.html", context, status=status)

"""Reading what was saved: a kartläggning and a follow-up, read-only, and the plan and a follow-up
as a PDF for the person. Scoped like the plan page (planning.selectors; out of scope is 404, a
role without planning is 403) and every read or download written to the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import Role
from cases.selectors import applicants_for
from config.web_auth import role_required

from . import documents, selectors
from .views import _plan_in_scope

# The roles that read plans (plan_detail): the coordinator, and the case's unit.
plan_readers = role_required(Role.COORDINATOR, Role.CASEWORKER, Role.UNIT_MANAGER)


def _log(user, action: str, obj, person_id: int) -> None:
    record_access(actor=user, action=action, object_type=obj._meta.label_lower, subjects=[(obj.pk, person_id)])


def _pdf_response(body: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    # Inline: the browser shows it, to print or to save; the name holds no personal data.
    response["Content-Disposition"] = f'inline; filename="{file_name}"'
    return response


def _follow_up_in_scope(user, pk: int):
    follow_up = (
        selectors.follow_up_list(user=user).select_related("plan__applicant", "recorded_by").filter(pk=pk).first()
    )
    if follow_up is None:
        raise Http404
    return follow_up


@login_required
@plan_readers
@require_GET
def assessment_detail(request, pk: int):
    assessment = selectors.assessment_list(user=request.user).select_related("applicant").filter(pk=pk).first()
    if assessment is None:
        raise Http404
    plans = list(selectors.plans_for(request.user).filter(assessment=assessment).order_by("version"))
    _log(request.user, AccessAction.READ, assessment, assessment.applicant_id)
    return render(request, "planning/assessment_detail.html", {
        "assessment": assessment, "person": assessment.applicant, "plans": plans, "nav": "caseload",
    })


@login_required
@plan_readers
@require_GET
def follow_up_detail(request, pk: int):
    follow_up = _follow_up_in_scope(request.user, pk)
    person = follow_up.plan.applicant
    _log(request.user, AccessAction.READ, follow_up, person.pk)
    return render(request, "planning/follow_up_detail.html", {
        "follow_up": follow_up, "plan": follow_up.plan, "person": person, "progress": list(follow_up.progress.all()),
        # After the case closed, the coordinator unit's manager reads the plan but not the person.
        "person_visible": applicants_for(request.user).filter(pk=person.pk).exists(), "nav": "caseload",
    })


@login_required
@plan_readers
@require_GET
def plan_pdf(request, pk: int):
    plan = _plan_in_scope(request.user, pk)
    body = documents.plan_pdf(plan)
    _log(request.user, AccessAction.EXPORT, plan, plan.applicant_id)
    return _pdf_response(body, documents.plan_file_name(plan))


@login_required
@plan_readers
@require_GET
def follow_up_pdf(request, pk: int):
    follow_up = _follow_up_in_scope(request.user, pk)
    body = documents.follow_up_pdf(follow_up)
    _log(request.user, AccessAction.EXPORT, follow_up, follow_up.plan.applicant_id)
    return _pdf_response(body, documents.FOLLOW_UP_FILE_NAME)

"""Control samples (stickprov): draw N cases of a period, review each case's checklist, see the result.

Drawing goes through audit.control.services (sample_draw), reviewing through review_services
(checklist_answers_review: a case's whole checklist in one call); the result per question comes
from audit.control.selectors.sample_results.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from audit.control import checklist, services
from audit.control.forms import AnswerReviewForm, CorrectiveActionForm, SampleDrawForm
from audit.control.models import ChecklistAnswer, ChecklistValue, CorrectiveAction, SamplePopulation
from audit.control.review_services import AnswerReview, checklist_answers_review
from audit.control.selectors import (
    sample_item_for_review,
    sample_items,
    sample_plan_states,
    sample_results,
    samples_for,
)
from audit.control.views.common import MANAGER_ROLES, error_status, log_persons, owners_for
from config.web_auth import role_required
from config.web_forms import run_service

QUESTION_TEXT = {q.code: q.text for q in checklist.QUESTIONS}


@login_required
@role_required(*MANAGER_ROLES)
def sample_list(request):
    form = SampleDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        sample = run_service(form, lambda: services.sample_draw(
            actor=request.user, unit=request.user.unit, period_start=cd["period_start"], period_end=cd["period_end"],
            size=cd["size"], population=cd["population"]))
        if sample:
            what = "personer" if sample.population == SamplePopulation.PERSONS else "ärenden"
            messages.success(request, f"Stickprovet är draget: {sample.size} av {sample.population_size} {what}.")
            return redirect("sample-detail", pk=sample.pk)
    status = error_status(request) if request.method == "POST" else 200
    samples = list(samples_for(request.user))
    return render(request, "audit/sample_list.html", {"form": form, "samples": samples, "nav": "samples"}, status=status)


def _findings(sample, user, data=None, posted_id=None):
    """Answers reviewed "no": each a finding that should become a corrective action (004:89-90)."""
    answers = list(
        ChecklistAnswer.objects.filter(item__sample=sample, answer=ChecklistValue.NO)
        .select_related("item__person")
        .prefetch_related(Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner")))
        .order_by("item__position", "pk")
    )
    owners = owners_for(user)
    return [
        (a, QUESTION_TEXT.get(a.question, a.question), CorrectiveActionForm(
            data if str(a.pk) == posted_id else None, prefix=f"svar{a.pk}", owners=owners))
        for a in answers
    ]


@login_required
@role_required(*MANAGER_ROLES)
def sample_detail(request, pk: int):
    sample = get_object_or_404(samples_for(request.user), pk=pk)
    posted_id = request.POST.get("svar_id") if request.method == "POST" else None
    findings = _findings(sample, request.user, request.POST if posted_id else None, posted_id)
    status = 200
    if posted_id:
        found = [(a, form) for a, _, form in findings if str(a.pk) == posted_id]
        if not found:
            raise Http404
        answer, form = found[0]
        if form.is_valid() and run_service(form, lambda: services.corrective_action_create(
                actor=request.user, sample_answer=answer, description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"], due_date=form.cleaned_data["due_date"])):
            messages.success(request, "Åtgärden är sparad.")
            return redirect("sample-detail", pk=sample.pk)
        status = error_status(request)
    items = list(sample_items(sample=sample))
    for item in items:
        item.reviewed = sum(1 for a in item.answers.all() if a.answer)
    log_persons(request.user, "audit.controlsampleitem", items, lambda i: i.person_id)
    context = {
        "sample": sample, "items": items, "results": sample_results(sample=sample), "findings": findings,
        "plan_states": sample_plan_states(sample=sample),
        "question_count": len(checklist.QUESTIONS), "nav": "samples", "posted_id": posted_id,
    }
    return render(request, "audit/sample_detail.html", context, status=status)


def _review_forms(answers, data=None):
    rows = []
    for answer in answers:
        initial = {"value": answer.value or None, "comment": answer.comment}
        rows.append((answer, QUESTION_TEXT.get(answer.question, answer.question),
                     AnswerReviewForm(data, prefix=answer.question, initial=initial)))
    return rows


ROW_KEY = re.compile(r"^rows\[(\d+)\]\.(\w+)$")
FORM_FIELDS = {"answer": "value", "comment": "comment"}  # the service's row field -> the form's


def _save_review(user, rows) -> bool:
    """Review every answered question in one service call (a fixed number of queries however many
    questions); one refusal saves none of them, and each error shows on its question."""
    reviewed = [(form, AnswerReview(answer.pk, form.cleaned_data["value"], form.cleaned_data["comment"]))
                for answer, _, form in rows if form.cleaned_data["value"]]
    if not reviewed:
        return True

    def field_map(key: str):
        match = ROW_KEY.match(key)
        if not match:
            return reviewed[0][0], None
        return reviewed[int(match[1])][0], FORM_FIELDS.get(match[2])

    saved = run_service(reviewed[0][0], lambda: checklist_answers_review(
        actor=user, rows=[review for _, review in reviewed]), field_map)
    return saved is not None


@login_required
@role_required(*MANAGER_ROLES)
def item_review(request, pk: int):
    """One sampled case: the plan judged, its follow-ups and the case beside the questions."""
    item = get_object_or_404(sample_item_for_review(user=request.user), pk=pk)
    rows = _review_forms(item.answers.all(), request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if all(form.is_valid() for _, _, form in rows) and _save_review(request.user, rows):
            messages.success(request, f"Granskningen av ärende {item.position} är sparad.")
            return redirect("sample-detail", pk=item.sample_id)
        status = error_status(request)
    log_persons(request.user, "audit.controlsampleitem", [item], lambda i: i.person_id)
    # What the reviewer reads beside the questions is personal data too: logged as read.
    log_persons(request.user, "cases.case", [item.case], lambda _: item.person_id)
    if item.plan is not None:
        log_persons(request.user, "planning.implementationplan", [item.plan], lambda p: p.applicant_id)
    context = {
        "item": item, "rows": rows, "plan": item.plan, "case": item.case, "nav": "samples",
        "coordinators": [a for a in item.case.coordinator_assignments.all() if a.applicant_id == item.person_id],
    }
    return render(request, "audit/sample_review.html", context, status=status)

"""Coordinator UI for planning: kartläggning, the plan editor with its live checklist, and
follow-ups with BIP. Thin: forms parse, planning.services validate and write, and
planning.quality judges the plan (the same function signing uses)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import CaseStatus, Role
from cases.selectors import applicants_for
from config.web_auth import person_in_scope, role_required
from config.web_forms import add_service_errors, run_service

from . import bip, documents, quality, selectors, services
from .forms import ActivityFormSet, AssessmentForm, FollowUpForm, PlanForm, SubgoalFormSet
from .models import PlanStatus

coordinator_only = role_required(Role.COORDINATOR)


def _log_read(user, plan) -> None:
    record_access(actor=user, action=AccessAction.READ, object_type="planning.implementationplan",
                  subjects=[(plan.pk, plan.applicant_id)])


def _plan_in_scope(user, pk: int):
    plan = selectors.plan_list(user=user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


@login_required
@coordinator_only
@require_http_methods(["GET", "POST"])
def assessment_new(request, pk: int):
    person = person_in_scope(request.user, pk)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        done = run_service(form, lambda: services.assessment_create(actor=request.user, applicant=person, **data))
        if done:
            messages.success(request, "Kartläggningen är sparad.")
            return redirect("person", pk=person.pk)
    record_access(actor=request.user, action=AccessAction.READ, object_type="cases.applicant",
                  subjects=[(person.pk, person.pk)])
    return render(request, "planning/assessment_form.html", {"person": person, "form": form})


@login_required
@coordinator_only
@require_POST
def plan_new(request, pk: int):
    person = person_in_scope(request.user, pk)
    form = PlanForm()
    plan = run_service(form, lambda: services.plan_create(
        actor=request.user, applicant=person, made_on=timezone.localdate()))
    if plan is None:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()) or "Planen kunde inte skapas.")
        return redirect("person", pk=person.pk)
    return redirect("plan_edit", pk=plan.pk)


# --- the plan editor


def _plan_initial(plan) -> dict:
    initial = {name: getattr(plan, name) for name in PlanForm.base_fields}
    initial["participation_recorded"] = {True: "true", False: "false"}.get(plan.participation_recorded, "")
    return initial


# "Lägg till delmål" / "Lägg till aktivitet": the button's value -> the formset prefix it grows.
ADD_ROW = {"delmal": "subgoals", "aktivitet": "activities"}


def _with_extra_row(data, prefix: str):
    """The posted data with one more (blank) row in the formset `prefix`."""
    data = data.copy()
    total = data.get(f"{prefix}-TOTAL_FORMS", "0")
    data[f"{prefix}-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
    return data


def _bound_forms(request, plan, add: str | None = None):
    if request.method == "POST":
        data = _with_extra_row(request.POST, ADD_ROW[add]) if add else request.POST
        return (PlanForm(data), SubgoalFormSet(data, prefix="subgoals"), ActivityFormSet(data, prefix="activities"))
    subgoals = [{"description": s.description, "measure": s.measure, "target": s.target, "target_date": s.target_date}
                for s in plan.subgoals.all()]
    activities = [{"description": a.description, "how": a.how, "responsible": a.responsible,
                   "partners": a.partners, "starts_on": a.starts_on, "ends_on": a.ends_on}
                  for a in plan.activities.all()]
    # One empty row more than stored, at least two, so a new row can be typed in at once.
    return (
        PlanForm(initial=_plan_initial(plan)),
        SubgoalFormSet(initial=subgoals + [{}] * max(1, 2 - len(subgoals)), prefix="subgoals"),
        ActivityFormSet(initial=activities + [{}] * max(1, 2 - len(activities)), prefix="activities"),
    )


def _save_draft(request, plan, form, subgoal_set, activity_set) -> bool:
    """plan_update with everything on the page; errors land by the fields. True when saved."""
    if not (form.is_valid() and subgoal_set.is_valid() and activity_set.is_valid()):
        return False
    sub_rows = [f for f in subgoal_set.forms if not f.is_blank()]
    act_rows = [f for f in activity_set.forms if not f.is_blank()]

    def field_map(key: str):
        # "subgoals[0].measure" -> the row's form and field (indexes count non-blank rows).
        for prefix, rows in (("subgoals[", sub_rows), ("activities[", act_rows)):
            if key.startswith(prefix) and "]." in key:
                index, name = key[len(prefix):].split("].", 1)
                if index.isdigit() and int(index) < len(rows):
                    return rows[int(index)], name
        return None

    data = dict(form.cleaned_data)
    saved = run_service(form, lambda: services.plan_update(
        actor=request.user, plan=plan,
        subgoals=[dict(f.cleaned_data) for f in sub_rows],
        activities=[dict(f.cleaned_data) for f in act_rows],
        **data,
    ), field_map)
    return saved is not None


def _checklist(plan):
    return quality.evaluate(plan)


@login_required
@coordinator_only
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    plan = _plan_in_scope(request.user, pk)
    if plan.status != PlanStatus.DRAFT:
        return redirect("plan_detail", pk=plan.pk)
    add = request.POST.get("lagg_till") if request.method == "POST" else None
    add = add if add in ADD_ROW else None
    form, subgoal_set, activity_set = _bound_forms(request, plan, add)
    sign_errors = []
    if add:
        # Save what is typed (plan_update; blank rows are not stored), then show the page again
        # with the new blank row, its first field focused. With htmx only the fieldset is swapped.
        _save_draft(request, plan, form, subgoal_set, activity_set)
        new_row = (subgoal_set if add == "delmal" else activity_set).forms[-1]
        new_row.fields["description"].widget.attrs["autofocus"] = True
    elif request.method == "POST":
        if _save_draft(request, plan, form, subgoal_set, activity_set):
            if "faststall" not in request.POST:
                messages.success(request, "Utkastet är sparat.")
                return redirect("plan_edit", pk=plan.pk)
            try:
                signed = services.plan_sign(actor=request.user, plan=plan)
            except Exception as exc:  # noqa: BLE001 - add_service_errors re-raises what it does not know
                add_service_errors(form, exc)
                sign_errors = [e for errors in getattr(exc, "error_dict", {}).values() for e in errors]
            else:
                messages.success(request, "Genomförandeplanen är fastställd.")
                for a in signed.signing_warnings:
                    messages.warning(request, f"Observera: {a.question} Nej: {a.reason}")
                return redirect("plan_detail", pk=plan.pk)
    _log_read(request.user, plan)
    return render(request, "planning/plan_edit.html", {
        "plan": plan, "person": plan.applicant, "form": form, "subgoal_set": subgoal_set,
        "activity_set": activity_set, "quality": _checklist(plan), "sign_errors": sign_errors, "added": add,
    })


@login_required
@coordinator_only
@require_POST
def plan_checklist(request, pk: int):
    """htmx: save the draft as typed and answer with the checklist for what is now stored."""
    plan = _plan_in_scope(request.user, pk)
    if plan.status != PlanStatus.DRAFT:
        raise Http404
    form, subgoal_set, activity_set = _bound_forms(request, plan)
    saved = _save_draft(request, plan, form, subgoal_set, activity_set)
    problems = [] if saved else [str(e) for e in form.non_field_errors()] + [
        f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items() if name in form.fields
    ] + [f"{label}: {' '.join(errs)}" for fs, label in ((subgoal_set, "Delmål"), (activity_set, "Aktivitet"))
         for row in fs.forms for errs in row.errors.values()]
    return render(request, "planning/_checklist.html", {"plan": plan, "quality": _checklist(plan),
                                                        "saved": saved, "problems": problems})


@login_required
@role_required(Role.COORDINATOR, Role.CASEWORKER, Role.UNIT_MANAGER)
def plan_detail(request, pk: int):
    plan = _plan_in_scope(request.user, pk)
    newer = selectors.plans_for(request.user).filter(applicant_id=plan.applicant_id, version__gt=plan.version).exists()
    _log_read(request.user, plan)
    return render(request, "planning/plan_detail.html", {
        "plan": plan, "person": plan.applicant, "quality": _checklist(plan), "is_latest": not newer,
        "content": documents.plan_content(plan),
        "follow_ups": list(selectors.follow_up_list(user=request.user).filter(plan=plan)),
        "is_coordinator": request.user.role == Role.COORDINATOR,
        "case_closed": plan.case is not None and plan.case.status == CaseStatus.CLOSED,
        # After the case closed, the coordinator unit's manager reads the plan but not the person.
        "person_visible": applicants_for(request.user).filter(pk=plan.applicant_id).exists(),
    })


@login_required
@coordinator_only
@require_POST
def plan_new_version(request, pk: int):
    plan = _plan_in_scope(request.user, pk)
    form = PlanForm()
    new = run_service(form, lambda: services.plan_new_version(actor=request.user, plan=plan))
    if new is None:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()) or "Ingen ny version kunde skapas.")
        return redirect("plan_detail", pk=plan.pk)
    messages.success(request, f"Version {new.version} är skapad som utkast.")
    return redirect("plan_edit", pk=new.pk)


# --- follow-up with BIP


def _bip_instrument():
    """The instrument in use and, when it is not the licensed one, what the page says is missing
    (placeholder indicators are never shown: planning/bip.py)."""
    instrument = selectors.bip_instrument_list().first()
    indicators = list(instrument.indicators.all()) if instrument else []
    if bip.is_licensed(indicators):
        return instrument, ""
    return None, bip.missing_text(indicators)


@login_required
@coordinator_only
@require_http_methods(["GET", "POST"])
def follow_up_new(request, pk: int):
    plan = _plan_in_scope(request.user, pk)
    instrument, bip_missing = _bip_instrument()
    previous_bip = selectors.bip_assessment_list(user=request.user).filter(applicant_id=plan.applicant_id).first()
    previous_values = {a.indicator.code: a.value for a in previous_bip.answers.all()} if previous_bip else {}
    last_follow_up = selectors.follow_up_list(user=request.user).filter(plan__applicant_id=plan.applicant_id).first()
    form = FollowUpForm(request.POST or None, subgoals=list(plan.subgoals.all()), instrument=instrument)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("followed_up_on", "method", "follows_plan", "participants",
                                                   "plan_deviation", "notes", "next_follow_up_on")}
        answers = form.bip_answers()

        def record():
            # Follow-up and BIP measurement are one record for the coordinator: both or neither.
            with transaction.atomic():
                follow_up = services.follow_up_record(actor=request.user, plan=plan, progress=form.progress(), **data)
                if answers:
                    services.bip_assessment_record(actor=request.user, applicant=plan.applicant_id,
                                                   instrument=instrument, assessed_on=data["followed_up_on"],
                                                   answers=answers)
                return follow_up

        def field_map(key):
            if key.startswith("answers."):
                return form, f"bip_{key.split('.', 1)[1]}"
            if key == "answers" or (key == "assessed_on"):
                return form, "followed_up_on"
            return None

        if run_service(form, record, field_map):
            changes = [f"{i.name}: {previous_values[i.code]} → {answers[i.code]}"
                       for i, _ in form.bip_fields if i.code in answers and i.code in previous_values]
            text = "Uppföljningen är registrerad."
            if changes:
                text += " Förändring sedan förra BIP-skattningen: " + "; ".join(changes) + "."
            messages.success(request, text)
            return redirect("person", pk=plan.applicant_id)
    _log_read(request.user, plan)
    return render(request, "planning/follow_up_form.html", {
        "plan": plan, "person": plan.applicant, "form": form, "previous_bip": previous_bip, "bip_missing": bip_missing,
        "previous_values": previous_values, "last_follow_up": last_follow_up,
        "bip_rows": [(i, form[name], previous_values.get(i.code)) for i, name in form.bip_fields],
        "progress_rows": [(s, form[name]) for s, name in form.subgoal_fields],
    })

"""Coordinator UI for planning: kartläggning, the plan editor with its live checklist, and
follow-ups with BIP. Thin: forms parse, planning.services validate and write, and
planning.quality judges the plan (the same function signing uses)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import CaseStatus, Role
from cases.selectors import applicants_for
from config import swedish
from config.errors import DomainError
from config.web_auth import person_in_scope, role_required
from config.web_forms import (
    ErrorItem,
    add_service_errors,
    error_items,
    field_anchor,
    run_service,
    save_with_service,
    values,
)

from . import bip, documents, plan_input, quality, selectors, services
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
    if request.method == "POST":
        done = save_with_service(form, lambda check_only: services.assessment_create(
            actor=request.user, applicant=person, check_only=check_only, **values(form)))
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


# --- the plan editor: a draft saves whatever is typed (issue 13); only signing needs it valid.

# "Lägg till delmål" / "Lägg till aktivitet": the button's value -> the formset prefix it grows.
ADD_ROW = {"delmal": "subgoals", "aktivitet": "activities"}
ROW_LABELS = {"subgoals": "Delmål", "activities": "Aktivitet"}
# Where the summary's link for a signing problem goes when it is not one field of the plan.
SIGN_ANCHORS = {"subgoals": "#delmal", "activities": "#aktiviteter", "activities.responsible": "#aktiviteter"}


def _with_extra_row(data, prefix: str):
    """The posted data with one more (blank) row in the formset `prefix`."""
    data = data.copy()
    total = data.get(f"{prefix}-TOTAL_FORMS", "0")
    data[f"{prefix}-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
    return data


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if hasattr(value, "isoformat") else value


def _stored_input(plan) -> QueryDict:
    """The editor's data as the coordinator left it: the plan's columns and rows, with what waits
    as typed in the draft (draft_input) in its place, and blank rows to type in (at least two)."""
    data = QueryDict(mutable=True)
    typed = {name: _as_text(getattr(plan, name)) for name in plan_input.PLAN_TYPED_FIELDS}
    for name, value in {**typed, **plan.draft_input.get("plan", {})}.items():
        data[name] = value
    stored = {
        "subgoals": [{name: _as_text(getattr(s, name)) for name in plan_input.SUBGOAL_FIELDS} for s in plan.subgoals.all()],
        "activities": [{name: (a.partners if name == "partners" else _as_text(getattr(a, name)))
                        for name in plan_input.ACTIVITY_FIELDS} for a in plan.activities.all()],
    }
    for prefix, rows in stored.items():
        rows = plan_input.rows_for_editor(plan, prefix, rows)
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) + max(1, 2 - len(rows)))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            for name, value in row.items():
                data.setlist(f"{prefix}-{i}-{name}", value if isinstance(value, list) else [value])
    return data


def _bound_forms(request, plan, add: str | None = None):
    if request.method == "POST":
        data = _with_extra_row(request.POST, ADD_ROW[add]) if add else request.POST
    else:
        data = _stored_input(plan)
    return PlanForm(data), SubgoalFormSet(data, prefix="subgoals"), ActivityFormSet(data, prefix="activities")


def _typed(form) -> dict:
    """What was typed in each field of `form`: text, a list for check boxes."""
    return {name: form[name].data if form[name].data is not None else "" for name in form.fields}


def _is_blank(typed: dict) -> bool:
    return not any(v.strip() if isinstance(v, str) else v for v in typed.values())


class _EditorInput:
    """The editor's input, parsed, for plan_input: the typed rows in order (blank rows left out)
    and field_map, which puts a service's "subgoals[1].measure" on that row's field."""

    def __init__(self, form, subgoal_set, activity_set):
        form.is_valid()
        self.form = form
        self.rows = {prefix: [f for f in fs.forms if not _is_blank(_typed(f))]
                     for prefix, fs in (("subgoals", subgoal_set), ("activities", activity_set))}

    def kwargs(self) -> dict:
        def rows(prefix):
            # is_valid() first: it fills cleaned_data with what could be read.
            return [plan_input.Row(dict(f.cleaned_data), _typed(f), readable) for f in self.rows[prefix]
                    for readable in [f.is_valid()]]

        return {"fields": dict(self.form.cleaned_data), "typed": _typed(self.form),
                "subgoals": rows("subgoals"), "activities": rows("activities")}

    def field_map(self, key: str):
        for prefix, rows in self.rows.items():
            if key.startswith(f"{prefix}[") and "]." in key:
                index, name = key[len(prefix) + 1:].split("].", 1)
                if index.isdigit() and int(index) < len(rows):
                    return rows[int(index)], name
        return None

    def show(self, problems: dict) -> None:
        if problems:
            add_service_errors(self.form, ValidationError(problems), self.field_map)


def _save_draft(request, plan, form, subgoal_set, activity_set):
    """plan_draft_save with everything on the page: the plan as saved (None when refused, e.g. a
    case closed meanwhile), and the problems marked by their fields."""
    if not (subgoal_set.management_form.is_valid() and activity_set.management_form.is_valid()):
        # Without the row counts the rows cannot be read: saving would drop the stored ones.
        form.add_error(None, "Sidan skickades ofullständig. Ladda om sidan och försök igen.")
        return None
    editor = _EditorInput(form, subgoal_set, activity_set)
    try:
        saved, problems = services.plan_draft_save(actor=request.user, plan=plan, **editor.kwargs())
    except (ValidationError, DomainError) as exc:
        add_service_errors(form, exc)
        return None
    editor.show(problems)
    return saved


def _show_kept_input(plan, form, subgoal_set, activity_set) -> None:
    """On opening a draft with input kept as typed, mark its problems again (nothing is written)."""
    if plan.draft_input:
        editor = _EditorInput(form, subgoal_set, activity_set)
        editor.show(services.plan_draft_problems(plan=plan, **editor.kwargs()))


def _error_list(form, subgoal_set, activity_set, sign_errors) -> list[ErrorItem]:
    """The summary: the plan's fields, each row's fields ("Delmål 2: ..."), then what blocks signing."""
    items = error_items(form)
    for prefix, fs in (("subgoals", subgoal_set), ("activities", activity_set)):
        items += [ErrorItem("", str(e)) for e in fs.non_form_errors()]
        for n, row in enumerate(fs.forms, 1):
            items += error_items(row, f"{ROW_LABELS[prefix]} {n}")
    for field, message in sign_errors:
        href = f"#{field_anchor(form[field])}" if field in form.fields else SIGN_ANCHORS.get(field, "")
        items.append(ErrorItem(href, message))
    return items


def _sign_problems(exc: ValidationError) -> list[tuple[str, str]]:
    # "The draft has input with errors" is said by the errors themselves, each by its field.
    return [(field, e.message) for field, errors in exc.error_dict.items() for e in errors if e.code != "draft_invalid"]


def _draft_waiting(plan) -> str:
    """What waits as typed with an error, for the checklist: signing needs it corrected."""
    kept = plan.draft_input
    parts = [swedish.count(len(kept[key]), one, many) for key, one, many in (
        ("plan", "uppgift om planen", "uppgifter om planen"), ("subgoals", "delmål", "delmål"),
        ("activities", "aktivitet", "aktiviteter")) if kept.get(key)]
    if not parts:
        return ""
    listed = ", ".join(parts[:-1]) + " och " + parts[-1] if len(parts) > 1 else parts[0]
    return f"Utkastet har fel att rätta innan planen kan fastställas: {listed}."


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
    sign_errors, sign_refused = [], False
    if request.method == "GET":
        _show_kept_input(plan, form, subgoal_set, activity_set)
    elif add:
        # Save what is typed (blank rows are not stored), then show the page again with the new
        # blank row, its first field focused. With htmx only the fieldset is swapped.
        plan = _save_draft(request, plan, form, subgoal_set, activity_set) or plan
        new_row = (subgoal_set if add == "delmal" else activity_set).forms[-1]
        new_row.fields["description"].widget.attrs["autofocus"] = True
    else:
        saved = _save_draft(request, plan, form, subgoal_set, activity_set)
        if saved is not None and "faststall" not in request.POST:
            messages.success(request, "Utkastet är sparat." if not saved.draft_input else
                             "Utkastet är sparat, också det som har fel. Felen är markerade nedan.")
            return redirect("plan_edit", pk=plan.pk)
        if saved is not None:
            plan = saved
            try:
                signed = services.plan_sign(actor=request.user, plan=plan)
            except ValidationError as exc:
                sign_errors, sign_refused = _sign_problems(exc), True
            except DomainError as exc:
                form.add_error(None, exc.message)
                sign_refused = True
            else:
                messages.success(request, "Genomförandeplanen är fastställd.")
                for a in signed.signing_warnings:
                    messages.warning(request, f"Observera: {a.question} Nej: {a.reason}")
                return redirect("plan_detail", pk=plan.pk)
    _log_read(request.user, plan)
    return render(request, "planning/plan_edit.html", {
        "plan": plan, "person": plan.applicant, "form": form, "subgoal_set": subgoal_set,
        "activity_set": activity_set, "quality": _checklist(plan), "added": add,
        "error_list": _error_list(form, subgoal_set, activity_set, sign_errors),
        "error_intro": "Planen kan inte fastställas." if sign_refused else "",
        "draft_waiting": _draft_waiting(plan),
    })


@login_required
@coordinator_only
@require_POST
def plan_checklist(request, pk: int):
    """htmx: save the draft as typed (valid or not) and answer with the checklist for it."""
    plan = _plan_in_scope(request.user, pk)
    if plan.status != PlanStatus.DRAFT:
        raise Http404
    form, subgoal_set, activity_set = _bound_forms(request, plan)
    saved = _save_draft(request, plan, form, subgoal_set, activity_set)
    problems = [] if saved else [str(e) for e in form.non_field_errors()]
    plan = saved or plan
    return render(request, "planning/_checklist.html", {"plan": plan, "quality": _checklist(plan), "saved": saved,
                                                        "problems": problems, "draft_waiting": _draft_waiting(plan)})


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
    if request.method == "POST":
        answers = {}

        def record(check_only: bool):
            answers.update(form.bip_answers())
            data = values(form, ("followed_up_on", "method", "follows_plan", "participants", "plan_deviation",
                                 "notes", "next_follow_up_on"))
            # Follow-up and BIP measurement are one record for the coordinator: both or neither.
            with transaction.atomic():
                follow_up = services.follow_up_record(actor=request.user, plan=plan, progress=form.progress(),
                                                      check_only=check_only, **data)
                if answers and not check_only:
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

        if save_with_service(form, record, field_map):
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

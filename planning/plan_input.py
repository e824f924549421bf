"""What a plan's input is worth: every problem of the plan's fields, sub-goals and activities at
once, and the rows that may be stored. No writes (planning.services writes).

One judgement serves both ways a plan changes: the API's plan_create/plan_update refuse input
with any problem; the editor's draft save (plan_draft_save) stores the valid part and keeps the
rest as typed in the draft (issue 13: a draft never loses what the coordinator typed).
Problem keys are those of the API and the editor: "made_on", "subgoals[1].measure" (the index
counts the rows given, blank rows left out by the caller).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils import timezone

from config.errors import FieldErrors

from .models import ImplementationPlan, Partner, PlanActivity, Subgoal

# The plan's fields the editor shows; each can be typed wrong (assessment is chosen, not typed).
PLAN_TYPED_FIELDS = (
    "made_on", "long_term_goal", "areas_to_maintain", "areas_to_change", "participants",
    "participation_recorded", "person_views", "latest_follow_up_on", "follow_up_method",
)
SUBGOAL_FIELDS = ("description", "measure", "target", "target_date")
ACTIVITY_FIELDS = ("description", "how", "responsible", "partners", "starts_on", "ends_on")


class Row(NamedTuple):
    """One sub-goal or activity as given: `values` what could be read (a field the form could not
    read is missing), `typed` the text of every field, kept in the draft when the row is invalid."""

    values: dict
    typed: dict
    readable: bool = True


@dataclass
class Judgement:
    errors: FieldErrors
    invalid_fields: set[str] = field(default_factory=set)
    subgoals: list[Subgoal] = field(default_factory=list)
    activities: list[PlanActivity] = field(default_factory=list)
    draft_input: dict = field(default_factory=dict)


def _text(spec: dict, name: str) -> str:
    return str(spec.get(name) or "").strip()


def _judge_plan_fields(plan: ImplementationPlan, fields: dict, unreadable: set[str], errors: FieldErrors) -> None:
    """Apply the readable `fields` to `plan` (not saved) and report what is wrong with its fields."""
    for name, value in fields.items():
        setattr(plan, name, value)
    if "made_on" not in unreadable:
        if plan.made_on is None:
            errors.add("made_on", "Ange när planen upprättades.", "required")
        elif plan.made_on > timezone.localdate():
            errors.add("made_on", "Datumet får inte ligga i framtiden.", "in_future")
        elif plan.supersedes_id and plan.made_on < plan.supersedes.made_on:
            errors.add("made_on", "En ny version kan inte vara daterad före den plan den ersätter.", "before_previous")
    if ("latest_follow_up_on" not in unreadable and "made_on" not in errors and plan.made_on
            and plan.latest_follow_up_on and plan.latest_follow_up_on < plan.made_on):
        errors.add("latest_follow_up_on", "Uppföljningsdatumet ligger före planens datum.", "before_plan")
    if plan.assessment_id and plan.assessment.applicant_id != plan.applicant_id:
        errors.add("assessment", "Kartläggningen gäller en annan person.", "other_person")
    errors.clean(plan, exclude=["supersedes", "created_by", "signed_by", *unreadable])


def _subgoal(plan: ImplementationPlan, made_on: datetime.date | None, i: int, spec: dict,
             errors: FieldErrors) -> Subgoal:
    prefix = f"subgoals[{i}]."
    for name, label in (("description", "delmålet"), ("measure", "vad som mäts"), ("target", "målvärde")):
        if not _text(spec, name):
            errors.add(f"{prefix}{name}", f"Ange {label}: ett delmål ska vara mätbart.", "required")
    target_date = spec.get("target_date")
    if not target_date:
        errors.add(f"{prefix}target_date", "Ange när delmålet ska vara uppnått.", "required")
    elif made_on and target_date < made_on:
        errors.add(f"{prefix}target_date", "Måldatumet ligger före planens datum.", "before_plan")
    subgoal = Subgoal(plan=plan, position=i, description=_text(spec, "description"), measure=_text(spec, "measure"),
                      target=_text(spec, "target"), target_date=target_date)
    errors.clean(subgoal, prefix, exclude=["plan"])
    return subgoal


def _activity(plan: ImplementationPlan, i: int, spec: dict, subgoal_count: int, errors: FieldErrors) -> PlanActivity:
    prefix = f"activities[{i}]."
    if not _text(spec, "description"):
        errors.add(f"{prefix}description", "Beskriv aktiviteten.", "required")
    partners = list(spec.get("partners") or [])
    bad = [p for p in partners if p not in Partner.values]
    if bad:
        errors.add(f"{prefix}partners", f"Okänd samarbetspartner: {bad[0]!r}.", "unknown_code")
    index = spec.get("subgoal_index")
    if index is not None and not (0 <= index < subgoal_count):
        errors.add(f"{prefix}subgoal_index", "Delmålet finns inte i planen.", "not_found")
    activity = PlanActivity(
        plan=plan, position=i, description=_text(spec, "description"), how=_text(spec, "how"),
        responsible=_text(spec, "responsible"), partners=partners,
        starts_on=spec.get("starts_on"), ends_on=spec.get("ends_on"),
    )
    if activity.starts_on and activity.ends_on and activity.ends_on < activity.starts_on:
        errors.add(f"{prefix}ends_on", "Slutdatumet ligger före startdatumet.", "period_backwards")
    activity._subgoal_index = index
    errors.clean(activity, prefix, exclude=["plan", "subgoal"])
    return activity


def _failed(errors: FieldErrors, before: int) -> bool:
    return len(errors) > before


def judge(plan: ImplementationPlan, *, fields: dict, typed: dict | None = None,
          subgoals: list[Row] | None = None, activities: list[Row] | None = None) -> Judgement:
    """Every problem of the input at once. `fields` the plan's readable values, `typed` the text of
    every plan field typed (a field typed but not in `fields` could not be read); None for a list
    of rows leaves the plan's rows out of the judgement. `plan` gets the readable fields applied;
    a field with a problem is set back (made_on to its last valid date, the others to empty)."""
    typed = typed or {}
    unreadable = set(typed) - set(fields)
    errors = FieldErrors()
    made_on_before = plan.made_on
    _judge_plan_fields(plan, fields, unreadable, errors)
    out = Judgement(errors)
    out.invalid_fields = unreadable | {key for key in errors.errors if "[" not in key and key in PLAN_TYPED_FIELDS}
    for name in out.invalid_fields:
        model_field = plan._meta.get_field(name)
        setattr(plan, name, made_on_before if name == "made_on" else (None if model_field.null else ""))
    if out.invalid_fields:
        out.draft_input["plan"] = {name: typed.get(name, "") for name in sorted(out.invalid_fields)}
    made_on = plan.made_on

    kept_subgoals = {}
    for i, row in enumerate(subgoals or []):
        before = len(errors)
        subgoal = _subgoal(plan, made_on, i, row.values, errors)
        if row.readable and not _failed(errors, before):
            kept_subgoals[i] = subgoal
        else:
            out.draft_input.setdefault("subgoals", []).append({"position": i, **row.typed})
    out.subgoals = list(kept_subgoals.values())
    for i, row in enumerate(activities or []):
        before = len(errors)
        activity = _activity(plan, i, row.values, len(subgoals or []), errors)
        if row.readable and not _failed(errors, before):
            # A link to a sub-goal that waits in the draft with an error is dropped with it.
            activity.subgoal = kept_subgoals.get(activity._subgoal_index)
            out.activities.append(activity)
        else:
            out.draft_input.setdefault("activities", []).append({"position": i, **row.typed})
    return out


def rows_of(specs) -> list[Row]:
    """Rows given as plain dicts (the API, a new version): all readable, no text to keep."""
    return [Row(dict(spec), {}) for spec in specs]


def rows_for_editor(plan: ImplementationPlan, kind: str, stored: list[dict]) -> list[dict]:
    """The rows of the editor as the coordinator left them: the stored (valid) rows and the ones
    waiting in the draft with an error, in the order they were typed."""
    waiting = {row["position"]: {k: v for k, v in row.items() if k != "position"}
               for row in plan.draft_input.get(kind, [])}
    if not waiting:
        return stored
    total = len(stored) + len(waiting)
    stored_rows = iter(stored)
    return [waiting[i] if i in waiting else next(stored_rows, {}) for i in range(total)]

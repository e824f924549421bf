"""What the person is given: their plan and each follow-up, as a PDF in plain Swedish.

The plan is the person's too (made together with them), so the PDF is written to them ("ditt
mål"), names whom to ask and carries nothing meant only for staff (the checklist, the case number). The staff pages and the PDF read the plan's content the same way
(`plan_content`), so the page and the paper cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import Staff
from cases.selectors import open_assignments
from config.pdf import created_meta, write_pdf_a

from .models import FollowUp, ImplementationPlan, PlanActivity, Subgoal


@dataclass(frozen=True)
class ActivityRow:
    activity: PlanActivity
    subgoal_number: int | None  # the sub-goal it serves, as numbered in the plan (1, 2 ...)
    subgoal: Subgoal | None
    partner_names: list[str]


@dataclass(frozen=True)
class PlanContent:
    subgoals: list[Subgoal]
    activities: list[ActivityRow]


def plan_content(plan: ImplementationPlan) -> PlanContent:
    """The plan's sub-goals in order and its activities with the sub-goal each serves (by number)
    and its partners by name; from the prefetched rows, no query per row."""
    subgoals = list(plan.subgoals.all())
    numbers = {s.pk: (i, s) for i, s in enumerate(subgoals, start=1)}
    rows = []
    for a in plan.activities.all():
        number, subgoal = numbers.get(a.subgoal_id, (None, None))
        rows.append(ActivityRow(a, number, subgoal, a.partner_names))
    return PlanContent(subgoals, rows)


def contact_for(plan: ImplementationPlan) -> Staff:
    """Whom the person asks about the plan: their coordinator now, or, when they have none any
    more, the coordinator who made the plan."""
    assignment = (
        open_assignments().filter(applicant_id=plan.applicant_id).select_related("coordinator__unit")
        .order_by("-start_date", "-pk").first()
    )
    if assignment is not None:
        return assignment.coordinator
    return Staff.objects.select_related("unit").get(pk=plan.created_by_id)


def plan_pdf(plan: ImplementationPlan) -> bytes:
    return write_pdf_a(render_to_string("planning/documents/plan.html", {
        "plan": plan, "person": plan.applicant, "content": plan_content(plan), "contact": contact_for(plan),
        "printed_on": timezone.localdate(), "created": created_meta(),
    }))


def follow_up_pdf(follow_up: FollowUp) -> bytes:
    plan = follow_up.plan
    return write_pdf_a(render_to_string("planning/documents/follow_up.html", {
        "follow_up": follow_up, "plan": plan, "person": plan.applicant, "progress": list(follow_up.progress.all()),
        "contact": contact_for(plan), "printed_on": timezone.localdate(), "created": created_meta(),
    }))


def plan_file_name(plan: ImplementationPlan) -> str:
    # No name or personnummer in a file name: it ends up in download folders and mail subjects.
    return f"genomforandeplan-version-{plan.version}.pdf"


FOLLOW_UP_FILE_NAME = "uppfoljning.pdf"

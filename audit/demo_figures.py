"""Figures that say whether the demo municipality is believable (issue 13).

Read by bench/demo_figures.py (which prints them) and by the demo's property tests. Lives in
audit's control layer because it reads every app. Each figure is one or a few set-based queries.

FLOWS names every state field of a flow a user walks through; the states expected are the
field's own choices, so a state added to a model is missing from the demo until a builder makes it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from audit.control.models import (
    LIVE_FLAG_STATUSES,
    ChecklistAnswer,
    ControlSample,
    CorrectiveAction,
    Flag,
    FlagStatus,
    RuleRun,
    Severity,
)
from cases.finance_models import Application, Decision, DecisionExecutionEvent
from cases.models import Case, CaseStatus, CoordinatorAssignment, HouseholdMember, MemberRole, Role
from insatser.models import Exemption, Insats, InsatsDecision, Participation, ParticipationStatus, Referral
from planning.models import FollowUp, ImplementationPlan, PlanStatus, SubgoalProgress

# (model, state field): every flow whose states the demo must show at least once.
FLOWS = [
    (Case, "status"),
    (Case, "closing_reason"),
    (Case, "opening_way"),
    (Application, "status"),
    (Decision, "outcome"),
    (Decision, "item_kind"),
    (DecisionExecutionEvent, "kind"),
    (ImplementationPlan, "status"),
    (FollowUp, "method"),
    (SubgoalProgress, "status"),
    (InsatsDecision, "kind"),
    (Referral, "status"),
    (Participation, "status"),
    (Participation, "closing_reason"),
    (Exemption, "reason"),
    (Flag, "status"),
    (CorrectiveAction, "status"),
    (ControlSample, "population"),
    (ChecklistAnswer, "answer"),
]
# Not a flow: what a sampled item's plan was (ControlSampleItem.plan_state) depends on who is drawn.


def expected_states(model, field: str) -> set[str]:
    return {str(value) for value, _label in model._meta.get_field(field).choices if value != ""}


def states_missing() -> dict[str, set[str]]:
    """Per flow ("Model.field"), the states of its choices no demo row has (empty: all present)."""
    missing = {}
    for model, field in FLOWS:
        present = {str(v) for v in model.objects.values_list(field, flat=True).distinct()}
        missing[f"{model.__name__}.{field}"] = expected_states(model, field) - present
    return missing


def derived_states_missing(today: datetime.date) -> set[str]:
    """States that are not a field's value: a plan that ended, an insats decision that ended, a
    closing waiting for the caseworker and one confirmed."""
    checks = {
        "plan superseded": ImplementationPlan.objects.filter(supersedes__isnull=False).exists(),
        "plan expired": ImplementationPlan.objects.filter(status=PlanStatus.SIGNED, valid_until__lt=today).exists(),
        "insats decision ended": InsatsDecision.objects.filter(ended_on__isnull=False).exists(),
        "closing unconfirmed": Participation.objects.filter(closing__confirmed_at__isnull=True).exists(),
        "closing confirmed": Participation.objects.filter(closing__confirmed_at__isnull=False).exists(),
        "action followed up": CorrectiveAction.objects.filter(followed_up_on__isnull=False).exists(),
        "flag escalated": Flag.objects.filter(escalated_at__isnull=False).exists(),
    }
    return {name for name, present in checks.items() if not present}


def coordinator_persons(today: datetime.date):
    """Ids of the persons a coordinator has today (the caseload pages)."""
    return set(
        CoordinatorAssignment.objects.filter(coordinator__role=Role.COORDINATOR, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("applicant_id", flat=True)
    )


def open_case_adults():
    """Ids of the adults of a case that is not closed."""
    return set(
        HouseholdMember.objects.filter(applicant__isnull=False, valid_to__isnull=True)
        .exclude(role=MemberRole.CHILD)
        .filter(Exists(Case.objects.filter(household_id=OuterRef("household_id")).exclude(status=CaseStatus.CLOSED)))
        .values_list("applicant_id", flat=True)
    )


def high_flag_persons() -> set[int]:
    return set(
        Flag.objects.filter(status__in=LIVE_FLAG_STATUSES, rule__severity=Severity.HIGH, person__isnull=False)
        .values_list("person_id", flat=True)
    )


def flagged_share(persons: set[int], flagged: set[int]) -> float:
    return round(len(persons & flagged) / len(persons), 3) if persons else 0.0


def most_places_taken(today: datetime.date) -> dict[str, tuple[int, int, int]]:
    """Per insats: (capacity, active places now, most places taken on any one day). A place is
    taken from the start until the end date; an active participation holds it until it closes."""
    far = today + datetime.timedelta(days=3650)
    events = defaultdict(list)
    active = defaultdict(int)
    for insats_id, start, end, status in Participation.objects.values_list("insats_id", "start_date", "end_date", "status"):
        last = far if status == ParticipationStatus.ACTIVE else end
        events[insats_id] += [(start, 1), (last + datetime.timedelta(days=1), -1)]
        active[insats_id] += status == ParticipationStatus.ACTIVE
    result = {}
    for insats in Insats.objects.order_by("name"):
        taken = peak = 0
        for _day, change in sorted(events[insats.pk], key=lambda e: (e[0], e[1])):
            taken += change
            peak = max(peak, taken)
        result[insats.name] = (insats.capacity, active[insats.pk], peak)
    return result


def _span(qs, field: str) -> tuple[datetime.date | None, datetime.date | None]:
    row = qs.aggregate(first=Min(field), last=Max(field))
    return row["first"], row["last"]


def date_spans() -> dict[str, tuple]:
    return {
        "case opened": _span(Case.objects, "opened_on"),
        "application month": _span(Application.objects, "month"),
        "decision (ekonomiskt bistånd)": _span(Decision.objects, "decided_on"),
        "insats decision": _span(InsatsDecision.objects, "decided_on"),
        "plan made": _span(ImplementationPlan.objects, "made_on"),
        "follow-up": _span(FollowUp.objects, "followed_up_on"),
        "participation start": _span(Participation.objects, "start_date"),
        "flag first seen": _span(Flag.objects, "first_seen"),
        "flag resolved": _span(Flag.objects.filter(status=FlagStatus.RESOLVED), "resolved_on"),
        "rule run": _span(RuleRun.objects, "as_of"),
    }


def months_with(qs, field: str) -> set[tuple[int, int]]:
    return {(d.year, d.month) for d in qs.values_list(field, flat=True)}


def flag_age_days(today: datetime.date) -> tuple[int, int]:
    """The youngest and oldest live flag, in days open."""
    first, last = _span(Flag.objects.filter(status__in=LIVE_FLAG_STATUSES), "first_seen")
    return ((today - last).days if last else 0, (today - first).days if first else 0)


def collect(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    flagged = high_flag_persons()
    coordinated, adults = coordinator_persons(today), open_case_adults()
    return {
        "coordinator persons": len(coordinated),
        "share of coordinator persons with a high flag": flagged_share(coordinated, flagged),
        "adults of open cases": len(adults),
        "share of adults of open cases with a high flag": flagged_share(adults, flagged),
        "live flags by severity": {
            Severity(s).label: n for s in Severity.values
            if (n := Flag.objects.filter(status__in=LIVE_FLAG_STATUSES, rule__severity=s).count())
        },
        "live flag age in days (youngest, oldest)": flag_age_days(today),
        "places per insats (capacity, active, most on one day)": most_places_taken(today),
        "date spans": date_spans(),
        "states missing per flow": {k: sorted(v) for k, v in states_missing().items() if v},
        "derived states missing": sorted(derived_states_missing(today)),
    }

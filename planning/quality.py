"""Plan quality: the auditors' checkpoints and the coordinator unit's five control questions.

One definition, two uses. `annotate_quality(queryset, on=...)` adds the facts and a boolean per
question to any queryset of plans, in the same single query (egenkontroll filters on
`qc_<code>=False`); `evaluate(plan)` / `answers_for(row)` turn those facts into answers with a
Swedish reason each, for the API, for signing, and for the controls' reports.

Sources: the auditors' sample checkpoints, seed 004:864-933 (DOMAIN.md section 4); the five
control questions, seed 004:583-598; what a plan must hold, seed 004:527-537 (DOMAIN.md 2.4).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import norms
from .models import FollowUp, ImplementationPlan, PlanActivity, PlanStatus, Subgoal

YES, NO, NOT_APPLICABLE = "yes", "no", "not_applicable"

# (code, question as the auditors asked it, field a failed answer points at)
CHECKPOINTS = [
    ("time_bound", "Är planen tidsatt?", "made_on"),
    ("follow_up_date", "Finns planerat uppföljningsdatum?", "latest_follow_up_on"),
    ("responsible_named", "Framgår ansvarig?", "activities.responsible"),
    ("participation_recorded", "Framgår om sökande varit delaktig?", "participation_recorded"),
    ("long_term_goal", "Framgår långsiktigt mål?", "long_term_goal"),
    ("sub_goals", "Framgår delmål/kortsiktiga mål?", "subgoals"),
    ("activities", "Framgår aktiviteter?", "activities"),
    ("followed_up_within_6_months", "Har uppföljning genomförts inom 6 mån?", "follow_ups"),
]
CONTROL_QUESTIONS = [
    ("plan_made", "Har genomförandeplan upprättats?", "status"),
    ("person_took_part", "Har den enskilde varit delaktig i arbetet med upprättandet av genomförandeplanen?",
     "participation_recorded"),
    ("goals_stated", "Framgår av genomförandeplanen vilket eller vilka mål som gäller för insatsen?",
     "long_term_goal"),
    ("how_carried_out", "Framgår av genomförandeplanen hur insatsen ska genomföras?", "activities.how"),
    ("follow_up_stated", "Framgår av genomförandeplanen när och hur uppföljning ska göras?", "follow_up_method"),
]
CHECKPOINT_CODES = [c for c, _, _ in CHECKPOINTS]


def _count(model, **filters):
    rows = model.objects.filter(plan_id=OuterRef("pk"), **filters).order_by().values("plan_id")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), Value(0))


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def annotate_quality(queryset: QuerySet[ImplementationPlan], *, on: datetime.date | None = None) -> QuerySet:
    """Add the facts (q_*) and one boolean per question (qc_* / cq_*). Adds no query per row.

    The follow-up check is judged against the plan's own validity (6 months by the norm in force
    when it was signed, seed 004:524 and 004:620-623); before that date it is "not applicable".
    """
    on = on or timezone.localdate()
    in_time = FollowUp.objects.filter(plan_id=OuterRef("pk"), followed_up_on__lte=OuterRef("valid_until"))
    qs = queryset.annotate(
        q_subgoals=_count(Subgoal),
        q_activities=_count(PlanActivity),
        q_activities_without_responsible=_count(PlanActivity, responsible=""),
        q_activities_without_how=_count(PlanActivity, how=""),
        q_followed_up_in_time=Exists(in_time),
        q_follow_up_due=_flag(Q(status=PlanStatus.SIGNED, valid_until__lt=on)),
    )
    has_activities = Q(q_activities__gt=0)
    return qs.annotate(
        qc_time_bound=_flag(Q(made_on__isnull=False)),
        qc_follow_up_date=_flag(Q(latest_follow_up_on__isnull=False)),
        qc_responsible_named=_flag(has_activities & Q(q_activities_without_responsible=0)),
        qc_participation_recorded=_flag(Q(participation_recorded__isnull=False)),
        qc_long_term_goal=_flag(~Q(long_term_goal="")),
        qc_sub_goals=_flag(Q(q_subgoals__gt=0)),
        qc_activities=_flag(has_activities),
        qc_followed_up_within_6_months=_flag(Q(q_followed_up_in_time=True)),
        cq_plan_made=_flag(Q(status=PlanStatus.SIGNED)),
        cq_person_took_part=_flag(Q(participation_recorded=True)),
        cq_goals_stated=_flag(~Q(long_term_goal="") | Q(q_subgoals__gt=0)),
        cq_how_carried_out=_flag(has_activities & Q(q_activities_without_how=0)),
        cq_follow_up_stated=_flag(Q(latest_follow_up_on__isnull=False) & ~Q(follow_up_method="")),
    )


@dataclass(frozen=True)
class Answer:
    code: str
    question: str
    answer: str  # yes / no / not_applicable
    reason: str
    field: str

    @property
    def passed(self) -> bool:
        return self.answer != NO


@dataclass(frozen=True)
class PlanQuality:
    plan_id: int
    checkpoints: list[Answer] = field(default_factory=list)
    control_questions: list[Answer] = field(default_factory=list)

    def missing(self, required: frozenset[str] | None = None) -> list[Answer]:
        """The required checkpoints this plan fails (required: from planning.norms by default)."""
        required = norms.required_checkpoints() if required is None else required
        return [a for a in self.checkpoints if a.code in required and not a.passed]


def _yn(ok) -> str:
    return YES if ok else NO


def _activities_reason(row, missing_attr: str, what: str) -> str:
    if not row.q_activities:
        return "Planen har inga aktiviteter."
    missing = getattr(row, missing_attr)
    if missing:
        return f"{missing} av {row.q_activities} aktiviteter saknar {what}."
    return f"Alla {row.q_activities} aktiviteter anger {what}."


def _checkpoint_reasons(row) -> dict[str, tuple[str, str]]:
    participation = {
        True: "Det framgår att den enskilde deltog.",
        False: "Det framgår att den enskilde inte deltog.",
        None: "Det framgår inte om den enskilde varit delaktig.",
    }[row.participation_recorded]
    if row.q_followed_up_in_time:
        followed = (YES, f"Uppföljning gjord senast {row.valid_until:%Y-%m-%d} (planens giltighetstid).")
    elif row.q_follow_up_due:
        followed = (NO, f"Ingen uppföljning gjord under planens giltighetstid (till {row.valid_until:%Y-%m-%d}).")
    elif row.status != PlanStatus.SIGNED:
        followed = (NOT_APPLICABLE, "Planen är inte fastställd; uppföljning är inte aktuell ännu.")
    else:
        followed = (NOT_APPLICABLE, f"Ej aktuellt ännu: giltighetstiden löper till {row.valid_until:%Y-%m-%d}.")
    period = (
        f"Upprättad {row.made_on:%Y-%m-%d}, giltig till {row.valid_until:%Y-%m-%d}."
        if row.valid_until
        else f"Upprättad {row.made_on:%Y-%m-%d}; giltighetstiden sätts när planen fastställs."
    )
    return {
        "time_bound": (_yn(row.qc_time_bound), period),
        "follow_up_date": (
            _yn(row.qc_follow_up_date),
            f"Följs upp senast {row.latest_follow_up_on:%Y-%m-%d}." if row.latest_follow_up_on
            else "Datum för senaste uppföljning saknas.",
        ),
        "responsible_named": (
            _yn(row.qc_responsible_named), _activities_reason(row, "q_activities_without_responsible", "ansvarig")
        ),
        "participation_recorded": (_yn(row.qc_participation_recorded), participation),
        "long_term_goal": (
            _yn(row.qc_long_term_goal),
            "Långsiktigt mål anges." if row.qc_long_term_goal else "Långsiktigt mål saknas.",
        ),
        "sub_goals": (
            _yn(row.qc_sub_goals),
            f"{row.q_subgoals} mätbara delmål med målvärde och datum." if row.q_subgoals else "Delmål saknas.",
        ),
        "activities": (
            _yn(row.qc_activities),
            f"{row.q_activities} aktiviteter." if row.q_activities else "Planen har inga aktiviteter.",
        ),
        "followed_up_within_6_months": followed,
    }


def _control_reasons(row) -> dict[str, tuple[str, str]]:
    goals = []
    if row.qc_long_term_goal:
        goals.append("långsiktigt mål")
    if row.q_subgoals:
        goals.append(f"{row.q_subgoals} delmål")
    follow_up = []
    if not row.latest_follow_up_on:
        follow_up.append("när (datum saknas)")
    if not row.follow_up_method:
        follow_up.append("hur (form saknas)")
    return {
        "plan_made": (
            _yn(row.cq_plan_made),
            "Planen är fastställd." if row.cq_plan_made else "Planen är ett utkast och inte fastställd.",
        ),
        "person_took_part": (
            _yn(row.cq_person_took_part),
            {True: "Den enskilde deltog.", False: "Den enskilde deltog inte.",
             None: "Det framgår inte om den enskilde deltog."}[row.participation_recorded],
        ),
        "goals_stated": (
            _yn(row.cq_goals_stated),
            ("Anger " + " och ".join(goals) + ".") if goals else "Varken långsiktigt mål eller delmål anges.",
        ),
        "how_carried_out": (
            _yn(row.cq_how_carried_out), _activities_reason(row, "q_activities_without_how", "hur den genomförs")
        ),
        "follow_up_stated": (
            _yn(row.cq_follow_up_stated),
            "Anger när och hur planen följs upp." if not follow_up else "Saknar " + " och ".join(follow_up) + ".",
        ),
    }


def answers_for(row) -> PlanQuality:
    """Answers for a plan fetched through `annotate_quality` (no query)."""
    cp = _checkpoint_reasons(row)
    cq = _control_reasons(row)
    return PlanQuality(
        plan_id=row.pk,
        checkpoints=[Answer(code, q, *cp[code], field=f) for code, q, f in CHECKPOINTS],
        control_questions=[Answer(code, q, *cq[code], field=f) for code, q, f in CONTROL_QUESTIONS],
    )


def evaluate(plan: ImplementationPlan, *, on: datetime.date | None = None) -> PlanQuality:
    """Evaluate one plan as stored (one query)."""
    row = annotate_quality(ImplementationPlan.objects.filter(pk=plan.pk), on=on).get()
    return answers_for(row)

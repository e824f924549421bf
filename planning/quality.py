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
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils import timezone

from cases.expressions import AddMonths, fenced
from cases.models import CoordinatorAssignment
from config.swedish import count

from . import norms
from .models import FollowUp, ImplementationPlan, PlanActivity, PlanStatus, Subgoal

YES, NO, NOT_APPLICABLE = "yes", "no", "not_applicable"
# The answers as a person reads them (the API's choices; audit's ChecklistValue has the same).
ANSWER_CHOICES = [(YES, "Ja"), (NO, "Nej"), (NOT_APPLICABLE, "Ej aktuellt")]

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


def _answer(yes: Q, not_applicable: Q | None = None) -> Case:
    whens = [When(not_applicable, then=Value(NOT_APPLICABLE))] if not_applicable is not None else []
    return Case(*whens, When(yes, then=Value(YES)), default=Value(NO), output_field=CharField())


# The plan's state on the day asked: as stored, and superseded once a later signed version made by
# then replaces it. (Not the signing time: a plan brought over from an earlier system was signed
# there, on a day this system may not know.)
DRAFT, SIGNED, SUPERSEDED = "draft", "signed", "superseded"


def annotate_facts(queryset: QuerySet[ImplementationPlan], *, on: datetime.date, joined: bool = False) -> QuerySet:
    """Add the facts every answer is judged from (q_*). By default the counts and firsts are one
    subquery per plan and fact, right for a plan or a page of plans. `joined` reads them from
    PlanFacts instead (a stored row per plan on PostgreSQL, a view grouping each table once on
    SQLite: planning/plan_facts.py): right for counting over many plans. The same facts either way
    (tests/planning/test_count_answers.py)."""
    window_end = Coalesce("valid_until", AddMonths("made_on", norms.norm("plan_validity_months")))
    common = {
        "q_window_end": window_end,
        "q_case_closed_on": Case(When(case__closed_on__lte=on, then=F("case__closed_on")), default=None,
                                 output_field=DateField()),
    }
    last_assignment = CoordinatorAssignment.objects.filter(
        applicant_id=OuterRef("applicant_id"), start_date__lte=on
    ).order_by(F("end_date").desc(nulls_first=True))
    left_target_on = Subquery(last_assignment.values("end_date")[:1], output_field=DateField())
    if joined:
        # The person's last assignment as the facts keep it, when every assignment had started by
        # `on`; only for a day before the last one started is the subquery asked (a subquery per
        # plan runs in one PostgreSQL process only: a million times for a year's plans).
        common["q_left_target_on"] = Case(
            When(facts__assignments_last_start__isnull=True, then=None),
            When(facts__assignments_last_start__lte=on, then=F("facts__assignments_last_end")),
            default=left_target_on, output_field=DateField(),
        )
        successor = "facts__first_signed_successor_on"
        first = "facts__first_follow_up_on"
        counted = {
            "q_subgoals": F("facts__subgoals"),
            "q_activities": F("facts__activities"),
            "q_activities_without_responsible": F("facts__activities_without_responsible"),
            "q_activities_without_how": F("facts__activities_without_how"),
            # The first signed successor, if made by `on` (a later one is later still).
            "q_superseded_on": Case(When(**{f"{successor}__lte": on}, then=F(successor)), default=None,
                                    output_field=DateField()),
        }
        # A follow-up within the six months and by `on` exists if the first one is.
        in_time = Case(When(Q(**{f"{first}__lte": F("q_window_end")}) & Q(**{f"{first}__lte": on}), then=Value(True)),
                       default=Value(False), output_field=BooleanField())
    else:
        common["q_left_target_on"] = left_target_on
        replaced = ImplementationPlan.objects.filter(
            supersedes_id=OuterRef("pk"), status=PlanStatus.SIGNED, made_on__lte=on
        ).order_by("made_on")
        counted = {
            "q_subgoals": _count(Subgoal),
            "q_activities": _count(PlanActivity),
            "q_activities_without_responsible": _count(PlanActivity, responsible=""),
            "q_activities_without_how": _count(PlanActivity, how=""),
            "q_superseded_on": Subquery(replaced.values("made_on")[:1]),
        }
        in_time = Exists(FollowUp.objects.filter(
            plan_id=OuterRef("pk"), followed_up_on__lte=OuterRef("q_window_end")).filter(followed_up_on__lte=on))
    return queryset.annotate(**counted, **common).annotate(q_followed_up_in_time=in_time)


# The plan's state over the facts (draft: neither of these).
STATES = {
    SUPERSEDED: Q(q_superseded_on__isnull=False),
    SIGNED: Q(q_superseded_on__isnull=True, status=PlanStatus.SIGNED),
}


def _state() -> Case:
    return Case(*(When(q, then=Value(state)) for state, q in STATES.items()), default=Value(DRAFT),
                output_field=CharField())


def _causes(on: datetime.date) -> dict[str, Q]:
    """Why "followed up within 6 months" may not apply (each a fact, so the reason can be given)."""
    return {
        "q_na_case_closed": Q(q_case_closed_on__lt=F("q_window_end")),
        "q_na_left_target": Q(q_left_target_on__lt=F("q_window_end")) & Q(q_left_target_on__lt=on),
        "q_na_superseded": Q(q_superseded_on__lt=F("q_window_end")),
        "q_na_running": Q(q_window_end__gte=on),
    }


def _conditions(on: datetime.date) -> dict[str, tuple[Q, Q | None]]:
    """Per question (qc_* / cq_*): when the answer is yes, and when it is not applicable (None:
    never), written over the facts alone, so they read the facts' columns wherever they are."""
    causes = Q()
    for q in _causes(on).values():
        causes |= q
    has_activities = Q(q_activities__gt=0)
    yes = {
        "qc_time_bound": Q(made_on__isnull=False),
        "qc_follow_up_date": Q(latest_follow_up_on__isnull=False),
        "qc_responsible_named": has_activities & Q(q_activities_without_responsible=0),
        "qc_participation_recorded": Q(participation_recorded__isnull=False),
        "qc_long_term_goal": ~Q(long_term_goal=""),
        "qc_sub_goals": Q(q_subgoals__gt=0),
        "qc_activities": has_activities,
        "qc_followed_up_within_6_months": Q(q_followed_up_in_time=True),
        "cq_plan_made": STATES[SUPERSEDED] | STATES[SIGNED],
        "cq_person_took_part": Q(participation_recorded=True),
        "cq_goals_stated": ~Q(long_term_goal="") | Q(q_subgoals__gt=0),
        "cq_how_carried_out": has_activities & Q(q_activities_without_how=0),
        "cq_follow_up_stated": Q(latest_follow_up_on__isnull=False) & ~Q(follow_up_method=""),
    }
    not_applicable = {"qc_followed_up_within_6_months": ~Q(q_followed_up_in_time=True) & causes}
    return {name: (q, not_applicable.get(name)) for name, q in yes.items()}


def annotate_quality(queryset: QuerySet[ImplementationPlan], *, on: datetime.date | None = None) -> QuerySet:
    """Add the facts (q_*), one answer per question (qa_*: yes / no / not_applicable) and one
    boolean "yes" per question (qc_* / cq_*). Adds no query per row. Every plan is judged as it
    is, whatever its state (draft, signed, superseded on `on`, brought over from an earlier system)
    and whatever the municipality lets block signing.

    "Followed up within 6 months" is judged over the plan's own six months (its validity, fixed
    when signed; for a plan never signed, six months from the day it was made by the norm now):
    yes if a follow-up was made within them (by `on`); not applicable, with the reason, while they
    run, or when before their end the case closed, the person left the target group (their last
    coordinator assignment ended) or a later signed version replaced the plan; otherwise no.

    For counting answers over many plans, count_answers reads the same facts once per plan.
    """
    on = on or timezone.localdate()
    qs = annotate_facts(queryset, on=on).annotate(
        q_state=_state(), **{name: _flag(q) for name, q in _causes(on).items()}
    )
    conditions = _conditions(on)
    return qs.annotate(
        **{name: _flag(yes) for name, (yes, _) in conditions.items()},
        **{"qa_" + name[3:]: _answer(yes, na) for name, (yes, na) in conditions.items()},
    )


def count_answers(queryset: QuerySet[ImplementationPlan], *, on: datetime.date) -> dict[str, int]:
    """How many plans of `queryset` answer yes, no and not applicable to each question
    (n_<code>_<answer>), and how many there are in each state (plans, plans_<state>): the answers
    of annotate_quality, in one query. The facts are a fenced subquery's columns, so each
    subquery runs once per plan (as annotations, each answer would copy the subqueries it reads),
    and the counted facts come from PlanFacts."""
    exprs = {"plans": Count("pk"),
             **{f"plans_{state}": Count("pk", filter=Exact(_state(), Value(state))) for state in (SIGNED, DRAFT, SUPERSEDED)}}
    for name, (yes, na) in _conditions(on).items():
        answer = _answer(yes, na)
        for value in (YES, NO, NOT_APPLICABLE):
            exprs[f"n_{name[3:]}_{value}"] = Count("pk", filter=Exact(answer, Value(value)))
    return fenced(annotate_facts(queryset, on=on, joined=True)).aggregate(**exprs)


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
        """The checkpoints that block signing which this plan fails (default: blocking_checkpoints())."""
        required = blocking_checkpoints() if required is None else required
        return [a for a in self.checkpoints if a.code in required and not a.passed]

    def warnings(self, required: frozenset[str] | None = None) -> list[Answer]:
        """The checkpoints this plan fails that only warn at signing."""
        required = blocking_checkpoints() if required is None else required
        return [a for a in self.checkpoints if a.code not in required and not a.passed]


def blocking_checkpoints() -> frozenset[str]:
    """The checkpoints a failed answer to which blocks signing: the municipality's choice per
    checkpoint (CheckpointPolicy), else planning.norms' "required_checkpoints". One query.
    Signing only: measurement (annotate_quality, reports, samples, rules) never reads it."""
    from .models import CheckpointPolicy, SigningRule

    default = norms.required_checkpoints()
    chosen = dict(CheckpointPolicy.objects.exclude(rule="").values_list("code", "rule"))
    return frozenset(
        code for code in CHECKPOINT_CODES
        if chosen.get(code, SigningRule.BLOCK if code in default else SigningRule.WARN) == SigningRule.BLOCK
    )


def _activities_reason(row, missing_attr: str, what: str) -> str:
    if not row.q_activities:
        return "Planen har inga aktiviteter."
    missing = getattr(row, missing_attr)
    if missing:
        return f"{missing} av {count(row.q_activities, 'aktivitet', 'aktiviteter')} saknar {what}."
    if row.q_activities == 1:
        return f"Aktiviteten anger {what}."
    return f"Alla {row.q_activities} aktiviteter anger {what}."


def _follow_up_reason(row) -> str:
    end = f"{row.q_window_end:%Y-%m-%d}"
    if row.q_followed_up_in_time:
        return f"Uppföljning gjord inom planens giltighetstid (till {end})."
    if row.qa_followed_up_within_6_months == NOT_APPLICABLE:
        if row.q_na_case_closed:
            return f"Ej aktuellt: ärendet avslutades {row.q_case_closed_on:%Y-%m-%d}, före giltighetstidens slut ({end})."
        if row.q_na_left_target:
            return (f"Ej aktuellt: personens uppdrag hos koordinator avslutades {row.q_left_target_on:%Y-%m-%d}, "
                    f"före giltighetstidens slut ({end}).")
        if row.q_na_superseded:
            return (f"Ej aktuellt: planen ersattes av en ny version {row.q_superseded_on:%Y-%m-%d}, "
                    f"före giltighetstidens slut ({end}).")
        return f"Ej aktuellt ännu: giltighetstiden löper till {end}."
    never_signed = " Planen fastställdes aldrig." if row.q_state == DRAFT else ""
    return f"Ingen uppföljning gjord under planens giltighetstid (till {end}).{never_signed}"


def _checkpoint_reasons(row) -> dict[str, str]:
    participation = {
        True: "Det framgår att den enskilde deltog.",
        False: "Det framgår att den enskilde inte deltog.",
        None: "Det framgår inte om den enskilde varit delaktig.",
    }[row.participation_recorded]
    period = (
        f"Upprättad {row.made_on:%Y-%m-%d}, giltig till {row.valid_until:%Y-%m-%d}."
        if row.valid_until
        else f"Upprättad {row.made_on:%Y-%m-%d}; giltighetstiden sätts när planen fastställs."
    )
    return {
        "time_bound": period,
        "follow_up_date": (
            f"Följs upp senast {row.latest_follow_up_on:%Y-%m-%d}." if row.latest_follow_up_on
            else "Datum för senaste uppföljning saknas."
        ),
        "responsible_named": _activities_reason(row, "q_activities_without_responsible", "ansvarig"),
        "participation_recorded": participation,
        "long_term_goal": "Långsiktigt mål anges." if row.qc_long_term_goal else "Långsiktigt mål saknas.",
        "sub_goals": (
            f"{count(row.q_subgoals, 'mätbart delmål', 'mätbara delmål')} med målvärde och datum." if row.q_subgoals
            else "Delmål saknas."
        ),
        "activities": f"{count(row.q_activities, 'aktivitet', 'aktiviteter')}." if row.q_activities
        else "Planen har inga aktiviteter.",
        "followed_up_within_6_months": _follow_up_reason(row),
    }


def _control_reasons(row) -> dict[str, str]:
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
    plan_made = {
        SIGNED: "Planen är fastställd.",
        SUPERSEDED: "Planen är fastställd och sedan ersatt av en ny version.",
        DRAFT: "Planen är ett utkast och inte fastställd.",
    }[row.q_state]
    return {
        "plan_made": plan_made,
        "person_took_part": {True: "Den enskilde deltog.", False: "Den enskilde deltog inte.",
                             None: "Det framgår inte om den enskilde deltog."}[row.participation_recorded],
        "goals_stated": ("Anger " + " och ".join(goals) + ".") if goals else "Varken långsiktigt mål eller delmål anges.",
        "how_carried_out": _activities_reason(row, "q_activities_without_how", "hur den genomförs"),
        "follow_up_stated": (
            "Anger när och hur planen följs upp." if not follow_up else "Saknar " + " och ".join(follow_up) + "."
        ),
    }


def answers_for(row) -> PlanQuality:
    """Answers for a plan fetched through `annotate_quality` (no query)."""
    cp = _checkpoint_reasons(row)
    cq = _control_reasons(row)
    return PlanQuality(
        plan_id=row.pk,
        checkpoints=[Answer(code, q, getattr(row, f"qa_{code}"), cp[code], field=f) for code, q, f in CHECKPOINTS],
        control_questions=[
            Answer(code, q, getattr(row, f"qa_{code}"), cq[code], field=f) for code, q, f in CONTROL_QUESTIONS
        ],
    )


def evaluate(plan: ImplementationPlan, *, on: datetime.date | None = None) -> PlanQuality:
    """Evaluate one plan as stored (one query)."""
    row = annotate_quality(ImplementationPlan.objects.filter(pk=plan.pk), on=on).get()
    return answers_for(row)

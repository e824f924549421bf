"""The control sample's checklist: the unit's five questions and the auditors' checkpoints.

DOMAIN.md 4: the coordinator unit's own control asks five questions (004:583-605); the auditors
checked plans against eight checkpoints (004:864-933). The questions and how they are judged
are the planning app's plan-quality function (planning.quality), so a sample, a flag and the
plan screen never disagree; here they are only listed and used to prefill the answers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import Count, Q, Value, When

from planning.models import ImplementationPlan, PlanStatus
from planning.quality import (
    CHECKPOINTS,
    CONTROL_QUESTIONS,
    DRAFT,
    NO,
    NOT_APPLICABLE,
    YES,
    annotate_quality,
    answers_for,
)


@dataclass(frozen=True)
class Question:
    code: str
    text: str


QUESTIONS: tuple[Question, ...] = (
    *(Question(code, text) for code, text, _ in CONTROL_QUESTIONS),
    *(Question(code, text) for code, text, _ in CHECKPOINTS),
)
QUESTION_CODES = tuple(q.code for q in QUESTIONS)


def _counts_as(value: str) -> Q:
    """The answer that counts is the reviewer's, else the prefilled one."""
    return Q(answer=value) | Q(answer="", prefilled=value)


def value_counts() -> dict[str, Count]:
    """Count annotations over ChecklistAnswer rows: yes, no and not applicable counted separately
    (as the auditors report them), those neither the data nor a reviewer answered, the reviewed."""
    return {
        "yes": Count("pk", filter=_counts_as(YES)),
        "no": Count("pk", filter=_counts_as(NO)),
        "not_applicable": Count("pk", filter=_counts_as(NOT_APPLICABLE)),
        "unknown": Count("pk", filter=Q(answer="", prefilled="")),
        "reviewed": Count("pk", filter=~Q(answer="")),
        "total": Count("pk"),
    }


# What the prefill found for a sampled person, kept on the sample item so the sample can say
# how many of its persons had a signed plan, only a draft, or no plan at all.
PLAN_SIGNED, PLAN_DRAFT, PLAN_NONE = "signed", "draft", "none"

NO_PLAN_REASON = "Ingen genomförandeplan fanns för personen per {day:%Y-%m-%d}."


@dataclass(frozen=True)
class Judged:
    """One person's prefilled checklist: the plan judged (None: no plan) and, per question,
    planning.quality's answer (yes / no / not_applicable) with its reason."""

    plan_id: int | None
    answers: dict[str, tuple[str, str]]
    plan_state: str = PLAN_NONE


def _plans_as_of(person_ids: list[int], as_of: datetime.date):
    """Every plan version of the persons made on or before `as_of`, whatever its state, in the
    order a reviewer would take them: the newest signed version first (a draft of the next
    version does not hide the plan in force), then the newest draft."""
    plans = ImplementationPlan.objects.filter(applicant_id__in=person_ids, made_on__lte=as_of)
    signed_first = DbCase(When(status=PlanStatus.SIGNED, then=Value(0)), default=Value(1))
    return annotate_quality(plans, on=as_of).order_by("applicant_id", signed_first, "-version", "-pk")


def prefill(*, person_ids: list[int], as_of: datetime.date) -> dict[int, Judged]:
    """{person_id: Judged} from each person's plan as it was on `as_of` (`_plans_as_of`): signed,
    or a draft where no version was signed (a control measures the plans as they are, DOMAIN.md 4).

    The answers are planning.quality's own (`answers_for` over `annotate_quality`), so a sample,
    a flag, report 2 and the plan screen judge a plan the same way. A person with no plan made by
    then answers "no" to every question. One query for all persons.
    """
    newest = {}
    for row in _plans_as_of(person_ids, as_of):  # bounded by the sample's persons and their versions
        newest.setdefault(row.applicant_id, row)
    out = {}
    for person_id in person_ids:
        row = newest.get(person_id)
        if row is None:
            reason = NO_PLAN_REASON.format(day=as_of)
            out[person_id] = Judged(None, {q.code: (NO, reason) for q in QUESTIONS})
            continue
        quality = answers_for(row)
        given = {a.code: (a.answer, a.reason) for a in (*quality.control_questions, *quality.checkpoints)}
        state = PLAN_DRAFT if row.q_state == DRAFT else PLAN_SIGNED
        out[person_id] = Judged(row.pk, {q.code: given[q.code] for q in QUESTIONS}, state)
    return out

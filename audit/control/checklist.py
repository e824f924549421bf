"""The control sample's checklist: the unit's five questions and the auditors' checkpoints.

DOMAIN.md 4: the coordinator unit's own control asks five questions (004:583-605); the auditors
checked plans against eight checkpoints (004:864-933). The questions and how they are judged
are the planning app's plan-quality function (planning.quality), so a sample, a flag and the
plan screen never disagree; here they are only listed and used to prefill the answers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from planning.models import ImplementationPlan, PlanStatus
from planning.quality import CHECKPOINTS, CONTROL_QUESTIONS, annotate_quality


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    annotation: str


QUESTIONS: tuple[Question, ...] = (
    *(Question(code, text, f"cq_{code}") for code, text, _ in CONTROL_QUESTIONS),
    *(Question(code, text, f"qc_{code}") for code, text, _ in CHECKPOINTS),
)
QUESTION_CODES = tuple(q.code for q in QUESTIONS)


def _not_yet_judged(row, question: Question) -> bool:
    # "Followed up within the validity" cannot be judged before the plan's validity has ended.
    return question.code == "followed_up_within_6_months" and not row.q_follow_up_due and not row.q_followed_up_in_time


def prefill(*, person_ids: list[int], as_of: datetime.date) -> dict[int, dict[str, bool | None]]:
    """{person_id: {question: True/False/None}} from each person's latest signed plan on `as_of`.

    A person without a signed plan gets "plan made: no" and None (the reviewer answers) for the rest.
    One query for all persons.
    """
    newer = ImplementationPlan.objects.filter(
        applicant_id=OuterRef("applicant_id"), status=PlanStatus.SIGNED, made_on__lte=as_of, version__gt=OuterRef("version")
    )
    plans = annotate_quality(
        ImplementationPlan.objects.filter(applicant_id__in=person_ids, status=PlanStatus.SIGNED, made_on__lte=as_of)
        .exclude(Exists(newer)),
        on=as_of,
    )
    out: dict[int, dict[str, bool | None]] = {pid: {q.code: None for q in QUESTIONS} | {"plan_made": False}
                                              for pid in person_ids}
    for row in plans:
        out[row.applicant_id] = {
            q.code: None if _not_yet_judged(row, q) else bool(getattr(row, q.annotation)) for q in QUESTIONS
        }
    return out

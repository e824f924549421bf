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

from planning.models import ImplementationPlan
from planning.quality import CHECKPOINTS, CONTROL_QUESTIONS, DRAFT, NO, YES, annotate_quality


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


# What the prefill found for a sampled person, kept on the sample item so the sample can say
# how many of its persons had a signed plan, only a draft, or no plan at all.
PLAN_SIGNED, PLAN_DRAFT, PLAN_NONE = "signed", "draft", "none"


def _answer_value(answer: str) -> bool | None:
    # The checklist stores yes/no; "not applicable" (and what the data cannot tell) is None.
    return {YES: True, NO: False}.get(answer)


def prefill(*, person_ids: list[int], as_of: datetime.date) -> dict[int, dict[str, bool | None]]:
    """{person_id: {question: True/False/None, "plan_state": signed/draft/none}} from each person's
    latest plan made on or before `as_of`, whatever its state (a draft is judged as it is), with
    the one plan-quality definition (planning.quality): None where it answers not applicable.

    A person without any plan gets "plan made: no" and None (the reviewer answers) for the rest.
    One query for all persons.
    """
    newer = ImplementationPlan.objects.filter(
        applicant_id=OuterRef("applicant_id"), made_on__lte=as_of, version__gt=OuterRef("version")
    )
    plans = annotate_quality(
        ImplementationPlan.objects.filter(applicant_id__in=person_ids, made_on__lte=as_of).exclude(Exists(newer)),
        on=as_of,
    )
    out: dict[int, dict] = {
        pid: {q.code: None for q in QUESTIONS} | {"plan_made": False, "plan_state": PLAN_NONE} for pid in person_ids
    }
    for row in plans:
        out[row.applicant_id] = {q.code: _answer_value(getattr(row, f"qa_{q.code}")) for q in QUESTIONS} | {
            "plan_state": PLAN_DRAFT if row.q_state == DRAFT else PLAN_SIGNED
        }
    return out

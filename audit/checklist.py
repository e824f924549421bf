"""The control sample's checklist: the unit's five questions and the auditors' checkpoints.

DOMAIN.md 4: the coordinator unit's own control asks five questions (004:583-605); the auditors
checked 20 plans against eight checkpoints (004:864-933). Both are kept here, in one place;
prefilled answers come from the plan-quality function of the planning app.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    source: str


QUESTIONS: tuple[Question, ...] = (
    # The unit's five questions (004:583-605).
    Question("plan_made", "Finns en genomförandeplan?", "004:583-605"),
    Question("participation_recorded", "Har personen varit delaktig?", "004:583-605"),
    Question("goals_stated", "Finns mål angivna?", "004:583-605"),
    Question("activities_stated", "Framgår hur insatsen ska genomföras?", "004:583-605"),
    Question("follow_up_stated", "Framgår när och hur uppföljning ska ske?", "004:583-605"),
    # The auditors' checkpoints (004:864-933).
    Question("time_bound", "Är planen tidsatt?", "004:864-933"),
    Question("responsible_named", "Är ansvarig namngiven?", "004:864-933"),
    Question("long_term_goal", "Finns ett långsiktigt mål?", "004:864-933"),
    Question("subgoals", "Finns delmål?", "004:864-933"),
    Question("followed_up_within_6_months", "Har planen följts upp inom 6 månader?", "004:864-933"),
)
QUESTION_CODES = tuple(q.code for q in QUESTIONS)


def prefill(*, person_ids: list[int], as_of: datetime.date) -> dict[int, dict[str, bool | None]]:
    """{person_id: {question: True/False/None}} from the data, for each person's latest plan.

    None means the data cannot tell; the reviewer answers. Filled from the planning app's
    plan-quality function once it exists (see audit/quality.py).
    """
    from .quality import checklist_prefill

    return checklist_prefill(person_ids=person_ids, as_of=as_of)

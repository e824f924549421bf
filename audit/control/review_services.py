"""Reviewing a sampled case's checklist (granskning av stickprov, DOMAIN.md): the unit manager
confirms or changes each prefilled answer.

One service for every way a review is saved: the review page (every question of a case in one
save), the API's bulk POST and its single POST (services.checklist_answer_review) all call
checklist_answers_review, so the rules below are checked in one place. Every row is judged
before anything is saved, in a fixed number of queries whatever the number of rows: the answers
are read and locked in one query, written with one UPDATE, and the audit trail is written with
audit.recording.log.record_changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from audit.control.models import ChecklistAnswer, ChecklistValue
from audit.control.selectors import answers_for
from audit.recording.log import Change, record_changes, snapshot
from cases.models import Role, Staff
from cases.permissions import require_role
from config.errors import RowErrors

FIELDS = ("answer", "overridden", "comment")


class AnswerReview(NamedTuple):
    answer_id: int
    value: str
    comment: str = ""


def review_problem(answer: ChecklistAnswer, value: str, comment: str) -> tuple[str, str, str] | None:
    """(field, message, code) when `value` with `comment` cannot be the reviewed answer: an answer
    other than the prefilled one, and "not applicable", each need a comment saying why."""
    if value not in ChecklistValue.values:
        return ("answer", "Svara ja, nej eller ej aktuellt.", "invalid_choice")
    if value == ChecklistValue.NOT_APPLICABLE and not comment:
        return ("comment", "Ange varför frågan inte är aktuell.", "required")
    if bool(answer.prefilled) and value != answer.prefilled and not comment:
        return ("comment", "Motivera varför du ändrar det förifyllda svaret.", "required")
    return None


@transaction.atomic
def checklist_answers_review(
    *, actor: Staff, rows: Sequence[AnswerReview], check_only: bool = False
) -> list[ChecklistAnswer]:
    """Review many checklist answers at once; all rows or none. A row's error is named
    `rows[i].<field>` (`id` for an answer that does not exist or is outside the actor's samples,
    `answer`, `comment`); every row's errors are reported at once. Returns the answers in the
    order of `rows`; `check_only` reports the errors and writes nothing (returns [])."""
    require_role(actor, {Role.UNIT_MANAGER}, doing="granska stickprov")
    ids = [row.answer_id for row in rows]
    found = answers_for(actor).select_for_update(of=("self",)).order_by("pk").in_bulk(ids)
    errors = RowErrors()
    reviewed, changes = [], []
    now = timezone.now()
    for i, row in enumerate(rows):
        if errors.repeated(i, row.answer_id, "id", "Svaret"):
            continue
        answer = found.get(row.answer_id)
        if answer is None:
            errors.add_row(i, "id", "Svaret finns inte eller ligger utanför din behörighet.", "not_found")
            continue
        comment = (row.comment or "").strip()
        if row.value == ChecklistValue.NOT_APPLICABLE and not comment and answer.prefilled == row.value:
            comment = answer.prefill_reason  # confirming the data's "ej aktuellt" confirms its reason
        problem = review_problem(answer, row.value, comment)
        if problem:
            errors.add_row(i, *problem)
            continue
        before = snapshot(answer, FIELDS)
        answer.answer, answer.comment = row.value, comment
        answer.overridden = bool(answer.prefilled) and row.value != answer.prefilled
        answer.reviewed_by, answer.reviewed_at = actor, now
        answer.updated_at = now  # bulk_update does not apply auto_now
        reviewed.append(answer)
        changes.append(Change(answer, [answer.item.person_id], before, None))
    errors.raise_if_any()
    if check_only:
        return []
    ChecklistAnswer.objects.bulk_update(reviewed, [*FIELDS, "reviewed_by", "reviewed_at", "updated_at"])
    record_changes(actor=actor, action="control_sample.review", changes=[
        change._replace(after=snapshot(change.instance, FIELDS)) for change in changes
    ])
    return reviewed

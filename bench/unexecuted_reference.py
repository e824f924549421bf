"""The unexecuted-decision definition as it was before issue 12, kept as the reference.

cases.execution_selectors is the definition the app uses; it was rewritten set-based (the
execution and the correction joined once, instead of several correlated subqueries per granted
decision). This is the earlier text, unchanged but for the imports: per decision and per
interruption it looks up the execution, the resumption, the correction and the delay note with
subqueries. tests/cases/test_execution_set_based.py compares the two on generated data and
bench/unexecuted_report.py times them side by side. Not used by the app.
"""
from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from cases import norms
from cases.execution_selectors import (
    CLOSED_EXECUTED,
    CLOSED_RESUMED,
    EPISODE_INTERRUPTED,
    EPISODE_UNEXECUTED,
    _closed_how,
    _earliest,
    _latest_delay_note,
    interruptions_of_granted,
    resumptions,
)
from cases.expressions import AddMonths
from cases.finance_models import GRANTING_OUTCOMES, Decision, DecisionExecutionEvent, ExecutionEventKind

_DATE = DateField()


def _replaced_on(decision_ref: str, end: datetime.date) -> Subquery:
    corrections = Decision.objects.filter(replaces_id=OuterRef(decision_ref), decided_on__lte=end)
    return Subquery(corrections.values("decided_on")[:1], output_field=_DATE)


def _reportable(qs: QuerySet, *, start: datetime.date, end: datetime.date, months: int) -> QuerySet:
    """Filter annotated `started_on`, `closed_on` to the episodes reportable in [start, end]."""
    return (
        qs.annotate(due_on=AddMonths(F("started_on"), months))
        .filter(due_on__lt=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=F("due_on"), closed_on__gte=start))
        .annotate(
            reported_before=ExpressionWrapper(
                Q(due_on__lt=start - datetime.timedelta(days=1)), output_field=BooleanField()
            )
        )
    )


def unexecuted_episodes(
    *, start: datetime.date, end: datetime.date, months: int = norms.UNEXECUTED_REPORT_AFTER_MONTHS,
    unit_id: int | None = None,
) -> QuerySet[Decision]:
    """Granted decisions not executed within `months` of the decision date, reportable in [start, end]."""
    executed = DecisionExecutionEvent.objects.filter(
        decision_id=OuterRef("pk"), kind=ExecutionEventKind.EXECUTED, occurred_on__lte=end
    )
    qs = Decision.objects.filter(outcome__in=GRANTING_OUTCOMES, amount__gt=0, decided_on__lte=end)
    if unit_id is not None:
        qs = qs.filter(application__case__unit_id=unit_id)
    qs = _episode(qs, decision_ref="pk", end=end, started_on=F("decided_on"), resolution=executed,
                  resolved_kind=CLOSED_EXECUTED, episode=EPISODE_UNEXECUTED, interrupted_on=Value(None, output_field=_DATE))
    qs = qs.annotate(
        # A reason documented for the delay wins over the note made at the execution.
        delay_reason=Coalesce(
            Subquery(_latest_delay_note(decision_ref="pk", after=None, end=end)),
            NullIf(F("resolution_note"), Value("")),
        )
    )
    return _reportable(qs, start=start, end=end, months=months)


def interruption_episodes(
    *, start: datetime.date, end: datetime.date, months: int = norms.UNEXECUTED_REPORT_AFTER_MONTHS,
    unit_id: int | None = None,
) -> QuerySet[DecisionExecutionEvent]:
    """Interruptions of granted decisions not resumed within `months`, reportable in [start, end]."""
    # The resumption and the interruptions as they were (shared with the new text, unchanged).
    resumed = resumptions(end)
    qs = interruptions_of_granted(end, unit_id)
    qs = _episode(qs, decision_ref="decision_id", end=end, started_on=F("occurred_on"), resolution=resumed,
                  resolved_kind=CLOSED_RESUMED, episode=EPISODE_INTERRUPTED, interrupted_on=F("occurred_on"))
    qs = qs.annotate(
        delay_reason=Coalesce(
            Subquery(_latest_delay_note(decision_ref="decision_id", after="occurred_on", end=end)),
            NullIf(F("note"), Value("")),
            NullIf(F("resolution_note"), Value("")),
        ),
    )
    return _reportable(qs, start=start, end=end, months=months)


def _episode(qs, *, decision_ref, end, started_on, resolution, resolved_kind, episode, interrupted_on):
    """Annotate an episode: when it started, when and how it closed (on or before `end`)."""
    return qs.annotate(
        started_on=started_on,
        resolved_on=Subquery(resolution.values("occurred_on")[:1], output_field=_DATE),
        resolution_note=Subquery(resolution.values("note")[:1]),
        replaced_on=_replaced_on(decision_ref, end),
        closed_on=_earliest("resolved_on", "replaced_on"),
        closed_how=_closed_how(resolved_kind),
        episode=Value(episode, output_field=CharField()),
        interrupted_on=interrupted_on,
    )


def overdue_decisions(
    *, as_of: datetime.date, months: int = norms.UNEXECUTED_REPORT_AFTER_MONTHS
) -> QuerySet[Decision]:
    """Decisions with an episode still open and overdue on `as_of` (what rule 10 flags)."""
    unexecuted = unexecuted_episodes(start=as_of, end=as_of, months=months).filter(closed_on__isnull=True)
    interrupted = interruption_episodes(start=as_of, end=as_of, months=months).filter(closed_on__isnull=True)
    return Decision.objects.filter(
        Q(pk__in=unexecuted.values("pk")) | Q(pk__in=interrupted.values("decision_id"))
    )

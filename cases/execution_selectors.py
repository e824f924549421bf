"""The ONE definition of an unexecuted decision (ej verkställt beslut), DOMAIN.md 3 and 5.

Used by rule 10 (audit/control/rules/cases.py), by the IVO and fullmäktige reports (audit/reports/
unexecuted.py) and by cases.finance_selectors.unexecuted_decisions / interrupted_not_resumed.

Source: 003:304-314 (SoL 34 kap. 1-3 §§, old SoL 16 kap. 6 f-h §§): a granted decision on bistånd
that has not been executed three months after the decision, or whose execution was interrupted
and not resumed within three months, is reported; and the board reports when such a decision
was later executed, with the date.

Reading, per "episode" (one decision can have several over time):
- Unexecuted episode: starts on the decision date. Interruption episode: starts on the date of an
  `interrupted` event and ends with the next `resumed` event.
- due_on = start + N months (N = cases.norms.UNEXECUTED_REPORT_AFTER_MONTHS, clamped to the end
  of a shorter month). Executed/resumed ON due_on is within the limit; the episode is overdue
  from the day after.
- An episode closes when the decision is executed (resp. resumed) or when a correction that
  replaces the decision is decided (the replaced decision stops counting that day; the
  correction counts from its own decision date, as a decision of its own).
- Reportable in a period [start, end]: overdue on or before `end`, and not closed before
  `start`. So it is reported in the period it becomes overdue, in each following period, and
  once more in the period it was executed/resumed (with that date). Only events and
  corrections dated on or before `end` are read, so re-making a report gives the same answer.
- reported_before: it was already overdue before `start` (it was reportable in an earlier
  period); computed from the data, never stored.
- Refused decisions and granted decisions of 0 kr never appear (nothing to execute).
Every filter is in SQL; each function is one query.

Set-based (issue 12): a decision's execution and its correction are each at most one row (an
`executed` event is unique per decision, `replaces` is one-to-one), so they are LEFT JOINs
(FilteredRelation, dated on or before `end`), one pass over each table, hashed by decision;
the filters read the joined columns, never a subquery per decision. What is left per row is
looked up for the reportable rows only: the latest delay note, and for an interruption (0.5 %
of the decisions) its resumption. The earlier text, with several correlated subqueries per
granted decision, is bench/unexecuted_reference.py, compared in tests/cases/test_execution_set_based.py.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Coalesce, NullIf

from . import norms
from .expressions import AddMonths
from .finance_models import GRANTING_OUTCOMES, Decision, DecisionExecutionEvent, ExecutionEventKind
from .models import HouseholdMember, MemberRole

EPISODE_UNEXECUTED = "unexecuted"
EPISODE_INTERRUPTED = "interrupted"
CLOSED_EXECUTED = "executed"
CLOSED_RESUMED = "resumed"
CLOSED_REPLACED = "replaced"

_DATE = DateField()


def household_applicant(household_ref: str) -> QuerySet[HouseholdMember]:
    """The household's applicant first, then a co-applicant: whose decision it is (for kön and
    for who a flag is about)."""
    return HouseholdMember.objects.filter(household_id=OuterRef(household_ref), applicant__isnull=False).order_by(
        DbCase(When(role=MemberRole.APPLICANT, then=Value(0)), default=Value(1)), "pk"
    )


def _earliest(a: str, b: str) -> DbCase:
    """The earlier of two nullable dates (SQL LEAST treats NULL differently per database)."""
    return DbCase(
        When(**{f"{a}__isnull": True}, then=F(b)),
        When(**{f"{b}__isnull": True}, then=F(a)),
        When(**{f"{a}__lte": F(b)}, then=F(a)),
        default=F(b),
        output_field=_DATE,
    )


def _reportable_q(*, start: datetime.date, end: datetime.date) -> Q:
    """The episodes (annotated `due_on`, `closed_on`) reportable in [start, end]."""
    return Q(due_on__lt=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=F("due_on"), closed_on__gte=start))


def _reportable(qs: QuerySet, *, start: datetime.date, end: datetime.date) -> QuerySet:
    """Filter annotated episodes to those reportable in [start, end]."""
    return qs.filter(_reportable_q(start=start, end=end)).annotate(
        reported_before=ExpressionWrapper(Q(due_on__lt=start - datetime.timedelta(days=1)), output_field=BooleanField())
    )


def _unexecuted(end: datetime.date, months: int, unit_id: int | None) -> QuerySet[Decision]:
    """Every granted decision of more than 0 kr as an unexecuted episode (reportable or not), with
    its execution and its correction (each at most one row, dated on or before `end`) joined.
    Decided on or before `end` is the caller's filter (overdue_decisions reads it in one branch)."""
    qs = Decision.objects.filter(outcome__in=GRANTING_OUTCOMES, amount__gt=0)
    if unit_id is not None:
        qs = qs.filter(application__case__unit_id=unit_id)
    qs = qs.alias(
        execution=FilteredRelation("execution_events", condition=Q(
            execution_events__kind=ExecutionEventKind.EXECUTED, execution_events__occurred_on__lte=end)),
        # IS NOT NULL is implied by the join; said, it lets PostgreSQL hash only the corrections
        # (about 1 % of the decisions), not every decision, also for one chunk of rule 10.
        correction=FilteredRelation("replaced_by", condition=Q(
            replaced_by__replaces__isnull=False, replaced_by__decided_on__lte=end)),
    )
    return _episode(
        qs, months=months, started_on=F("decided_on"), resolved_on=F("execution__occurred_on"),
        resolution_note=F("execution__note"), replaced_on=F("correction__decided_on"),
        resolved_kind=CLOSED_EXECUTED, episode=EPISODE_UNEXECUTED, interrupted_on=Value(None, output_field=_DATE),
    )


def unexecuted_episodes(
    *, start: datetime.date, end: datetime.date, months: int = norms.UNEXECUTED_REPORT_AFTER_MONTHS,
    unit_id: int | None = None,
) -> QuerySet[Decision]:
    """Granted decisions not executed within `months` of the decision date, reportable in [start, end]."""
    qs = _reportable(_unexecuted(end, months, unit_id).filter(decided_on__lte=end), start=start, end=end)
    return qs.annotate(
        # A reason documented for the delay wins over the note made at the execution.
        delay_reason=Coalesce(
            Subquery(_latest_delay_note(decision_ref="pk", after=None, end=end)),
            NullIf(F("resolution_note"), Value("")),
        )
    )


def resumptions(end: datetime.date) -> QuerySet[DecisionExecutionEvent]:
    """The resumptions after the outer interruption (dated by `end`), the first first."""
    return DecisionExecutionEvent.objects.filter(
        decision_id=OuterRef("decision_id"), kind=ExecutionEventKind.RESUMED, occurred_on__lte=end
    ).filter(
        Q(occurred_on__gt=OuterRef("occurred_on")) | Q(occurred_on=OuterRef("occurred_on"), pk__gt=OuterRef("pk"))
    ).order_by("occurred_on", "pk")


def interruptions_of_granted(end: datetime.date, unit_id: int | None) -> QuerySet[DecisionExecutionEvent]:
    """The interruptions dated by `end` of granted decisions of more than 0 kr (at the unit)."""
    qs = DecisionExecutionEvent.objects.filter(
        kind=ExecutionEventKind.INTERRUPTED, occurred_on__lte=end, decision__outcome__in=GRANTING_OUTCOMES,
        decision__amount__gt=0,
    )
    return qs if unit_id is None else qs.filter(decision__application__case__unit_id=unit_id)


def _interruptions(end: datetime.date, months: int, unit_id: int | None) -> QuerySet[DecisionExecutionEvent]:
    """Every interruption of a granted decision as an episode (reportable or not)."""
    resumed = resumptions(end)
    qs = interruptions_of_granted(end, unit_id).alias(correction=FilteredRelation("decision__replaced_by",
                                              condition=Q(decision__replaced_by__decided_on__lte=end)))
    # The first resumption after it: a subquery per interruption, which are few (bench/README.md).
    return _episode(
        qs, months=months, started_on=F("occurred_on"),
        resolved_on=Subquery(resumed.values("occurred_on")[:1], output_field=_DATE),
        resolution_note=Subquery(resumed.values("note")[:1]), replaced_on=F("correction__decided_on"),
        resolved_kind=CLOSED_RESUMED, episode=EPISODE_INTERRUPTED, interrupted_on=F("occurred_on"),
    )


def interruption_episodes(
    *, start: datetime.date, end: datetime.date, months: int = norms.UNEXECUTED_REPORT_AFTER_MONTHS,
    unit_id: int | None = None,
) -> QuerySet[DecisionExecutionEvent]:
    """Interruptions of granted decisions not resumed within `months`, reportable in [start, end]."""
    qs = _reportable(_interruptions(end, months, unit_id), start=start, end=end)
    return qs.annotate(
        delay_reason=Coalesce(
            Subquery(_latest_delay_note(decision_ref="decision_id", after="occurred_on", end=end)),
            NullIf(F("note"), Value("")),
            NullIf(F("resolution_note"), Value("")),
        ),
    )


def _latest_delay_note(*, decision_ref: str, after: str | None, end: datetime.date):
    """The latest reason for the delay documented for the decision up to `end` (and, for an
    interruption, on or after it began)."""
    notes = DecisionExecutionEvent.objects.filter(
        decision_id=OuterRef(decision_ref), kind=ExecutionEventKind.DELAY_NOTED, occurred_on__lte=end
    )
    if after:
        notes = notes.filter(occurred_on__gte=OuterRef(after))
    return notes.order_by("-occurred_on", "-pk").values("note")[:1]


def _episode(qs, *, months, started_on, resolved_on, resolution_note, replaced_on, resolved_kind, episode,
             interrupted_on):
    """Annotate an episode: when it started and fell due, when and how it closed (on or before `end`)."""
    return qs.annotate(
        started_on=started_on,
        due_on=AddMonths(started_on, months),
        resolved_on=resolved_on,
        resolution_note=resolution_note,
        replaced_on=replaced_on,
        closed_on=_earliest("resolved_on", "replaced_on"),
        closed_how=_closed_how(resolved_kind),
        episode=Value(episode, output_field=CharField()),
        interrupted_on=interrupted_on,
    )


def _closed_how(resolved: str) -> DbCase:
    return DbCase(
        When(closed_on__isnull=True, then=Value(None)),
        When(resolved_on=F("closed_on"), then=Value(resolved)),
        default=Value(CLOSED_REPLACED),
        output_field=CharField(),
    )


def overdue_decisions(
    *, as_of: datetime.date, months: int = norms.UNEXECUTED_REPORT_AFTER_MONTHS, within=None
) -> QuerySet[Decision]:
    """Decisions with an episode still open and overdue on `as_of` (what rule 10 flags).

    `within(path)`, if given, narrows the decisions looked at (a condition on a field path holding
    the decision's id: the rule engine's chunk); the definition is the same. One filter on the
    decisions themselves (not `pk IN` the episodes), so the chunk narrows the whole query."""
    still_open = _reportable_q(start=as_of, end=as_of) & Q(closed_on__isnull=True)
    interrupted = _interruptions(as_of, months, None).filter(still_open, decision_id=OuterRef("pk"))
    if within is not None:
        # Said again inside: PostgreSQL runs this EXISTS (under an OR) as one hashed subplan over
        # every interruption, not per decision, so unnarrowed each chunk of rule 10 read all of
        # them (at 1 000 000 persons 0.4 of a chunk's 0.67 s; bench/README.md, issue 12).
        interrupted = interrupted.filter(within("decision_id"))
    overdue = _unexecuted(as_of, months, None).filter((Q(decided_on__lte=as_of) & still_open) | Exists(interrupted))
    return overdue if within is None else overdue.filter(within("pk"))

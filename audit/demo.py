"""Demo data for egenkontroll: the nightly rule run as it was on a few days of the last half year
and today (so flags of different ages, and resolved ones, exist), a few handled flags in every
state, the units' control samples with some answers reviewed.

Runs last in demo_data's BUILDERS (it reads what every other builder made). Re-running changes
nothing: the engine keeps one live flag per rule and subject, and the handled examples and the
control sample are only made when none exist yet. Every step a person would take goes through
audit.control.services, so the demo has the same audit trail as real use.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from audit.control import services
from audit.control.models import (
    ChecklistAnswer,
    ChecklistValue,
    ControlSample,
    CorrectiveAction,
    Flag,
    FlagStatus,
    RunTrigger,
    SamplePopulation,
)
from cases.models import Case, Role, Staff

# The nightly run as it was on these days (days before today), oldest first: flags still found
# today have been open since the first run that found them, the others are resolved.
RUNS_DAYS_AGO = (180, 60, 14, 0)


def _run_rules(as_of: datetime.date) -> None:
    """The nightly run, recorded like a scheduled one, with its chunks executed in-process (no
    worker needed for the demo). The dispatch queued on commit finds every chunk done."""
    run = services.rule_run_start(actor=None, trigger=RunTrigger.SCHEDULE, as_of=as_of)
    for chunk_id in services.rule_run_chunk_ids(run_id=run.pk):
        services.rule_chunk_execute(chunk_id=chunk_id)


def _handle_some_flags(today: datetime.date) -> None:
    """Show each state of a flag and its action on the worklist: acknowledged; an action planned;
    an action planned and followed up; an action completed and the flag closed."""
    if CorrectiveAction.objects.exists():
        return
    open_flags = list(
        Flag.objects.filter(status=FlagStatus.OPEN, responsible__role=Role.COORDINATOR)
        .select_related("responsible").order_by("first_seen", "pk")[:4]
    )
    for n, flag in enumerate(open_flags):
        owner = flag.responsible
        services.flag_transition(actor=owner, flag=flag, event="acknowledge", comment="Sett, planerar åtgärd." if n else "")
        if n == 0:
            continue  # acknowledged only
        action = services.corrective_action_create(
            actor=owner, flag=flag, description=ACTIONS[n - 1], owner=owner, due_date=today + datetime.timedelta(days=7 * n),
        )
        if n >= 2:
            services.corrective_action_follow_up(actor=owner, action=action, note="Tid bokad med personen.")
        if n == 3:
            services.corrective_action_complete(actor=owner, action=action, outcome="Uppföljningen är gjord och registrerad.")
            services.flag_transition(actor=owner, flag=flag, event="close", comment="Åtgärden är genomförd.")


ACTIONS = [
    "Boka uppföljningssamtal med personen.",
    "Gå igenom planen med personen och komplettera den.",
    "Registrera uppföljningen som gjordes vid senaste mötet.",
]


def _draw_sample(today: datetime.date) -> None:
    """The units' yearly control (DOMAIN.md 4): 10 cases drawn by the manager of the unit that holds
    cases, and 10 persons by the manager of the coordinator unit (the persons it works with)."""
    if ControlSample.objects.exists():
        return
    start = today - datetime.timedelta(days=365)
    for manager in Staff.objects.filter(role=Role.UNIT_MANAGER, is_active=True).select_related("unit").order_by("pk"):
        for population in SamplePopulation.values:
            pairs = services.sample_population(
                unit=manager.unit, period_start=start, period_end=today, population=population
            )
            if pairs:
                services.sample_draw(
                    actor=manager, unit=manager.unit, period_start=start, period_end=today,
                    size=min(services.DEFAULT_SAMPLE_SIZE, len(pairs)), seed=2026, population=population,
                )
                break


def build(ctx) -> None:
    today = getattr(ctx, "today", None) or timezone.localdate()
    if not Case.objects.exists():
        return
    for days in RUNS_DAYS_AGO:
        _run_rules(today - datetime.timedelta(days=days))
    _handle_some_flags(today)
    services.flags_escalate()
    _draw_sample(today)
    _review_samples()


def _review_samples() -> None:
    """The unit managers have reviewed the first three sampled items: the data's answers
    confirmed, and each answer (ja, nej, ej aktuellt) given at least once."""
    answers = list(
        ChecklistAnswer.objects.filter(item__position__lt=3, answer="")
        .select_related("item__sample__drawn_by").order_by("item__sample_id", "item__position", "pk")
    )
    given = set()
    for n, answer in enumerate(answers):
        value = answer.prefilled or ChecklistValue.YES
        missing = [v for v in ChecklistValue.values if v not in given]
        if missing and n >= len(answers) - len(missing):  # the last ones: the answers not given yet
            value = missing[0]
        comment = "" if value == answer.prefilled or not answer.prefilled else REVIEW_COMMENT
        if value == ChecklistValue.NOT_APPLICABLE and not comment and not answer.prefill_reason:
            comment = REVIEW_COMMENT
        services.checklist_answer_review(actor=answer.item.sample.drawn_by, answer=answer, value=value, comment=comment)
        given.add(value)


REVIEW_COMMENT = "Bedömt vid genomgång av akten."

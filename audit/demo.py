"""Demo data for egenkontroll: one synchronous rule run over the demo, then a few handled flags.

Runs last in demo_data's BUILDERS (it reads what every other builder made). Re-running changes
nothing: the engine keeps one live flag per rule and subject, and the handled examples and the
control sample are only made when none exist yet. Every step a person would take goes through
audit.control.services, so the demo has the same audit trail as real use.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from audit.control import services
from audit.control.models import ControlSample, CorrectiveAction, Flag, FlagStatus, RunTrigger, SamplePopulation
from cases.models import Case, Role, Staff


def _run_rules(as_of: datetime.date) -> None:
    """The nightly run, recorded like a scheduled one, with its chunks executed in-process (no
    worker needed for the demo). The dispatch queued on commit finds every chunk done."""
    run = services.rule_run_start(actor=None, trigger=RunTrigger.SCHEDULE, as_of=as_of)
    for chunk_id in services.rule_run_chunk_ids(run_id=run.pk):
        services.rule_chunk_execute(chunk_id=chunk_id)


def _handle_some_flags(today: datetime.date) -> None:
    """Show each state on the worklist: one acknowledged flag, one with a planned action."""
    if CorrectiveAction.objects.exists():
        return
    open_flags = list(
        Flag.objects.filter(status=FlagStatus.OPEN, responsible__role=Role.COORDINATOR)
        .select_related("responsible").order_by("first_seen", "pk")[:2]
    )
    if open_flags:
        first = open_flags[0]
        services.flag_transition(actor=first.responsible, flag=first, event="acknowledge", comment="Sett, planerar åtgärd.")
        services.corrective_action_create(
            actor=first.responsible, flag=first, description="Boka uppföljningssamtal med personen.",
            owner=first.responsible, due_date=today + datetime.timedelta(days=7),
        )
    if len(open_flags) > 1:
        second = open_flags[1]
        services.flag_transition(actor=second.responsible, flag=second, event="acknowledge", comment="")


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
    _run_rules(today)
    _handle_some_flags(today)
    services.flags_escalate()
    _draw_sample(today)

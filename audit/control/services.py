"""Every write of audit's control layer. Keyword-only, validated, atomic, audited in the same transaction.

Rule runs are written by the system (actor None) when scheduled; everything a person does
(start a run, change a parameter, acknowledge a flag, plan or close an action, review a
sample) checks the role, validates, saves and records the change.
"""

from __future__ import annotations

import datetime
import random
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from audit.control import checklist, engine, unchanged
from audit.control.models import (
    LIVE_FLAG_STATUSES,
    ActionStatus,
    ChecklistAnswer,
    ControlSample,
    ControlSampleItem,
    CorrectiveAction,
    Flag,
    FlagStatus,
    FlagTransition,
    Rule,
    RuleParameter,
    RuleRun,
    RuleRunChunk,
    RunStatus,
    RunTrigger,
    SamplePopulation,
)
from audit.control.review_services import AnswerReview, checklist_answers_review
from audit.control.rules import REGISTRY
from audit.control.rules.base import rules_reading
from audit.recording.log import record_change, snapshot
from audit.recording.webhook_models import EventType
from audit.recording.webhooks import event_emit
from cases.execution_selectors import household_applicant
from cases.models import Case, CoordinatorAssignment, Role, Staff, Unit
from cases.permissions import require_role
from config.errors import Conflict, without_row_prefix
from config.errors import field_error as _field_error

RUN_STARTERS = frozenset({Role.ADMINISTRATOR, Role.UNIT_MANAGER})
FLAG_HANDLERS = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.INSATS_STAFF, Role.UNIT_MANAGER})
DEFAULT_SAMPLE_SIZE = 10  # DOMAIN.md 4 (004:583-605): the coordinator unit's control draws 10 cases.


# --- Rules and parameters -------------------------------------------------------------------


@transaction.atomic
def rule_update(*, actor: Staff, rule: Rule, enabled=None, severity=None, escalate_after_days=None) -> Rule:
    require_role(actor, {Role.ADMINISTRATOR}, doing="ändra kontrollregler")
    fields = ("enabled", "severity", "escalate_after_days")
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, fields)
    changes = {k: v for k, v in zip(fields, (enabled, severity, escalate_after_days), strict=True) if v is not None}
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save(update_fields=[*changes, "updated_at"])
    record_change(actor=actor, action="control_rule.update", instance=rule, before=before, after=snapshot(rule, fields))
    return rule


@transaction.atomic
def rule_parameter_update(*, actor: Staff, parameter: RuleParameter, value: int) -> RuleParameter:
    require_role(actor, {Role.ADMINISTRATOR}, doing="ändra regelparametrar")
    parameter = RuleParameter.objects.select_for_update().get(pk=parameter.pk)
    if not isinstance(value, int) or not parameter.min_value <= value <= parameter.max_value:
        raise _field_error(
            "value",
            f"Värdet måste vara ett heltal mellan {parameter.min_value} och {parameter.max_value} {parameter.unit}.",
            "out_of_range",
        )
    before = snapshot(parameter, ["value"])
    parameter.value = value
    parameter.save(update_fields=["value", "updated_at"])
    record_change(
        actor=actor, action="control_parameter.update", instance=parameter, before=before, after={"value": value}
    )
    return parameter


# --- Runs -----------------------------------------------------------------------------------


@transaction.atomic
def rule_run_start(
    *,
    actor: Staff | None,
    rule_codes: list[str] | None = None,
    trigger: str = RunTrigger.ON_DEMAND,
    as_of: datetime.date | None = None,
    chunk_size: int | None = None,
) -> RuleRun:
    """Record a run and queue it (after commit). A scheduled run has no actor."""
    if trigger == RunTrigger.ON_DEMAND:
        require_role(actor, RUN_STARTERS, doing="starta en regelkörning")
    engine.rules_sync()
    unchanged.prune()
    enabled = set(Rule.objects.filter(enabled=True).values_list("code", flat=True))
    if rule_codes:
        unknown = sorted(set(rule_codes) - set(REGISTRY))
        if unknown:
            raise _field_error("rule_codes", f"Okänd regel: {', '.join(unknown)}.", "unknown_rule")
        disabled = sorted(set(rule_codes) - enabled)
        if disabled:
            raise _field_error("rule_codes", f"Regeln är avstängd: {', '.join(disabled)}.", "rule_disabled")
        codes = sorted(set(rule_codes))
    else:
        codes = sorted(enabled & set(REGISTRY))
    run = RuleRun.objects.create(
        as_of=as_of or timezone.localdate(),
        rule_codes=codes,
        trigger=trigger,
        started_by=actor,
        started_at=timezone.now(),
    )
    chunks = [
        RuleRunChunk(run=run, rule_code=code, lower=lo, upper=hi)
        for code in codes
        for lo, hi in engine.plan_chunks(REGISTRY[code], chunk_size)
    ]
    RuleRunChunk.objects.bulk_create(chunks)
    RuleRun.objects.filter(pk=run.pk).update(chunks_total=len(chunks))
    run.chunks_total = len(chunks)
    if actor is not None:
        record_change(actor=actor, action="control_run.start", instance=run, after={"rule_codes": codes})
    from audit.tasks import dispatch_rule_run  # tasks import services; import here to keep one direction

    transaction.on_commit(lambda: dispatch_rule_run.delay(run.pk))
    return run


def rule_run_chunk_ids(*, run_id: int) -> list[int]:
    return list(RuleRunChunk.objects.filter(run_id=run_id, done=False).values_list("pk", flat=True))


def rule_run_chunks_dispatched(*, run_id: int) -> list[int]:
    """The run's unfinished chunks, noted as sent now (the watchdog reads when and how often)."""
    chunk_ids = rule_run_chunk_ids(run_id=run_id)
    RuleRunChunk.objects.filter(pk__in=chunk_ids).update(
        dispatched_at=timezone.now(), dispatch_count=F("dispatch_count") + 1
    )
    return chunk_ids


def rule_chunk_begin(*, chunk_id: int) -> None:
    """Note that a worker began the chunk, committed at once (outside the chunk's transaction), so
    the watchdog sees a run whose worker is busy as alive, and one whose worker died as stalled."""
    RuleRunChunk.objects.filter(pk=chunk_id, done=False).update(started_at=timezone.now())


@transaction.atomic
def rule_chunk_execute(*, chunk_id: int) -> bool:
    """Run one chunk once; the last chunk of a run finishes the run. Returns False if already done."""
    chunk = RuleRunChunk.objects.select_for_update().select_related("run").get(pk=chunk_id)
    if chunk.done or chunk.run.status != RunStatus.RUNNING:
        return False
    began = time.monotonic()
    counts = engine.run_chunk(rule_code=chunk.rule_code, lower=chunk.lower, upper=chunk.upper, as_of=chunk.run.as_of)
    RuleRunChunk.objects.filter(pk=chunk.pk).update(
        done=True, finished_at=timezone.now(), duration_ms=int((time.monotonic() - began) * 1000), **counts.as_dict()
    )
    RuleRun.objects.filter(pk=chunk.run_id).update(chunks_done=F("chunks_done") + 1)
    _finish_if_complete(chunk.run_id)
    return True


def _finish_if_complete(run_id: int) -> None:
    # The row lock serialises the chunks' increments: whoever sees the last one finishes the run.
    run = RuleRun.objects.select_for_update().get(pk=run_id)
    if run.chunks_done >= run.chunks_total and run.status == RunStatus.RUNNING:
        totals = run.chunks.aggregate(
            subjects_examined=Sum("subjects_examined"),
            flags_opened=Sum("flags_opened"),
            flags_kept=Sum("flags_kept"),
            flags_resolved=Sum("flags_resolved"),
        )
        now = timezone.now()
        RuleRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            finished_at=now,
            duration_ms=int((now - run.started_at).total_seconds() * 1000),
            **{k: v or 0 for k, v in totals.items()},
        )


def stalled_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "AUDIT_RUN_STALLED_AFTER_SECONDS", 900)))


def running_runs_activity():
    """Running runs with the last time anything happened in them (sent, begun or finished a chunk)."""
    return RuleRun.objects.filter(status=RunStatus.RUNNING).annotate(
        last_sent=Max("chunks__dispatched_at"),
        last_begun=Max("chunks__started_at"),
        last_finished=Max("chunks__finished_at"),
    )


def last_activity(run: RuleRun) -> datetime.datetime:
    return max(t for t in (run.started_at, run.last_sent, run.last_begun, run.last_finished) if t is not None)


def stalled_runs_redispatch(*, now: datetime.datetime | None = None) -> dict[int, list[int]]:
    """The watchdog (beat, every AUDIT_RUN_WATCH_SECONDS): send again the unfinished chunks of every
    run in which nothing happened for AUDIT_RUN_STALLED_AFTER_SECONDS. Reads the database only, so
    a run whose messages Redis lost (restart without its data) is found as surely as one whose
    worker was killed. Idempotent: a chunk done twice changes nothing (rule_chunk_execute). A run
    with a chunk sent AUDIT_CHUNK_MAX_DISPATCHES times without finishing is failed, with the reason.
    Returns {run id: chunk ids sent again}."""
    now = now or timezone.now()
    limit = now - stalled_after()
    max_dispatches = int(getattr(settings, "AUDIT_CHUNK_MAX_DISPATCHES", 5))
    sent: dict[int, list[int]] = {}
    for run in running_runs_activity():
        if last_activity(run) >= limit:
            continue
        with transaction.atomic():
            locked = RuleRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != RunStatus.RUNNING:
                continue
            pending = list(RuleRunChunk.objects.filter(run=locked, done=False).order_by("pk"))
            if not pending:  # nothing left to do (a run of no rules): finish it
                _finish_if_complete(locked.pk)
                continue
            worn = [c for c in pending if c.dispatch_count >= max_dispatches]
            if worn:
                rule_run_fail(run_id=locked.pk, error=(
                    f"En del av körningen ({worn[0].rule_code}) skickades {worn[0].dispatch_count} gånger "
                    "utan att bli klar; körningen avbröts."
                ))
                continue
            sent[locked.pk] = rule_run_chunks_dispatched(run_id=locked.pk)
            transaction.on_commit(_send_chunks(locked.pk, sent[locked.pk]))
    return sent


def _send_chunks(run_id: int, chunk_ids: list[int]):
    def send():
        from audit.tasks import send_chunks  # tasks import services; import here to keep one direction

        send_chunks(run_id, chunk_ids)

    return send


@transaction.atomic
def rule_run_fail(*, run_id: int, error: str) -> None:
    now = timezone.now()
    run = RuleRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return
    RuleRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED,
        finished_at=now,
        duration_ms=int((now - run.started_at).total_seconds() * 1000),
        error=error[:5000],
    )


def subjects_reevaluate(*, facts: dict, as_of: datetime.date | None = None) -> dict[str, dict]:
    """Re-check, for the subjects the saved facts concern, every enabled rule that reads them.

    `facts` is reevaluation.facts_payload's `{object_type: {"ids": [...], "persons": [...]}}`. Each
    rule's subjects go through the engine's chunk over explicit ids, the nightly run's own code, in
    chunks of at most the chunk size; each chunk is its own transaction, so a retry redoes only
    what did not commit, and redoing a chunk changes nothing. Returns the counts per rule.
    """
    as_of = as_of or timezone.localdate()
    codes = rules_reading(facts)
    enabled = set(Rule.objects.filter(code__in=codes, enabled=True).values_list("code", flat=True))
    result = {}
    for code in (c for c in codes if c in enabled):
        rule = REGISTRY[code]
        read = {t: facts[t] for t in rule.reads if t in facts}
        ids = engine.subjects_touched(
            rule,
            object_ids=read.get(rule.subject_type, {}).get("ids", ()),
            person_ids=[p for fact in read.values() for p in fact["persons"]],
        )
        totals = engine.ChunkCounts()
        for chunk in engine.id_chunks(ids):
            counts = engine.run_chunk(rule_code=code, subject_ids=chunk, as_of=as_of)
            for name, value in counts.as_dict().items():
                setattr(totals, name, getattr(totals, name) + value)
        result[code] = totals.as_dict()
    return result


# --- Flags ----------------------------------------------------------------------------------

# Which manual step may follow which state. Resolution is the engine's (condition gone);
# a person closes a flag once its actions are done.
TRANSITIONS = {
    "acknowledge": ({FlagStatus.OPEN}, FlagStatus.ACKNOWLEDGED),
    "close": ({FlagStatus.ACKNOWLEDGED, FlagStatus.ACTION_PLANNED}, FlagStatus.CLOSED),
}
# The same steps as a person names them (the API's choices and their labels in the schema).
TRANSITION_LABELS = {"acknowledge": "Kvittera", "close": "Avsluta"}


def _transition(*, actor, flag: Flag, to_status: str, event: str, comment: str = "") -> Flag:
    before = snapshot(flag, ["status"])
    previous = flag.status
    flag.status = to_status
    flag.save(update_fields=["status", "updated_at"])
    FlagTransition.objects.create(
        flag=flag, from_status=previous, to_status=to_status, event=event, actor=actor, occurred_at=timezone.now(),
        comment=comment,
    )
    record_change(
        actor=actor, action=f"control_flag.{event}", instance=flag, person_ids=[flag.person_id], before=before,
        after={"status": to_status},
    )
    return flag


@transaction.atomic
def flag_transition(*, actor: Staff, flag: Flag, event: str, comment: str = "") -> Flag:
    require_role(actor, FLAG_HANDLERS, doing="hantera flaggor")
    if event not in TRANSITIONS:
        raise _field_error("event", "Okänd åtgärd för flaggan.", "unknown_event")
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    allowed_from, to_status = TRANSITIONS[event]
    if flag.status not in allowed_from:
        raise Conflict(
            f"Flaggan har status '{flag.get_status_display()}' och kan inte ändras så.", code="transition_not_allowed",
            field="event",
        )
    if event == "close":
        if flag.actions.filter(status=ActionStatus.PLANNED).exists():
            raise Conflict("Flaggan har åtgärder som inte är genomförda.", code="actions_open", field="event")
        if not comment.strip():
            raise _field_error("comment", "Ange varför flaggan avslutas.", "required")
    flag = _transition(actor=actor, flag=flag, to_status=to_status, event=event, comment=comment)
    if to_status == FlagStatus.CLOSED:  # closed by a person; the engine's resolutions write theirs in SQL
        event_emit(event_type=EventType.FLAG_CLOSED, unit_id=flag.unit_id, subject_type="flag", subject_id=flag.pk)
    return flag


@transaction.atomic
def flags_escalate(*, now: datetime.datetime | None = None) -> int:
    """Send unattended flags (still open after the rule's days) to their unit's manager. Set-based."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    manager = Staff.objects.filter(unit_id=OuterRef("unit_id"), role=Role.UNIT_MANAGER, is_active=True).order_by("pk")
    due = Flag.objects.filter(status=FlagStatus.OPEN, escalated_at__isnull=True, unit__isnull=False)
    # first_seen + escalate_after_days <= today, written per rule so it stays portable SQL.
    ids: list[int] = []
    for rule_id, days in Rule.objects.values_list("pk", "escalate_after_days"):
        ids += list(
            due.filter(rule_id=rule_id, first_seen__lte=today - datetime.timedelta(days=days))
            .annotate(manager_id=Subquery(manager.values("pk")[:1]))
            .filter(manager_id__isnull=False)
            .values_list("pk", flat=True)
        )
    if not ids:
        return 0
    Flag.objects.filter(pk__in=ids).update(
        escalated_at=now, escalated_to_id=Subquery(manager.values("pk")[:1]), updated_at=now
    )
    FlagTransition.objects.bulk_create(
        FlagTransition(
            flag_id=pk, from_status=FlagStatus.OPEN, to_status=FlagStatus.OPEN, event="escalated", occurred_at=now,
            comment="Ej hanterad inom tidsgränsen; skickad till enhetschefen.",
        )
        for pk in ids
    )
    return len(ids)


# --- Corrective actions ---------------------------------------------------------------------


@transaction.atomic
def corrective_action_create(
    *,
    actor: Staff,
    description: str,
    owner: Staff | None,
    due_date: datetime.date | None,
    flag: Flag | None = None,
    sample_answer: ChecklistAnswer | None = None,
) -> CorrectiveAction:
    require_role(actor, FLAG_HANDLERS, doing="planera åtgärder")
    errors = {}
    if owner is None:
        errors["owner"] = ValidationError("Ange vem som äger åtgärden.", code="required")
    if due_date is None:
        errors["due_date"] = ValidationError("Ange när åtgärden ska vara klar.", code="required")
    elif due_date < timezone.localdate():
        errors["due_date"] = ValidationError("Datumet har redan passerat.", code="in_past")
    if not (description or "").strip():
        errors["description"] = ValidationError("Beskriv åtgärden.", code="required")
    if (flag is None) == (sample_answer is None):
        errors["flag"] = ValidationError("Ange antingen en flagga eller ett stickprovssvar.", code="required")
    if errors:
        raise ValidationError(errors)
    if flag is not None:
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.status not in LIVE_FLAG_STATUSES:
            raise Conflict("Flaggan är redan avslutad.", code="flag_not_live", field="flag")
    action = CorrectiveAction(
        flag=flag, sample_answer=sample_answer, description=description.strip(), owner=owner, due_date=due_date,
        created_by=actor,
    )
    action.full_clean()
    action.save()
    person_id = flag.person_id if flag else sample_answer.item.person_id
    record_change(
        actor=actor, action="control_action.create", instance=action, person_ids=[person_id],
        after=snapshot(action, ["flag", "sample_answer", "description", "owner", "due_date"]),
    )
    if flag is not None and flag.status != FlagStatus.ACTION_PLANNED:
        _transition(actor=actor, flag=flag, to_status=FlagStatus.ACTION_PLANNED, event="action_planned")
    return action


def _action_person(action: CorrectiveAction):
    return action.flag.person_id if action.flag_id else action.sample_answer.item.person_id


@transaction.atomic
def corrective_action_follow_up(*, actor: Staff, action: CorrectiveAction, note: str) -> CorrectiveAction:
    require_role(actor, FLAG_HANDLERS, doing="följa upp åtgärder")
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.PLANNED:
        raise Conflict("Åtgärden är redan avslutad.", code="action_completed", field="note")
    if not (note or "").strip():
        raise _field_error("note", "Skriv vad uppföljningen visade.", "required")
    before = snapshot(action, ["followed_up_on", "follow_up_note"])
    action.followed_up_on = timezone.localdate()
    action.follow_up_note = note.strip()
    action.followed_up_by = actor
    action.save(update_fields=["followed_up_on", "follow_up_note", "followed_up_by", "updated_at"])
    record_change(
        actor=actor, action="control_action.follow_up", instance=action, person_ids=[_action_person(action)],
        before=before, after=snapshot(action, ["followed_up_on", "follow_up_note"]),
    )
    return action


@transaction.atomic
def corrective_action_complete(*, actor: Staff, action: CorrectiveAction, outcome: str) -> CorrectiveAction:
    require_role(actor, FLAG_HANDLERS, doing="avsluta åtgärder")
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if action.status != ActionStatus.PLANNED:
        raise Conflict("Åtgärden är redan avslutad.", code="action_completed", field="outcome")
    if not (outcome or "").strip():
        raise _field_error("outcome", "Ange åtgärdens resultat.", "required")
    before = snapshot(action, ["status", "outcome"])
    action.status = ActionStatus.COMPLETED
    action.outcome = outcome.strip()
    action.completed_on = timezone.localdate()
    action.completed_by = actor
    action.full_clean()
    action.save(update_fields=["status", "outcome", "completed_on", "completed_by", "updated_at"])
    record_change(
        actor=actor, action="control_action.complete", instance=action, person_ids=[_action_person(action)],
        before=before, after=snapshot(action, ["status", "outcome"]),
    )
    return action


# --- Control samples ------------------------------------------------------------------------


def sample_population(
    *, unit: Unit, period_start: datetime.date, period_end: datetime.date, population: str = SamplePopulation.CASES
) -> list[tuple[int, int | None]]:
    """The (case, person) pairs a sample is drawn from, in a stable order (so a seed redraws).

    - cases held by the unit (SamplePopulation.CASES): every case of the unit open at some time in
      the period, with the person checked in it: its applicant (else the first adult member);
    - persons the unit works with (SamplePopulation.PERSONS): every person with an assignment to
      a coordinator of the unit at some time in the period, with the case of their latest such
      assignment (DOMAIN.md 4: the coordinator unit's own control, 004:583-605).
    One query.
    """
    if population == SamplePopulation.PERSONS:
        assignments = (
            CoordinatorAssignment.objects.filter(coordinator__unit=unit, start_date__lte=period_end)
            .exclude(end_date__lt=period_start)
            .order_by("applicant_id", "-start_date", "-pk")
            .values_list("applicant_id", "case_id")
        )
        latest: dict[int, int] = {}
        for person_id, case_id in assignments:  # bounded by the unit's assignments in the period
            latest.setdefault(person_id, case_id)
        return [(case_id, person_id) for person_id, case_id in latest.items()]
    applicant = Subquery(household_applicant("household_id").values("applicant_id")[:1])
    cases = (
        Case.objects.filter(unit=unit, opened_on__lte=period_end)
        .exclude(closed_on__lt=period_start)
        .annotate(person_id=applicant)
        .order_by("pk")
    )
    return list(cases.values_list("pk", "person_id"))


@transaction.atomic
def sample_draw(
    *,
    actor: Staff,
    unit: Unit,
    period_start: datetime.date,
    period_end: datetime.date,
    size: int = DEFAULT_SAMPLE_SIZE,
    seed: int | None = None,
    population: str = SamplePopulation.CASES,
) -> ControlSample:
    require_role(actor, {Role.UNIT_MANAGER}, doing="dra stickprov")
    if actor.unit_id != unit.pk:
        raise _field_error("unit", "Du kan bara dra stickprov i din egen enhet.", "other_unit")
    if population not in SamplePopulation.values:
        raise _field_error("population", "Välj om urvalet görs bland ärenden eller personer.", "invalid_choice")
    if period_end < period_start:
        raise _field_error("period_end", "Perioden slutar före sin början.", "period_backwards")
    if size < 1:
        raise _field_error("size", "Stickprovet måste omfatta minst ett ärende.", "too_small")
    pairs = sample_population(unit=unit, period_start=period_start, period_end=period_end, population=population)
    if size > len(pairs):
        what = "personer" if population == SamplePopulation.PERSONS else "ärenden"
        raise _field_error(
            "size", f"Stickprovet ({size}) är större än populationen ({len(pairs)} {what}).", "larger_than_population"
        )
    seed = seed if seed is not None else random.SystemRandom().randrange(2**62)
    chosen = random.Random(seed).sample(pairs, size)
    sample = ControlSample.objects.create(
        unit=unit, population=population, period_start=period_start, period_end=period_end, size=size, seed=seed,
        population_size=len(pairs), drawn_by=actor,
    )
    judged = checklist.prefill(person_ids=[p for _, p in chosen if p], as_of=period_end)
    ControlSampleItem.objects.bulk_create(
        ControlSampleItem(
            sample=sample, case_id=case_id, person_id=person_id, position=i,
            plan_id=judged[person_id].plan_id if person_id else None,
            plan_state=judged[person_id].plan_state if person_id else "",
        )
        for i, (case_id, person_id) in enumerate(chosen, start=1)
    )
    items = list(ControlSampleItem.objects.filter(sample=sample).order_by("position"))
    ChecklistAnswer.objects.bulk_create(
        ChecklistAnswer(
            item=item, question=q.code,
            prefilled=judged[item.person_id].answers[q.code][0] if item.person_id else "",
            prefill_reason=judged[item.person_id].answers[q.code][1] if item.person_id else "",
        )
        for item in items
        for q in checklist.QUESTIONS
    )
    record_change(
        actor=actor, action="control_sample.draw", instance=sample,
        after=snapshot(sample, ["unit", "population", "period_start", "period_end", "size", "seed", "population_size"]),
    )
    return sample


def checklist_answer_review(*, actor: Staff, answer: ChecklistAnswer, value: str, comment: str = "") -> ChecklistAnswer:
    """Confirm the prefilled answer, or override it (a comment says why); "not applicable" needs a
    reason. The bulk review (review_services) with one row, its errors named by field alone."""
    try:
        return checklist_answers_review(actor=actor, rows=[AnswerReview(answer.pk, value, comment)])[0]
    except ValidationError as exc:
        raise without_row_prefix(exc) from None


def scheduled_rule_codes(*, schedule: str) -> list[str]:
    engine.rules_sync()
    return sorted(
        set(Rule.objects.filter(enabled=True, schedule=schedule).values_list("code", flat=True)) & set(REGISTRY)
    )


@transaction.atomic
def scheduled_run_start(*, schedule: str, as_of: datetime.date | None = None) -> int | None:
    """Start today's scheduled run of `schedule`'s rules, once: the task is acked late, so a
    redelivery (worker lost) must find the run it already started rather than start another.
    A failed run does not count, so a retry after a failure does run again."""
    codes = scheduled_rule_codes(schedule=schedule)
    if not codes:
        return None
    as_of = as_of or timezone.localdate()
    started = (
        RuleRun.objects.select_for_update()
        .filter(trigger=RunTrigger.SCHEDULE, as_of=as_of)
        .exclude(status=RunStatus.FAILED)
        .values_list("pk", "rule_codes")
    )
    # Runs per day are a handful (one per schedule), so comparing the code lists here is bounded.
    existing = next((pk for pk, run_codes in started if sorted(run_codes) == codes), None)
    if existing is not None:
        return existing
    return rule_run_start(actor=None, rule_codes=codes, trigger=RunTrigger.SCHEDULE, as_of=as_of).pk

"""Bulk import of decisions on ekonomiskt bistånd from a previous system, with their execution events.

An imported decision keeps what was decided then: its date, amounts, legal basis, decision maker
and delegation point, even where today's delegation order would not allow it (the check is not
run). The application month it belongs to is found or created. Structure is still checked: known
codes, amounts that match the outcome, execution events in an order that can have happened.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from audit.recording.log import Change, record_changes, snapshot

from .decision_services import DECISION_FIELDS, EXECUTION_ORDER_MESSAGE, execution_allowed
from .finance_models import (
    EXECUTION_STATE_KINDS,
    GRANTING_OUTCOMES,
    Application,
    ApplicationCost,
    ApplicationStatus,
    CostType,
    Decision,
    DecisionExecutionEvent,
    DecisionItemKind,
    DecisionOutcome,
    DelegationPoint,
    ExecutionEventKind,
    LegalBasis,
)
from .import_services import (
    BATCH_SIZE,
    ImportOutcome,
    Refused,
    adults_of_households,
    check_each,
    code_in,
    record_imports,
    required,
    staff_by_username,
    staff_member,
)
from .models import Case, Staff


def signed_at(day: datetime.date) -> datetime.datetime:
    """An imported decision or plan was signed on its date; the time of day is not known (noon)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _in_force(bases: list[LegalBasis], code, on: datetime.date) -> LegalBasis:
    """The provision `code` names as in force on the decision date, whichever law's code the file
    uses (as cases.finance_selectors.legal_basis_in_force, over rows loaded once per batch): an
    imported decision of 2023 cites SoL (2001:453) 4 kap. 1 §, one from 1 July 2025 SoL (2025:400)."""
    named = [b for b in bases if code in (b.code, getattr(b.replaces, "code", None))
             or any(other.replaces_id == b.pk and other.code == code for other in bases)]
    if not named:
        raise Refused("legal_basis", f"Okänd kod för lagrum: {code!r}.", "unknown_code")
    in_force = [b for b in named if b.covers(on)]
    if not in_force:
        raise Refused("legal_basis", "Lagrummet gällde inte på beslutsdatumet.", "not_in_force")
    return in_force[0]


def _amounts(spec: dict) -> tuple[int, int]:
    outcome = spec["outcome"]
    applied = spec.get("amount_applied")
    if not isinstance(applied, int) or isinstance(applied, bool) or applied < 0:
        raise Refused("amount_applied", "Ange sökt belopp i hela kronor.", "invalid")
    amount = spec.get("amount")
    if outcome == DecisionOutcome.REFUSED:
        amount = 0 if amount is None else amount
    elif outcome == DecisionOutcome.GRANTED and amount is None:
        amount = applied
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise Refused("amount", "Ange beviljat belopp i hela kronor.", "invalid")
    ok = {
        DecisionOutcome.REFUSED: amount == 0,
        DecisionOutcome.GRANTED: amount == applied and applied > 0,
        DecisionOutcome.PARTLY_GRANTED: 0 < amount < applied,
    }[outcome]
    if not ok:
        raise Refused("amount", "Beloppet stämmer inte med utfallet (bifall: det sökta, delvis bifall: mindre, "
                      "avslag: 0 kr).", "amount_outcome")
    return applied, amount


def _events(spec: dict, decided_on: datetime.date) -> list[DecisionExecutionEvent]:
    events, last_kind, last_on = [], None, decided_on
    for i, event in enumerate(spec.get("execution_events") or []):
        prefix = f"execution_events[{i}]."
        kind = code_in(event.get("kind"), ExecutionEventKind.values, f"{prefix}kind", "verkställighetshändelse")
        if spec["outcome"] not in GRANTING_OUTCOMES:
            raise Refused(f"{prefix}kind", "Endast beviljade beslut verkställs.", "not_granted")
        occurred_on = required(event, "occurred_on", "Ange datum.", prefix)
        if occurred_on < last_on:
            raise Refused(f"{prefix}occurred_on", "Datumet ligger före beslutsdatumet eller föregående händelse.",
                          "period_backwards")
        if not execution_allowed(last_kind, kind):
            raise Refused(f"{prefix}kind", EXECUTION_ORDER_MESSAGE, "invalid_transition")
        if kind == ExecutionEventKind.DELAY_NOTED:
            required(event, "note", "Ange skälet till dröjsmålet.", prefix)
        if kind in EXECUTION_STATE_KINDS:
            last_kind, last_on = kind, occurred_on
        events.append(DecisionExecutionEvent(kind=kind, occurred_on=occurred_on, note=(event.get("note") or "").strip()))
    return events


@transaction.atomic
def decisions_import(*, actor: Staff, specs: Sequence[dict], provenance: Sequence[dict]) -> ImportOutcome:
    """Decisions (`case_id`), each with its application month, cost item and execution events."""
    outcome = ImportOutcome()
    cases = {c.pk: c for c in Case.objects.filter(pk__in={s.get("case_id") for s in specs}).only("pk", "household_id")}
    bases = list(LegalBasis.objects.filter(is_active=True).select_related("replaces"))  # reference data: a few rows
    points = DelegationPoint.objects.filter(code__in={s.get("delegation_point") for s in specs}).in_bulk(
        field_name="code")
    cost_types = CostType.objects.filter(code__in={s.get("cost_type") for s in specs}).in_bulk(field_name="code")
    staff = staff_by_username(s.get("decided_by") for s in specs)

    def check(index: int, spec: dict) -> dict:
        item_kind = code_in(spec.get("item_kind") or DecisionItemKind.INCOME_SUPPORT, DecisionItemKind.values,
                            "item_kind", "beslutspost")
        code_in(spec.get("outcome"), DecisionOutcome.values, "outcome", "utfall")
        decided_on = required(spec, "decided_on", "Ange beslutsdatum.")
        basis = _in_force(bases, spec.get("legal_basis"), decided_on)
        point = points.get(spec.get("delegation_point"))
        if point is None:
            raise Refused("delegation_point", f"Okänd delegationspunkt: {spec.get('delegation_point')!r}.",
                          "unknown_code")
        cost_type = None
        if item_kind == DecisionItemKind.COST:
            cost_type = cost_types.get(spec.get("cost_type"))
            if cost_type is None:
                raise Refused("cost_type", f"Okänd kod för kostnadsslag: {spec.get('cost_type')!r}.", "unknown_code")
        decided_by = staff_member(spec, "decided_by", staff, None)
        month = required(spec, "month", "Ange ansökningsmånaden.")
        received_on = spec.get("received_on") or decided_on
        if decided_on < received_on:
            raise Refused("decided_on", "Beslutsdatumet ligger före ansökans inkomstdatum.", "period_backwards")
        reasoning = required(spec, "reasoning", "Beslutet måste motiveras.")
        applied, amount = _amounts(spec)
        decision = Decision(
            item_kind=item_kind, outcome=spec["outcome"], amount_applied=applied, amount=amount, legal_basis=basis,
            reasoning=reasoning, decided_by=decided_by, decided_by_role=decided_by.role, delegation_point=point,
            decided_on=decided_on, signed_at=signed_at(decided_on), appeal_information=basis.appeal_information,
        )
        return {"decision": decision, "events": _events(spec, decided_on), "cost_type": cost_type,
                "month": month.replace(day=1), "received_on": received_on, "case_id": spec["case_id"]}

    built = check_each(specs, outcome, check)
    applications, new_applications = _applications(actor, built.values())
    costs = []
    for item in built.values():
        item["decision"].application = applications[(item["case_id"], item["month"])]
        if item["cost_type"] is not None:
            cost = ApplicationCost(application=item["decision"].application, cost_type=item["cost_type"],
                                   amount_applied=item["decision"].amount_applied,
                                   amount_approved=item["decision"].amount)
            item["decision"].cost = cost
            costs.append(cost)
    ApplicationCost.objects.bulk_create(costs, batch_size=BATCH_SIZE)
    Decision.objects.bulk_create([item["decision"] for item in built.values()], batch_size=BATCH_SIZE)
    events = []
    for item in built.values():
        for event in item["events"]:
            event.decision, event.recorded_by = item["decision"], actor
            events.append(event)
    DecisionExecutionEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    outcome.objects.update({i: item["decision"] for i, item in built.items()})
    adults = adults_of_households(cases[item["case_id"]].household_id for item in built.values())
    # The application months the previous system's decisions belonged to, created as decided.
    record_changes(actor=actor, action="application.import", changes=[
        Change(a, sorted(adults[cases[a.case_id].household_id]) or [None], None,
               snapshot(a, ("case", "month", "received_on", "status")))
        for a in new_applications
    ])
    record_imports(actor=actor, action="decision.import", rows=[
        (item["decision"], sorted(adults[cases[item["case_id"]].household_id]),
         {**snapshot(item["decision"], DECISION_FIELDS),
          "execution_events": [[e.kind, e.occurred_on.isoformat(), e.note] for e in item["events"]]})
        for item in built.values()
    ], provenance=[provenance[i] for i in built])
    return outcome


def _applications(actor: Staff, items) -> tuple[dict[tuple[int, datetime.date], Application], list[Application]]:
    """The application of each (case, month) the decisions belong to: found, or created as decided."""
    wanted = {(item["case_id"], item["month"]): item["received_on"] for item in items}
    if not wanted:
        return {}, []
    found = {
        (a.case_id, a.month): a
        for a in Application.objects.filter(case_id__in={c for c, _ in wanted}, month__in={m for _, m in wanted})
        .exclude(status=ApplicationStatus.WITHDRAWN)
    }
    found = {key: a for key, a in found.items() if key in wanted}
    Application.objects.filter(pk__in=[a.pk for a in found.values() if a.status != ApplicationStatus.DECIDED]).update(
        status=ApplicationStatus.DECIDED)
    new = [Application(case_id=case_id, month=month, received_on=received_on, status=ApplicationStatus.DECIDED,
                       created_by=actor)
           for (case_id, month), received_on in wanted.items() if (case_id, month) not in found]
    Application.objects.bulk_create(new, batch_size=BATCH_SIZE)
    found.update({(a.case_id, a.month): a for a in new})
    return found, new

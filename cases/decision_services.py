"""Writes for decisions on applications and their execution (DOMAIN.md 2.2, 5 and 7).

A decision is signed when it is made and never changes; a correction is a new decision that
`replaces` it. Only a decision maker whose point of the delegation order covers the decision
(role, legal basis, kind of item, amount) may make it; otherwise NotAllowed names the point.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.recording.log import record_change, snapshot
from audit.recording.webhook_models import EventType
from audit.recording.webhooks import event_emit
from config.errors import Conflict, NotAllowed
from config.errors import field_error as _error

from . import finance_selectors as fs
from .application_services import kronor
from .finance_models import (
    ADVERSE_OUTCOMES,
    EXECUTION_STATE_KINDS,
    GRANTING_OUTCOMES,
    Application,
    ApplicationStatus,
    Decision,
    DecisionExecutionEvent,
    DecisionItemKind,
    DecisionOutcome,
    DelegationPoint,
    ExecutionEventKind,
    LegalBasis,
)
from .letter_models import DecisionDelivery, DeliveryWay
from .letters import letter_sign
from .models import Role, Staff
from .permissions import require_role
from .services import case_person_ids_db

DECISION_FIELDS = (
    "application", "item_kind", "cost", "calculation", "outcome", "amount_applied", "amount", "legal_basis",
    "reasoning", "decided_by", "delegation_point", "decided_on", "appeal_information", "norm_is_official",
    "communication_omitted_reason", "replaces",
)
DELIVERY_FIELDS = ("decision", "delivered_on", "way", "recorded_by")


def _role_label(role: str) -> str:
    return Role(role).label.lower() if role in Role.values else role


def check_delegation(*, actor: Staff, point: DelegationPoint, legal_basis: LegalBasis, item_kind: str, amount: int) -> None:
    """Raise NotAllowed naming the missing delegation unless `point` covers this decision."""
    where = f"Delegationspunkt {point.code} ({point.description})"
    if not point.is_active:
        raise NotAllowed(f"{where} gäller inte längre.", code="missing_delegation", field="delegation_point")
    if point.role != actor.role:
        raise NotAllowed(f"Du saknar delegation: {where} är delegerad till {_role_label(point.role)}, "
                         f"inte {_role_label(actor.role)}.", code="missing_delegation", field="delegation_point")
    if not point.legal_basis.same_provision(legal_basis):
        raise NotAllowed(f"Du saknar delegation: {where} gäller beslut enligt {point.legal_basis}, "
                         f"inte {legal_basis}.", code="missing_delegation", field="delegation_point")
    if point.item_kind and point.item_kind != item_kind:
        raise NotAllowed(f"Du saknar delegation: {where} gäller inte {DecisionItemKind(item_kind).label.lower()}.",
                         code="missing_delegation", field="delegation_point")
    if point.max_amount is not None and amount > point.max_amount:
        raise NotAllowed(f"Du saknar delegation: {where} omfattar belopp upp till {point.max_amount} kr; "
                         f"beslutet gäller {amount} kr.", code="missing_delegation", field="delegation_point")


def _amount_for_outcome(outcome: str, amount, applied: int) -> int:
    if outcome not in DecisionOutcome.values:
        raise _error("outcome", "Ange bifall, delvis bifall eller avslag.", "invalid_choice")
    if outcome == DecisionOutcome.REFUSED:
        if amount not in (None, "") and kronor(amount, "amount") != 0:
            raise _error("amount", "Vid avslag ska beloppet vara 0 kr.", "amount_outcome")
        return 0
    if outcome == DecisionOutcome.GRANTED:
        value = applied if amount in (None, "") else kronor(amount, "amount")
        if value != applied or applied == 0:
            raise _error("amount", f"Vid bifall ska beloppet vara det sökta, {applied} kr.", "amount_outcome")
        return value
    value = kronor(amount, "amount")
    if not 0 < value < applied:
        raise _error("amount", f"Vid delvis bifall ska beloppet vara mellan 0 och {applied} kr.", "amount_outcome")
    return value


@transaction.atomic
def decision_make(
    *,
    actor: Staff,
    application: Application,
    item_kind: str,
    outcome: str,
    legal_basis: str | None = None,
    delegation_point: str | None = None,
    reasoning: str | None = None,
    decided_on: datetime.date | None = None,
    amount=None,
    cost_id: int | None = None,
    replaces: Decision | None = None,
    communication_omitted_reason: str | None = None,
) -> Decision:
    require_role(actor, {Role.CASEWORKER, Role.UNIT_MANAGER}, doing="fatta beslut om ekonomiskt bistånd")
    application = fs.applications_for(actor).select_for_update(of=("self",)).select_related("case").filter(pk=application.pk).first()
    if application is None:
        raise _error("application", "Ansökan finns inte eller ligger utanför din behörighet.", "not_found")
    if application.status == ApplicationStatus.WITHDRAWN:
        raise _error("application", "Ansökan är återtagen.", "withdrawn")
    errors = {}
    if not (reasoning or "").strip():
        errors["reasoning"] = ValidationError("Beslutet måste motiveras.", code="required")
    # The provision is cited as in force on the decision date: a caseworker names the provision
    # (e.g. sol-12-1, ekonomiskt bistånd); a decision dated before 1 July 2025 cites SoL (2001:453)
    # 4 kap. 1 §, one from then SoL (2025:400) 12 kap. 1 §, whichever code was given.
    basis, known = fs.legal_basis_in_force(legal_basis, decided_on or timezone.localdate()) if legal_basis \
        else (None, False)
    if basis is None:
        errors["legal_basis"] = ValidationError(
            "Ange beslutets lagrum." if not legal_basis else
            "Lagrummet gällde inte på beslutsdatumet." if known else f"Okänt lagrum: {legal_basis!r}.",
            code="required" if not legal_basis else "not_in_force" if known else "unknown_code")
    point = DelegationPoint.objects.select_related("legal_basis").filter(code=delegation_point).first() \
        if delegation_point else None
    if point is None:
        errors["delegation_point"] = ValidationError("Ange delegationspunkt." if not delegation_point else
                                                     f"Okänd delegationspunkt: {delegation_point!r}.", code="required")
    if decided_on and decided_on > timezone.localdate():
        errors["decided_on"] = ValidationError("Beslutsdatumet kan inte ligga i framtiden.", code="in_future")
    if item_kind not in DecisionItemKind.values:
        errors["item_kind"] = ValidationError("Okänd beslutspost.", code="invalid_choice")
    if errors:
        raise ValidationError(errors)

    calculation = application.calculations.order_by("-pk").first()
    cost = None
    if item_kind == DecisionItemKind.INCOME_SUPPORT:
        if calculation is None:
            raise _error("item_kind", "Gör och spara en beräkning innan beslut om försörjningsstöd.", "no_calculation")
        applied = calculation.requested_amount
    else:
        cost = application.costs.select_related("cost_type").filter(pk=cost_id).first() if cost_id else None
        if cost is None:
            raise _error("cost", "Ange en kostnadspost i ansökan.", "not_found")
        if cost.cost_type.counts:
            raise _error("cost", "Kostnaden ingår i försörjningsstödet och prövas i det beslutet.", "part_of_income_support")
        applied = cost.amount_applied
    granted = _amount_for_outcome(outcome, amount, applied)

    in_force = Decision.objects.filter(application=application, item_kind=item_kind, cost=cost, replaced_by__isnull=True)
    if replaces is None and in_force.exists():
        raise Conflict("Det finns redan ett beslut om denna post. Ett beslut ändras genom ett nytt beslut som ersätter det.",
                       code="decision_exists", field="replaces")
    if replaces is not None and not in_force.filter(pk=replaces.pk).exists():
        raise _error("replaces", "Beslutet som ska ersättas gäller inte samma post eller är redan ersatt.", "invalid")

    check_delegation(actor=actor, point=point, legal_basis=basis, item_kind=item_kind, amount=granted)
    omitted = communication_check(application=application, outcome=outcome, decided_on=decided_on or timezone.localdate(),
                                  reason=communication_omitted_reason)

    decision = Decision(
        application=application, item_kind=item_kind, cost=cost, calculation=calculation, outcome=outcome,
        amount_applied=applied, amount=granted, legal_basis=basis, reasoning=reasoning.strip(), decided_by=actor,
        decided_by_role=actor.role, delegation_point=point, decided_on=decided_on or timezone.localdate(),
        signed_at=timezone.now(), appeal_information=basis.appeal_information,
        norm_is_official=calculation.norm_is_official if calculation else True, replaces=replaces,
        communication_omitted_reason=omitted,
    )
    decision.full_clean(validate_constraints=False)
    decision.save()
    # The letter is part of the signing: made now, from what the decision rests on, and never again.
    letter_sign(decision)
    if application.status != ApplicationStatus.DECIDED:
        application.status = ApplicationStatus.DECIDED
        application.save(update_fields=["status", "updated_at"])
    record_change(actor=actor, action="decision.correct" if replaces else "decision.make", instance=decision,
                  person_ids=case_person_ids_db(application.case), after=snapshot(decision, DECISION_FIELDS))
    event_emit(event_type=EventType.DECISION_SIGNED, unit_id=application.case.unit_id, subject_type="decision",
               subject_id=decision.pk)
    return decision


def communication_check(*, application: Application, outcome: str, decided_on: datetime.date,
                        reason: str | None) -> str:
    """Before a decision against the applicant, kommunicering (FL 25 §, DOMAIN.md 8): one recorded on
    the application on or before the decision date, or the reason why it was obviously unnecessary.
    Answers the reason to store ("" when a kommunicering was recorded or the decision grants in full)."""
    if outcome not in ADVERSE_OUTCOMES:
        return ""
    if application.communications.filter(communicated_on__lte=decided_on).exists():
        return ""  # communicated: no reason to keep, and no warning on the decision
    if not (reason or "").strip():
        raise _error("communication_omitted_reason",
                     "Beslutet går sökanden emot och ingen kommunicering är registrerad. Registrera kommuniceringen "
                     "först, eller ange varför den uppenbart inte behövdes (förvaltningslagen (2017:900) 25 §).",
                     "communication_missing")
    return reason.strip()


def decision_change(*, actor: Staff, decision: Decision, changes: dict) -> None:
    """A signed decision never changes: always refused, naming the first field asked for."""
    require_role(actor, {Role.CASEWORKER, Role.UNIT_MANAGER}, doing="ändra beslut")
    field = sorted(changes)[0] if changes else "decision"
    raise Conflict("Ett signerat beslut kan inte ändras. Fatta ett nytt beslut som ersätter det.",
                   code="decision_signed", field=field)


EXECUTION_ORDER_MESSAGE = ("Händelsen passar inte beslutets verkställighet hittills "
                           "(verkställt en gång, avbrott, återupptagande).")


def execution_allowed(last_kind: str | None, kind: str) -> bool:
    """Whether an event of `kind` may follow a decision whose latest state event is `last_kind`."""
    return {
        ExecutionEventKind.EXECUTED: last_kind is None,
        ExecutionEventKind.INTERRUPTED: last_kind is not None and last_kind != ExecutionEventKind.INTERRUPTED,
        ExecutionEventKind.RESUMED: last_kind == ExecutionEventKind.INTERRUPTED,
        # A reason for a delay is documented while the decision is not, or no longer, carried out.
        ExecutionEventKind.DELAY_NOTED: last_kind is None or last_kind == ExecutionEventKind.INTERRUPTED,
    }[kind]


@transaction.atomic
def decision_record_execution(*, actor: Staff, decision: Decision, kind: str, occurred_on: datetime.date | None,
                              note: str = "") -> DecisionExecutionEvent:
    """Record that a granted decision was carried out, interrupted or resumed (DOMAIN.md 5)."""
    require_role(actor, {Role.CASEWORKER, Role.UNIT_MANAGER}, doing="registrera verkställighet")
    decision = fs.decisions_for(actor).select_for_update().filter(pk=decision.pk).first()
    if decision is None:
        raise _error("decision", "Beslutet finns inte eller ligger utanför din behörighet.", "not_found")
    if kind not in ExecutionEventKind.values:
        raise _error("kind", "Okänd verkställighetshändelse.", "invalid_choice")
    if not occurred_on:
        raise _error("occurred_on", "Ange datum.", "required")
    if decision.outcome not in GRANTING_OUTCOMES:
        raise _error("decision", "Endast beviljade beslut verkställs.", "not_granted")
    if Decision.objects.filter(replaces=decision).exists():
        raise _error("decision", "Beslutet är ersatt; registrera verkställigheten på det nya beslutet.", "replaced")
    if occurred_on < decision.decided_on:
        raise _error("occurred_on", "Datumet ligger före beslutsdatumet.", "before_decision")
    events = list(decision.execution_events.filter(kind__in=EXECUTION_STATE_KINDS).order_by("occurred_on", "pk"))
    last = events[-1] if events else None
    if last is not None and occurred_on < last.occurred_on:
        raise _error("occurred_on", "Datumet ligger före den senaste registrerade händelsen.", "before_last_event")
    if kind == ExecutionEventKind.DELAY_NOTED and not (note or "").strip():
        raise _error("note", "Ange skälet till dröjsmålet.", "required")
    if not execution_allowed(last.kind if last else None, kind):
        raise _error("kind", EXECUTION_ORDER_MESSAGE, "invalid_transition")
    event = DecisionExecutionEvent(decision=decision, kind=kind, occurred_on=occurred_on, note=note or "",
                                   recorded_by=actor)
    event.full_clean(validate_constraints=False)
    event.save()
    record_change(actor=actor, action=f"decision.{kind}", instance=event,
                  person_ids=case_person_ids_db(decision.application.case),
                  after=snapshot(event, ("decision", "kind", "occurred_on", "note")))
    return event


@transaction.atomic
def decision_record_delivery(*, actor: Staff, decision: Decision, delivered_on: datetime.date | None,
                             way: str) -> DecisionDelivery:
    """Record when and how the decision was sent or handed over; the appeal period runs from it
    (DOMAIN.md 8). Once per decision: the date the period runs from does not move afterwards."""
    require_role(actor, {Role.CASEWORKER, Role.UNIT_MANAGER}, doing="registrera att beslutet skickats")
    decision = fs.decisions_for(actor).select_for_update(of=("self",)).select_related("application__case__household") \
        .filter(pk=decision.pk).first()
    if decision is None:
        raise _error("decision", "Beslutet finns inte eller ligger utanför din behörighet.", "not_found")
    errors = {}
    if way not in DeliveryWay.values:
        errors["way"] = ValidationError("Ange hur beslutet skickades eller lämnades över.", code="invalid_choice")
    if not delivered_on:
        errors["delivered_on"] = ValidationError("Ange datum.", code="required")
    elif delivered_on < decision.decided_on:
        errors["delivered_on"] = ValidationError("Datumet ligger före beslutsdatumet.", code="before_decision")
    elif delivered_on > timezone.localdate():
        errors["delivered_on"] = ValidationError("Datumet kan inte ligga i framtiden.", code="in_future")
    if errors:
        raise ValidationError(errors)
    if DecisionDelivery.objects.filter(decision=decision).exists():
        raise Conflict("Det är redan registrerat när beslutet skickades eller lämnades över.",
                       code="delivery_recorded", field="delivered_on")
    delivery = DecisionDelivery(decision=decision, delivered_on=delivered_on, way=way, recorded_by=actor)
    delivery.full_clean()
    delivery.save()
    record_change(actor=actor, action="decision.delivery", instance=delivery,
                  person_ids=case_person_ids_db(decision.application.case), after=snapshot(delivery, DELIVERY_FIELDS))
    return delivery

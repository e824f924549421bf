"""Writes for payments (DOMAIN.md 8): a caseworker prepares a payment order for a granted decision,
another member of staff with an attest right attests it, the attested orders of a day form a
batch for the bank, and a payment that comes back is recorded as returned, so that a new order
can pay it again. Refusals name the field and write nothing."""

from __future__ import annotations

import datetime
import re
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from stdnum.se import personnummer

from audit.recording.log import record_change, snapshot
from config.errors import NotAllowed
from config.errors import field_error as _error

from . import finance_selectors as fs
from . import payment_selectors as ps
from .application_services import kronor
from .finance_models import GRANTING_OUTCOMES, Decision
from .models import Role, Staff
from .payment_accounts import payee_account
from .payment_models import AttestRight, PaymentBatch, PaymentOrder, PaymentReturn
from .permissions import require_role

# Who prepares a payment: the caseworker (DOMAIN.md 1). Who may attest: whoever the attest order
# gives an attest right (AttestRight rows); the roles are the finance roles, never the preparer.
PREPARERS = frozenset({Role.CASEWORKER})
ATTESTERS = fs.FINANCE_ROLES
ORDER_FIELDS = ("decision", "amount", "payment_date", "payee_name", "account_kind", "clearing_number",
                "account_number", "reference", "prepared_by", "prepared_at", "attested_by", "attested_at",
                "attest_right", "batch", "reissues")
RETURN_FIELDS = ("order", "returned_on", "reason", "recorded_by")
# The message to the payee goes to their bank and their statement: it may not carry a personnummer.
_DIGIT_RUN = re.compile(r"\d[\d\- +]{8,14}\d")


def default_reference(decision: Decision) -> str:
    return f"Ekonomiskt bistånd {decision.application.month:%Y-%m}"


def _check_reference(reference: str) -> str:
    reference = " ".join((reference or "").split())
    for run in _DIGIT_RUN.findall(reference):
        if personnummer.is_valid(re.sub(r"[\s+]", "", run)):
            raise _error("reference", "Meddelandet till mottagaren får inte innehålla personnummer.", "personal_number")
    return reference


def _person_ids(decision: Decision) -> list[int | None]:
    return fs.decision_person_ids(decision) or [None]


@transaction.atomic
def payment_order_prepare(
    *,
    actor: Staff,
    decision: Decision | int,
    amount,
    payment_date: datetime.date,
    payee_name: str,
    account_kind: str,
    account_number: str,
    clearing_number: str = "",
    reference: str | None = None,
    reissues: PaymentOrder | int | None = None,
) -> PaymentOrder:
    """Prepare (upprätta) one order. The decision must grant money, be in force, and have room for
    the amount: what is ordered and not returned never exceeds what was granted."""
    require_role(actor, PREPARERS, doing="upprätta utbetalningar")
    decision_id = decision.pk if isinstance(decision, Decision) else decision
    # Locked, so that two orders prepared at once cannot both fit in what is left of the decision.
    decision = (fs.decisions_for(actor).select_for_update(of=("self",)).select_related("application__case__household")
                .filter(pk=decision_id).first())
    if decision is None:
        raise _error("decision", "Beslutet finns inte eller ligger utanför din behörighet.", "not_found")
    if decision.outcome not in GRANTING_OUTCOMES:
        raise _error("decision", "Beslutet är ett avslag; det finns inget att betala ut.", "refused")
    if Decision.objects.filter(replaces_id=decision.pk).exists():
        raise _error("decision", "Beslutet har ersatts av ett nytt beslut; betala ut enligt det nya.", "replaced")
    value = kronor(amount, "amount")
    if value == 0:
        raise _error("amount", "Beloppet ska vara större än 0 kr.", "zero")
    already = ps.ordered_total(decision.pk)
    if already + value > decision.amount:
        raise _error("amount", f"Beviljat belopp är {decision.amount} kr och {already} kr är redan upprättat; "
                               f"högst {decision.amount - already} kr återstår.", "over_granted")
    if payment_date is None or payment_date < timezone.localdate():
        raise _error("payment_date", "Utbetalningsdagen kan inte ligga före i dag.", "in_past")
    account = payee_account(account_kind, account_number, clearing_number)
    original = None
    if reissues is not None:
        original_id = reissues.pk if isinstance(reissues, PaymentOrder) else reissues
        original = ps.payment_orders_for(actor).filter(pk=original_id, decision_id=decision.pk).first()
        if original is None:
            raise _error("reissues", "Utbetalningen som ska betalas på nytt finns inte i detta beslut.", "not_found")
        if not PaymentReturn.objects.filter(order=original).exists():
            raise _error("reissues", "Bara en returnerad utbetalning kan betalas ut på nytt.", "not_returned")
        if PaymentOrder.objects.filter(reissues=original).exists():
            raise _error("reissues", "Den returnerade utbetalningen har redan betalats ut på nytt.", "already_reissued")
    order = PaymentOrder(
        decision=decision, amount=value, payment_date=payment_date, payee_name=" ".join((payee_name or "").split()),
        account_kind=account.kind, clearing_number=account.clearing_number, account_number=account.account_number,
        reference=_check_reference(reference if reference is not None else default_reference(decision)),
        prepared_by=actor, prepared_at=timezone.now(), reissues=original,
    )
    order.full_clean(validate_constraints=False)
    order.save()
    record_change(actor=actor, action="payment_order.prepare", instance=order, person_ids=_person_ids(decision),
                  after=snapshot(order, ORDER_FIELDS))
    return order


def attest_right_for(actor: Staff, amount: int) -> AttestRight:
    """The actor's attest right for the amount: of their role's rights, the narrowest that covers it."""
    rights = list(AttestRight.objects.filter(is_active=True, role=actor.role).order_by("code"))
    covering = [r for r in rights if r.max_amount is None or amount <= r.max_amount]
    if not covering:
        limits = ", ".join(f"{r.code} upp till {r.max_amount} kr" for r in rights)
        raise NotAllowed(
            f"Du saknar attesträtt för {amount} kr" + (f" ({limits})." if limits else "."),
            code="missing_attest_right", field="attest_right")
    return min(covering, key=lambda r: (r.max_amount is None, r.max_amount or 0))


@transaction.atomic
def payment_order_attest(*, actor: Staff, order: PaymentOrder | int) -> PaymentOrder:
    """Attest an order. Never by the one who prepared it (DOMAIN.md 8); once only."""
    require_role(actor, ATTESTERS, doing="attestera utbetalningar")
    order_id = order.pk if isinstance(order, PaymentOrder) else order
    order = (ps.payment_orders_for(actor).select_for_update(of=("self",))
             .select_related("decision__application__case__household").filter(pk=order_id).first())
    if order is None:
        raise _error("order", "Utbetalningen finns inte eller ligger utanför din behörighet.", "not_found")
    if order.prepared_by_id == actor.pk:
        raise _error("attested_by", "Den som har upprättat en utbetalning får inte attestera den; "
                                    "en annan person med attesträtt ska göra det.", "preparer_attests")
    if order.attested_by_id is not None:
        raise _error("attested_by", "Utbetalningen är redan attesterad.", "already_attested")
    if PaymentReturn.objects.filter(order=order).exists():
        raise _error("order", "Utbetalningen är returnerad och kan inte attesteras.", "returned")
    right = attest_right_for(actor, order.amount)
    before = snapshot(order, ORDER_FIELDS)
    order.attested_by, order.attested_at, order.attest_right = actor, timezone.now(), right
    order.save(update_fields=["attested_by", "attested_at", "attest_right", "updated_at"])
    record_change(actor=actor, action="payment_order.attest", instance=order,
                  person_ids=_person_ids(order.decision), before=before, after=snapshot(order, ORDER_FIELDS))
    return order


@transaction.atomic
def payment_batch_create(*, actor: Staff, payment_date: datetime.date) -> PaymentBatch:
    """The attested orders of the actor's unit with this payment day that are in no batch yet form
    a new batch. Its count and total are fixed here; the file is checked against them."""
    require_role(actor, ATTESTERS, doing="skapa utbetalningsomgångar")
    if not actor.unit_id:
        raise _error("payment_date", "Du hör inte till någon enhet.", "no_unit")
    orders = (ps.payment_orders_for(actor).select_for_update(of=("self",))
              .filter(payment_date=payment_date, attested_by__isnull=False, batch__isnull=True,
                      payment_return__isnull=True, decision__application__case__unit_id=actor.unit_id))
    ids = list(orders.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise _error("payment_date", f"Det finns inga attesterade utbetalningar den {payment_date} "
                                     "som inte redan ingår i en omgång.", "nothing_to_batch")
    total = PaymentOrder.objects.filter(pk__in=ids).aggregate(s=Sum("amount"))["s"]
    batch = PaymentBatch.objects.create(
        unit_id=actor.unit_id, payment_date=payment_date, number_of_orders=len(ids), total_amount=total,
        message_id=f"EB-{payment_date:%Y%m%d}-{uuid.uuid4().hex[:20]}", created_by=actor, formed_at=timezone.now(),
    )
    PaymentOrder.objects.filter(pk__in=ids).update(batch=batch, updated_at=timezone.now())
    record_change(actor=actor, action="payment_batch.create", instance=batch,
                  person_ids=ps.batch_person_ids(batch) or [None],
                  after={"payment_date": payment_date.isoformat(), "orders": ids, "total_amount": total})
    return batch


@transaction.atomic
def payment_return_record(*, actor: Staff, order: PaymentOrder | int, returned_on: datetime.date,
                          reason: str) -> PaymentReturn:
    """Record that a sent payment came back or failed. The order stays as it was (history); from
    now on it no longer counts as paid, and what it paid can be ordered again."""
    require_role(actor, ATTESTERS, doing="registrera returnerade utbetalningar")
    order_id = order.pk if isinstance(order, PaymentOrder) else order
    order = (ps.payment_orders_for(actor).select_for_update(of=("self",))
             .select_related("batch", "decision__application__case__household").filter(pk=order_id).first())
    if order is None:
        raise _error("order", "Utbetalningen finns inte eller ligger utanför din behörighet.", "not_found")
    if order.batch_id is None:
        raise _error("order", "Bara en utbetalning som skickats till banken kan returneras.", "not_sent")
    if PaymentReturn.objects.filter(order=order).exists():
        raise _error("order", "Utbetalningen är redan registrerad som returnerad.", "already_returned")
    errors = {}
    if returned_on is None or returned_on < order.batch.payment_date:
        errors["returned_on"] = ValidationError("Returdatum kan inte ligga före utbetalningsdagen.", code="before_payment")
    elif returned_on > timezone.localdate():
        errors["returned_on"] = ValidationError("Returdatum kan inte ligga i framtiden.", code="in_future")
    reason = " ".join((reason or "").split())
    if not reason:
        errors["reason"] = ValidationError("Ange orsaken till returen.", code="required")
    if errors:
        raise ValidationError(errors)
    row = PaymentReturn(order=order, returned_on=returned_on, reason=reason, recorded_by=actor)
    row.full_clean(validate_constraints=False)
    row.save()
    record_change(actor=actor, action="payment_order.return", instance=row, person_ids=_person_ids(order.decision),
                  after=snapshot(row, RETURN_FIELDS))
    return row

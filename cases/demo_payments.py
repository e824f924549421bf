"""Demo payments: each granted decision of the demo is paid out, prepared by the case's caseworker
and attested by the other caseworker (by the unit manager above the caseworkers' attest right),
in one batch per payment day; a few payments came back (closed account) and were paid again.
The latest decisions' orders are still waiting for attestation or for their batch.

Set-based (bulk inserts, no service calls), with its own seeded random source, so adding payments
shifts none of the other builders' data."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db.models import Exists, OuterRef
from django.utils import timezone

from .finance_models import GRANTING_OUTCOMES, Decision
from .payment_models import AttestRight, PayeeAccountKind, PaymentBatch, PaymentOrder, PaymentReturn

# Swedish clearing numbers and the account lengths of their banks (Bankgirot's list): SEB, Handelsbanken,
# Swedbank (five digits with a check digit), Länsförsäkringar. None uses the personnummer as account.
ACCOUNTS = [("5000", 7), ("6000", 9), ("83279", 10), ("9020", 7)]
RETURN_REASONS = ["Kontot är avslutat.", "Mottagarens kontonummer finns inte hos banken.",
                  "Kontot är spärrat för insättningar."]
RETURNED_SHARE = 0.03
WAITING = 6  # the latest decisions: orders paid today, half not yet attested, half not yet sent


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _account(rng: random.Random) -> tuple[str, str]:
    clearing, digits = rng.choice(ACCOUNTS)
    return clearing, "".join(rng.choice("0123456789") for _ in range(digits - 1)) + rng.choice("123456789")


def build(ctx) -> None:
    rng = random.Random(ctx.seed + 1414)
    today = ctx.today
    caseworkers = [ctx.staff["handlaggare"], ctx.staff["handlaggare2"]]
    manager = ctx.staff["chef-eb"]
    rights = {r.code: r for r in AttestRight.objects.all()}
    limit = rights["ATT-1"].max_amount
    replaced = Decision.objects.filter(replaces_id=OuterRef("pk"))
    decisions = (Decision.objects.filter(outcome__in=GRANTING_OUTCOMES, amount__gt=0).exclude(Exists(replaced))
                 .select_related("application__case").prefetch_related("application__case__household__members__applicant")
                 .order_by("decided_on", "pk"))
    decisions = list(decisions)
    latest = {d.pk for d in decisions[-WAITING:]}
    orders, waiting = [], []
    for decision in decisions:
        case = decision.application.case
        adults = [m.applicant for m in case.household.members.all() if m.applicant_id]
        if not adults:
            continue
        preparer = next((c for c in caseworkers if c.pk == case.responsible_caseworker_id), caseworkers[0])
        attester = manager if limit is not None and decision.amount > limit else \
            caseworkers[1] if preparer == caseworkers[0] else caseworkers[0]
        recent = decision.pk in latest
        day = today if recent else min(decision.decided_on + datetime.timedelta(
            days=rng.randint(1, 3)), today)
        clearing, number = _account(rng)
        order = PaymentOrder(
            decision=decision, amount=decision.amount, payment_date=day, payee_name=str(adults[0])[:70],
            account_kind=PayeeAccountKind.BANK_ACCOUNT, clearing_number=clearing, account_number=number,
            reference=f"Ekonomiskt bistånd {decision.application.month:%Y-%m}", prepared_by=preparer,
            prepared_at=_at(decision.decided_on, 15),
        )
        if recent and len(waiting) % 2 == 0:
            waiting.append(order)  # prepared, waiting for attestation
            continue
        order.attested_by, order.attested_at = attester, _at(min(decision.decided_on + datetime.timedelta(days=1),
                                                                 today), 10)
        order.attest_right = rights["ATT-2" if attester == manager else "ATT-1"]
        (waiting if recent else orders).append(order)
    by_day = defaultdict(list)
    for order in orders:
        by_day[(order.decision.application.case.unit_id, order.payment_date)].append(order)
    batches = PaymentBatch.objects.bulk_create([
        PaymentBatch(unit_id=unit_id, payment_date=day, message_id=f"EB-{day:%Y%m%d}-demo{unit_id}",
                     number_of_orders=len(day_orders), total_amount=sum(o.amount for o in day_orders),
                     created_by=day_orders[0].attested_by, formed_at=_at(day, 7))
        for (unit_id, day), day_orders in sorted(by_day.items())
    ])
    for batch, day_orders in zip(batches, [v for _, v in sorted(by_day.items())], strict=True):
        for order in day_orders:
            order.batch = batch
    PaymentOrder.objects.bulk_create(orders + waiting)
    # A few came back: the return is recorded and the amount paid again, to another account, in the
    # batch of a later day (a batch of its own, so the first day's batch stays as the bank got it).
    returned = [o for o in orders if o.payment_date < today - datetime.timedelta(days=7) and rng.random() < RETURNED_SHARE]
    PaymentReturn.objects.bulk_create([
        PaymentReturn(order=o, returned_on=o.payment_date + datetime.timedelta(days=2), reason=rng.choice(RETURN_REASONS),
                      recorded_by=o.prepared_by) for o in returned
    ])
    again = []
    for o in returned:
        clearing, number = _account(rng)
        again.append(PaymentOrder(
            decision=o.decision, amount=o.amount, payment_date=o.payment_date + datetime.timedelta(days=4),
            payee_name=o.payee_name, account_kind=o.account_kind, clearing_number=clearing, account_number=number,
            reference=o.reference, prepared_by=o.prepared_by, prepared_at=_at(o.payment_date + datetime.timedelta(days=3), 9),
            attested_by=o.attested_by, attested_at=_at(o.payment_date + datetime.timedelta(days=3), 11),
            attest_right=o.attest_right, reissues=o,
        ))
    reissue_batches = PaymentBatch.objects.bulk_create([
        PaymentBatch(unit_id=o.decision.application.case.unit_id, payment_date=o.payment_date,
                     message_id=f"EB-{o.payment_date:%Y%m%d}-demo-ny{n}", number_of_orders=1, total_amount=o.amount,
                     created_by=o.attested_by, formed_at=_at(o.payment_date, 8))
        for n, o in enumerate(again)
    ])
    for order, batch in zip(again, reissue_batches, strict=True):
        order.batch = batch
    PaymentOrder.objects.bulk_create(again)

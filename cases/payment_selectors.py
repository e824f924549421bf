"""Every read of payments, scoped like the money they pay: a payment order is visible to whoever
sees its decision (the case's own unit, its caseworkers and unit manager); a batch to the unit it
belongs to. Payee accounts are personal data, so reads go through the access log."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from . import finance_selectors as fs
from .models import HouseholdMember, Staff
from .payment_models import PaymentBatch, PaymentOrder, PaymentReturn, PaymentStatus


def payment_orders_for(user: Staff) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(decision__in=fs.decisions_for(user))


def payment_order_list(*, user: Staff) -> QuerySet[PaymentOrder]:
    """Newest payment day first, with what a list shows, in a fixed number of queries."""
    return (
        payment_orders_for(user)
        .select_related("decision__application__case__household", "prepared_by", "attested_by", "attest_right",
                        "batch", "payment_return", "reissued_by")
        .prefetch_related(Prefetch("decision__application__case__household__members",
                                   queryset=HouseholdMember.objects.order_by("pk")))
        .order_by("-payment_date", "-pk")
    )


def payment_order_person_ids(order: PaymentOrder) -> list[int]:
    return fs.decision_person_ids(order.decision)


def batches_for(user: Staff) -> QuerySet[PaymentBatch]:
    """A unit's batches, for those who see that unit's money."""
    if not (user.is_authenticated and user.is_active and user.role in fs.FINANCE_ROLES and user.unit_id):
        return PaymentBatch.objects.none()
    return PaymentBatch.objects.filter(unit_id=user.unit_id)


def batch_list(*, user: Staff) -> QuerySet[PaymentBatch]:
    return batches_for(user).select_related("created_by").prefetch_related(
        Prefetch("orders", queryset=PaymentOrder.objects.only("pk", "batch_id", "decision_id").order_by("pk"))
    ).order_by("-payment_date", "-pk")


def batch_orders(batch: PaymentBatch) -> list[PaymentOrder]:
    """The orders of a batch as the file lists them (by order number)."""
    return list(
        batch.orders.select_related("decision__application__case__household")
        .prefetch_related(Prefetch("decision__application__case__household__members",
                                   queryset=HouseholdMember.objects.order_by("pk")))
        .order_by("pk")
    )


def batch_person_ids(batch: PaymentBatch) -> list[int]:
    """The persons paid in a batch (the adults of each case), for the access log, in one query."""
    return list(
        HouseholdMember.objects.filter(
            household__cases__applications__decisions__payment_orders__batch=batch, applicant__isnull=False,
        ).values_list("applicant_id", flat=True).distinct()
    )


def not_returned() -> Q:
    return Q(payment_return__isnull=True)


def paid() -> Q:
    """Utbetalt: attested, sent to the bank in a batch, and not come back (DOMAIN.md 8)."""
    return Q(batch__isnull=False) & not_returned()


def with_status(status: str) -> Q:
    """The orders in this PaymentStatus, as a query (PaymentOrder.status is the same for one order)."""
    return {
        PaymentStatus.PREPARED: Q(attested_by__isnull=True) & not_returned(),
        PaymentStatus.ATTESTED: Q(attested_by__isnull=False, batch__isnull=True) & not_returned(),
        PaymentStatus.SENT: paid(),
        PaymentStatus.RETURNED: Q(payment_return__isnull=False),
    }[status]


def ordered_total(decision_id: int) -> int:
    """What is already ordered on a decision and not returned: counted against the granted amount."""
    return PaymentOrder.objects.filter(not_returned(), decision_id=decision_id).aggregate(s=Sum("amount"))["s"] or 0


def paid_orders(*, date_from: datetime.date, date_to: datetime.date) -> QuerySet[PaymentOrder]:
    """Paid orders with payment day in the period, returned ones left out, for the board's figures."""
    returned = PaymentReturn.objects.filter(order_id=OuterRef("pk"))
    return PaymentOrder.objects.filter(batch__isnull=False, payment_date__range=(date_from, date_to)).exclude(
        Exists(returned))

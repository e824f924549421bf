"""Payments (utbetalningar): orders that pay out a granted decision, their attestation, the day's
batches that go to the bank as a pain.001 file, and returns.

Imported at the end of cases/models.py, so these are models of the cases app. A granted amount is
paid to the person's account or another way the municipality uses; the one who prepares a payment
is never the one who attests it (municipal attest rules, DOMAIN.md 8). Nothing is erased: an order
that comes back is recorded as returned (PaymentReturn) and stays; a new order pays it again.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.models import TimeStampedModel

from .models import Role


class PayeeAccountKind(models.TextChoices):
    """How the money reaches the payee: the ways Swedish banks take in a pain.001 file."""

    BANK_ACCOUNT = "bank_account", "Bankkonto (clearingnummer och kontonummer)"
    BANKGIRO = "bankgiro", "Bankgiro"
    PLUSGIRO = "plusgiro", "Plusgiro"
    IBAN = "iban", "IBAN"


class AttestRight(TimeStampedModel):
    """A row of the municipality's attest order (attestordning): which role may attest payments,
    up to which amount per order. Like a delegation point (finance_models.DelegationPoint), it is
    reference data the administrator keeps; an attestation records the right it was made under."""

    code = models.CharField("attesträtt", max_length=20, unique=True)
    description = models.CharField("omfattning", max_length=300)
    role = models.CharField("attestant (roll)", max_length=32, choices=Role.choices)
    max_amount = models.PositiveIntegerField("högsta belopp per utbetalning (kr)", null=True, blank=True)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "attesträtt"
        verbose_name_plural = "attesträtter"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class PaymentBatch(TimeStampedModel):
    """The attested orders of one unit and one payment day, sent to the bank as one pain.001 file.
    Count and total are fixed when the batch is formed; the file is checked against them."""

    unit = models.ForeignKey("cases.Unit", verbose_name="enhet", on_delete=models.PROTECT, related_name="+")
    payment_date = models.DateField("utbetalningsdag")
    message_id = models.CharField("meddelande-id", max_length=35, unique=True)
    number_of_orders = models.PositiveIntegerField("antal utbetalningar")
    total_amount = models.PositiveBigIntegerField("summa (kr)")
    created_by = models.ForeignKey("cases.Staff", verbose_name="skapad av", on_delete=models.PROTECT, related_name="+")
    formed_at = models.DateTimeField("skapad", default=timezone.now)

    class Meta:
        verbose_name = "utbetalningsomgång"
        verbose_name_plural = "utbetalningsomgångar"
        ordering = ["-payment_date", "-pk"]
        indexes = [models.Index(fields=["unit", "payment_date"], name="payment_batch_unit_day")]

    def __str__(self) -> str:
        return f"{self.payment_date} ({self.number_of_orders} st)"


class PaymentStatus(models.TextChoices):
    """Where an order is; derived from its attestation, batch and return, never stored."""

    PREPARED = "prepared", "Upprättad"
    ATTESTED = "attested", "Attesterad"
    SENT = "sent", "Skickad"
    RETURNED = "returned", "Returnerad"


class PaymentOrder(TimeStampedModel):
    """Utbetalning: one amount of one granted decision to one payee account on one day. Prepared by
    one caseworker, attested by another with an attest right, then sent in a batch."""

    decision = models.ForeignKey("cases.Decision", verbose_name="beslut", on_delete=models.PROTECT,
                                 related_name="payment_orders")
    amount = models.PositiveIntegerField("belopp (kr)")
    payment_date = models.DateField("utbetalningsdag")
    payee_name = models.CharField("betalningsmottagare", max_length=70)
    account_kind = models.CharField("betalningssätt", max_length=16, choices=PayeeAccountKind.choices)
    clearing_number = models.CharField("clearingnummer", max_length=5, blank=True)
    account_number = models.CharField("kontonummer", max_length=34)
    reference = models.CharField("meddelande till mottagaren", max_length=140)
    prepared_by = models.ForeignKey("cases.Staff", verbose_name="upprättad av", on_delete=models.PROTECT,
                                    related_name="+")
    prepared_at = models.DateTimeField("upprättad", default=timezone.now)
    attested_by = models.ForeignKey("cases.Staff", verbose_name="attesterad av", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    attested_at = models.DateTimeField("attesterad", null=True, blank=True)
    attest_right = models.ForeignKey(AttestRight, verbose_name="attesträtt", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    batch = models.ForeignKey(PaymentBatch, verbose_name="utbetalningsomgång", on_delete=models.PROTECT, null=True,
                              blank=True, related_name="orders")
    reissues = models.OneToOneField("self", verbose_name="betalar på nytt", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="reissued_by",
                                    help_text="Den returnerade utbetalning som denna betalar ut på nytt.")

    class Meta:
        verbose_name = "utbetalning"
        verbose_name_plural = "utbetalningar"
        ordering = ["-payment_date", "-pk"]
        indexes = [
            models.Index(fields=["payment_date", "batch"], name="payment_order_day_batch"),
            models.Index(fields=["decision"], name="payment_order_decision"),
        ]
        constraints = [
            models.CheckConstraint(name="payment_order_amount_positive", condition=Q(amount__gt=0)),
            # The attest rule itself, in the database too: never the preparer (DOMAIN.md 8).
            models.CheckConstraint(name="payment_order_attested_by_another",
                                   condition=Q(attested_by__isnull=True) | ~Q(attested_by=F("prepared_by"))),
            models.CheckConstraint(
                name="payment_order_attestation_complete",
                condition=(Q(attested_by__isnull=True) & Q(attested_at__isnull=True) & Q(attest_right__isnull=True))
                | (Q(attested_by__isnull=False) & Q(attested_at__isnull=False) & Q(attest_right__isnull=False)),
            ),
            models.CheckConstraint(name="payment_order_batched_when_attested",
                                   condition=Q(batch__isnull=True) | Q(attested_by__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Utbetalning {self.pk} ({self.amount} kr)"

    @property
    def status(self) -> str:
        """The order's PaymentStatus (payment_selectors.with_status is the same as a query)."""
        if getattr(self, "payment_return", None) is not None:
            return PaymentStatus.RETURNED
        if self.batch_id:
            return PaymentStatus.SENT
        return PaymentStatus.ATTESTED if self.attested_by_id else PaymentStatus.PREPARED


class PaymentReturn(TimeStampedModel):
    """A payment that came back or failed at the bank (wrong account, closed account ...). The order
    stays as it was; this row says it was not paid, and a new order may pay it again."""

    order = models.OneToOneField(PaymentOrder, verbose_name="utbetalning", on_delete=models.PROTECT,
                                 related_name="payment_return")
    returned_on = models.DateField("returnerad")
    reason = models.CharField("orsak", max_length=300)
    recorded_by = models.ForeignKey("cases.Staff", verbose_name="registrerad av", on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "returnerad utbetalning"
        verbose_name_plural = "returnerade utbetalningar"
        constraints = [models.CheckConstraint(name="payment_return_reason_required", condition=~Q(reason=""))]

    def __str__(self) -> str:
        return f"Retur {self.order_id} {self.returned_on}"

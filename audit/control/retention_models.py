"""Gallring (retention purge, SoL 16 kap.; DOMAIN.md 7): exceptions as data, and the protocol.

Other apps are referenced by lazy string, never imported (audit/models.py loads this module).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from config.models import TimeStampedModel

__all__ = ["RetentionExtension", "RetentionHold", "RetentionHoldKind", "RetentionPurge"]


class RetentionHoldKind(models.TextChoices):
    LEGAL_HOLD = "legal_hold", "Bevaras efter beslut (t.ex. pågående tvist eller begäran)"
    CASE_TYPE = "case_type", "Ärendetyp som bevaras längre"
    OTHER = "other", "Annat skäl"


class RetentionHold(TimeStampedModel):
    """A person's records are kept past the retention time, for a stated reason, until a date or lifted."""

    person = models.ForeignKey("cases.Applicant", verbose_name="person", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("slag", max_length=16, choices=RetentionHoldKind.choices)
    reason = models.TextField("skäl", max_length=2000)
    until = models.DateField("bevaras till och med", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="beslutat av", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "undantag från gallring"
        verbose_name_plural = "undantag från gallring"
        constraints = [models.CheckConstraint(name="retention_hold_has_reason", condition=~models.Q(reason=""))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.until or 'tills vidare'})"


class RetentionExtension(TimeStampedModel):
    """A kind of case kept longer than the general five years (DOMAIN.md 7: "exceptions exist for other
    case types"): a file holding a decision under this provision (either law's number of it) is purged
    `years` after its last entry instead. Configuration of the municipality, with its reason."""

    legal_basis = models.ForeignKey("cases.LegalBasis", verbose_name="lagrum", on_delete=models.PROTECT,
                                    related_name="+")
    years = models.PositiveSmallIntegerField("bevaras antal år efter sista anteckningen")
    reason = models.TextField("skäl", max_length=2000)

    class Meta:
        verbose_name = "ärendetyp som bevaras längre"
        verbose_name_plural = "ärendetyper som bevaras längre"
        constraints = [
            models.CheckConstraint(name="retention_extension_has_reason", condition=~models.Q(reason="")),
            models.CheckConstraint(name="retention_extension_years_positive", condition=models.Q(years__gte=1)),
            models.UniqueConstraint(fields=["legal_basis"], name="one_retention_extension_per_legal_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.legal_basis}: {self.years} år"


class RetentionPurge(TimeStampedModel):
    """Gallringsprotokoll: when, up to which date, how many of each kind. No personal data."""

    ran_at = models.DateTimeField("gallrat")
    cutoff = models.DateField("sista anteckning före")
    dry_run = models.BooleanField("provkörning", default=False)
    persons = models.PositiveIntegerField("personer", default=0)
    households = models.PositiveIntegerField("hushåll", default=0)
    # Files otherwise due that were kept, per reason (legal_hold, case_type, other, open_case): counts only.
    kept = models.JSONField("bevarade per skäl", default=dict)
    counts = models.JSONField("antal per slag", default=dict)
    chain_links_removed = models.PositiveBigIntegerField("borttagna kedjelänkar", default=0)
    first_chain_seq = models.BigIntegerField("första löpnummer", null=True, blank=True)
    last_chain_seq = models.BigIntegerField("sista löpnummer", null=True, blank=True)

    class Meta:
        verbose_name = "gallringsprotokoll"
        verbose_name_plural = "gallringsprotokoll"
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"Gallring {self.ran_at:%Y-%m-%d} ({self.persons} personer)"

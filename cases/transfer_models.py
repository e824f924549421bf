"""Transfers (överflyttning): a case moving to another caseworker or another unit, from a date.

Imported at the end of cases/models.py, so these are models of the cases app. Who was responsible
when must stay visible (DOMAIN.md 8): each transfer row records who held the case before and who
holds it from `transferred_on`, so the rows are the case's responsibility periods (the first period
runs from the case's opening to the first transfer). Rows are never edited but for `took_effect_at`,
set once when the case's unit and caseworker are changed (at once for a date that has come, by the
nightly step for a planned one: cases.transfer_services).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.limits import TEXT_MAX_LENGTH, text_max_length
from config.models import TimeStampedModel


class CaseTransfer(TimeStampedModel):
    case = models.ForeignKey("cases.Case", verbose_name="ärende", on_delete=models.PROTECT, related_name="transfers")
    transferred_on = models.DateField("överflyttas från och med")
    from_unit = models.ForeignKey("cases.Unit", verbose_name="från enhet", on_delete=models.PROTECT, related_name="+")
    from_caseworker = models.ForeignKey(
        "cases.Staff", verbose_name="från handläggare", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_unit = models.ForeignKey("cases.Unit", verbose_name="till enhet", on_delete=models.PROTECT, related_name="+")
    to_caseworker = models.ForeignKey(
        "cases.Staff", verbose_name="till handläggare", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Tomt när ärendet flyttas till en enhet vars chef fördelar det.",
    )
    reason = models.TextField("skäl", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    transferred_by = models.ForeignKey("cases.Staff", verbose_name="registrerad av", on_delete=models.PROTECT,
                                       related_name="+")
    recorded_at = models.DateTimeField("registrerad", default=timezone.now)
    # Null while the transfer is planned (its date has not come); set when the case changed hands.
    took_effect_at = models.DateTimeField("genomförd", null=True, blank=True)

    class Meta:
        verbose_name = "överflyttning"
        verbose_name_plural = "överflyttningar"
        ordering = ["case_id", "transferred_on", "pk"]
        constraints = [
            # Transfers of a case follow each other in time: one per day, at most one planned.
            models.UniqueConstraint(fields=["case", "transferred_on"], name="one_transfer_per_case_and_day"),
            models.UniqueConstraint(fields=["case"], condition=Q(took_effect_at__isnull=True),
                                    name="one_planned_transfer_per_case"),
        ]

    def __str__(self) -> str:
        return f"Överflyttning {self.case_id} {self.transferred_on}"

    @property
    def is_planned(self) -> bool:
        return self.took_effect_at is None

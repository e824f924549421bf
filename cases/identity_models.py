"""Reservnummer (reserve numbers): the counter that issues them and the numbers replaced; and the
personnummer corrected on a person (CorrectedIdentityNumber).

Imported at the end of cases/models.py, so these are models of the cases app. A person without
personnummer or samordningsnummer gets a local reserve number (Applicant.reserve_number); when the
real number is known it replaces the reserve number on the same Applicant row, so every record
follows the person, and the reserve number is kept here (DOMAIN.md 8).
"""

from __future__ import annotations

from django.db import models

from config.limits import TEXT_MAX_LENGTH, text_max_length

from .case_file_rules import RESERVE_NUMBER_MAX_LENGTH


class ReserveNumberSequence(models.Model):
    """The last sequence number issued for one value of the pattern's other parts (e.g. a year).
    A row, not a database sequence, so a number is never issued twice, also on SQLite, and the
    row lock makes two registrations at once wait for each other."""

    key = models.CharField(max_length=200, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "löpnummer för reservnummer"
        verbose_name_plural = "löpnummer för reservnummer"

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class ReplacedReserveNumber(models.Model):
    """A reserve number that a personnummer or samordningsnummer replaced. Never reissued."""

    applicant = models.ForeignKey("cases.Applicant", verbose_name="person", on_delete=models.PROTECT,
                                  related_name="replaced_reserve_numbers")
    reserve_number = models.CharField("reservnummer", max_length=RESERVE_NUMBER_MAX_LENGTH, unique=True)
    replaced_at = models.DateTimeField("ersatt")
    replaced_by = models.ForeignKey("cases.Staff", verbose_name="ersatt av", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "ersatt reservnummer"
        verbose_name_plural = "ersatta reservnummer"
        ordering = ["applicant_id", "replaced_at", "pk"]

    def __str__(self) -> str:
        return self.reserve_number


class CorrectedIdentityNumber(models.Model):
    """A personnummer or samordningsnummer that a correction replaced on the same person: a number
    entered wrong, or a samordningsnummer followed by the personnummer Skatteverket later gave.
    Kept with who corrected it, when and why; a search by the old number still finds the person."""

    applicant = models.ForeignKey("cases.Applicant", verbose_name="person", on_delete=models.PROTECT,
                                  related_name="corrected_identity_numbers")
    previous_number = models.CharField("tidigare nummer", max_length=12)
    previous_was_coordination_number = models.BooleanField("tidigare samordningsnummer")
    reason = models.TextField("skäl", max_length=TEXT_MAX_LENGTH, validators=[text_max_length])
    corrected_at = models.DateTimeField("rättat")
    corrected_by = models.ForeignKey("cases.Staff", verbose_name="rättat av", on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = "rättat personnummer"
        verbose_name_plural = "rättade personnummer"
        ordering = ["applicant_id", "corrected_at", "pk"]
        indexes = [models.Index(fields=["previous_number"], name="corrected_number_previous")]

    def __str__(self) -> str:
        return self.previous_number

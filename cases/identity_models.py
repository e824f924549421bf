"""Reservnummer (reserve numbers): the counter that issues them and the numbers replaced.

Imported at the end of cases/models.py, so these are models of the cases app. A person without
personnummer or samordningsnummer gets a local reserve number (Applicant.reserve_number); when the
real number is known it replaces the reserve number on the same Applicant row, so every record
follows the person, and the reserve number is kept here (DOMAIN.md 8).
"""

from __future__ import annotations

from django.db import models

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

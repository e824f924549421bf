"""Monthly facts behind report 1 (nyckeltal), kept up to date inside PostgreSQL (issue 12): the
households' months, the waits, and the insatser's closings and participations.

A month's facts are a derived copy of the live decisions, payments and applications, never a
source: audit/reports/key_figure_facts.py rebuilds a whole month at a time from the same
definitions as the live queries (audit/reports/key_figure_queries.py), and triggers on the source
tables note every month a change touches in KeyFigureDirtyMonth, in the writer's transaction, so
a late correction makes its month stale until it is rebuilt (by the Celery task, or by the report
itself before it reads). Ids are plain integers, not foreign keys: the facts must never stop a
household or a unit from being removed (gallring), and a removed household's month is rebuilt.
"""

from __future__ import annotations

from django.db import models

__all__ = ["KeyFigureClosing", "KeyFigureDirtyMonth", "KeyFigureFact", "KeyFigureParticipation", "KeyFigureWait"]


class KeyFigureFact(models.Model):
    """One household's figures for one month (the applications' month) in one unit (the case's)."""

    month = models.DateField()
    household_id = models.BigIntegerField()
    unit_id = models.BigIntegerField()
    # The household's sökande when the month was built (as key_figure_queries.household_applicants):
    # the report computes kön and age group from these on its own reference day.
    applicant_gender = models.CharField(max_length=8, null=True)
    applicant_birth_date = models.DateField(null=True)
    support = models.BooleanField()  # granted försörjningsstöd in force this month (the household rule)
    # True on exactly one of the household's support rows of the month (the lowest unit): the
    # whole-municipality counts of households count these rows, with no DISTINCT over the month.
    support_once = models.BooleanField(default=False)
    income_support_granted = models.BigIntegerField()
    other_costs_granted = models.BigIntegerField()
    income_support_paid = models.BigIntegerField()
    other_costs_paid = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "household_id", "unit_id"], name="audit_kff_month_household_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} hushåll {self.household_id}"


class KeyFigureWait(models.Model):
    """Applications first decided in `month` (the first original decision's month): how many
    waited `wait_days` days from receipt, per unit and sökande."""

    month = models.DateField(db_index=True)
    unit_id = models.BigIntegerField()
    applicant_gender = models.CharField(max_length=8, null=True)
    applicant_birth_date = models.DateField(null=True)
    wait_days = models.IntegerField()
    n = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.n} × {self.wait_days} dagar"


class KeyFigureClosing(models.Model):
    """Closings confirmed by both sides whose end date falls in `month`, counted per avslutsorsak,
    unit (the proposer's, as key_figure_queries.closings_by_reason filters) and participant."""

    month = models.DateField(db_index=True)
    reason = models.CharField(max_length=32)
    unit_id = models.BigIntegerField(null=True)
    applicant_gender = models.CharField(max_length=8, null=True)
    applicant_birth_date = models.DateField(null=True)
    n = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.reason}: {self.n}"


class KeyFigureParticipation(models.Model):
    """One participation, kept under the month it started in (the month a rebuild replaces), with
    its participant's kön and birth date and its insats's type and provider unit in the row, so the
    participants of a period are counted without a join (key_figure_fact_queries.participants)."""

    month = models.DateField(db_index=True)  # the start date's month
    applicant_id = models.BigIntegerField()
    applicant_gender = models.CharField(max_length=8, null=True)
    applicant_birth_date = models.DateField(null=True)
    start_date = models.DateField()
    last_day = models.DateField()  # the end date, or the decision period's end while it runs
    insats_type = models.CharField(max_length=32)
    provider_unit_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.start_date}–{self.last_day}"


class KeyFigureDirtyMonth(models.Model):
    """A month whose facts a change has made stale (written by the triggers; one row per change
    statement and month, removed by the rebuild that read it). An insert-only log, so writers
    never wait for a rebuild."""

    month = models.DateField(db_index=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

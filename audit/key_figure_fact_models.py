"""Monthly facts behind report 1 (nyckeltal), kept up to date inside PostgreSQL (issue 12).

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

__all__ = ["KeyFigureDirtyMonth", "KeyFigureFact", "KeyFigureWait"]


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


class KeyFigureDirtyMonth(models.Model):
    """A month whose facts a change has made stale (written by the triggers; one row per change
    statement and month, removed by the rebuild that read it). An insert-only log, so writers
    never wait for a rebuild."""

    month = models.DateField(db_index=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

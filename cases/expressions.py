"""Database expressions for legal time limits, computed per row in SQL (set-based).

`AddMonths(date, n)` is the same calendar arithmetic as cases.calculation.add_months_day and
planning.norms.add_months: the same day n months later, clamped to the last day of a shorter
month (31 January + 1 month = 28/29 February). Django has no portable month interval, so each
backend gets its own SQL; both are checked against the Python function in the tests.

`fenced(queryset)` makes an aggregate over the queryset compute each row's subqueries once.
"""

from __future__ import annotations

from django.db import NotSupportedError
from django.db.models import DateField, Func, QuerySet


class AddMonths(Func):
    output_field = DateField()

    def __init__(self, expression, months: int, **extra):
        if int(months) < 0:
            raise ValueError("AddMonths counts forward only.")
        self.months = int(months)
        super().__init__(expression, output_field=DateField(), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"AddMonths is not implemented for {connection.vendor}.")

    def as_postgresql(self, compiler, connection, **extra_context):
        # date + interval clamps to the end of the month in PostgreSQL.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) + make_interval(months => %s))::date", [*params, self.months]

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's '+n months' overflows into the next month (31 Jan + 1 month = 3 Mar); the
        # smaller of that and the target month's last day is the clamped date (ISO text compares
        # as dates).
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"min(date({sql}, %s), date({sql}, 'start of month', %s, '-1 day'))",
            [*params, f"+{self.months} months", *params, f"+{self.months + 1} months"],
        )


# A LIMIT no query reaches. Aggregating a sliced queryset makes Django select the rows in a
# subquery and aggregate over it; the LIMIT keeps PostgreSQL from flattening that subquery, which
# would otherwise copy each correlated subquery (e.g. the household's sökande) into every one of
# the dozens of FILTER clauses and run it once per clause and row (measured on
# bench/board_reports.py, 20 000 persons: one query went from 64 s to 1.5 s).
FENCE = 2**62


def fenced(qs: QuerySet) -> QuerySet:
    """`qs` for aggregating over: each annotation computed once per row, however many aggregates
    read it (the aggregates' references to annotations become the subquery's columns)."""
    return qs.order_by()[:FENCE]

"""Building blocks the board reports share: kön and age groups, split aggregates, comparisons.

Every split figure is ONE aggregate query: a conditional aggregate per group (Count/Sum with
`filter=`), so the number of queries does not grow with the data. Age is computed in the database
from the birth date against a fixed reference day (the period's last day), by comparing the
birth date with the dates N years before it, so no per-person arithmetic is done in Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, Count, F, Func, IntegerField, Q, QuerySet, Value, Window
from django.db.models.functions import RowNumber

from audit.reports.base import Column, Period, Table
from cases.models import LegalGender


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    gender: str | None = None
    age_from: int | None = None
    age_to: int | None = None  # inclusive; None = no upper bound


# Kön and the age groups the board asks for (DOMAIN.md 5; 004:392-395, 686-708: "18–29
# specially"). Persons under 18 count only in Totalt and the kön rows.
GROUPS = [
    Group("total", "Totalt"),
    Group("women", "Kvinnor", gender=LegalGender.FEMALE),
    Group("men", "Män", gender=LegalGender.MALE),
    Group("age_18_24", "18–24 år", age_from=18, age_to=24),
    Group("age_25_29", "25–29 år", age_from=25, age_to=29),
    Group("age_30_49", "30–49 år", age_from=30, age_to=49),
    Group("age_50", "50 år och äldre", age_from=50),
    Group("age_18_29", "18–29 år (sammantaget)", age_from=18, age_to=29),
]
GROUP_KEYS = [g.key for g in GROUPS]

SPLIT_NOTE = (
    "Uppdelat på juridiskt kön och ålder; åldern räknas i hela år på periodens sista dag. "
    "Personer under 18 år ingår bara i Totalt och i raderna för kön. Små tal visas som de är "
    "(rapporten innehåller bara summor, inga personuppgifter)."
)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def group_q(group: Group, *, gender: str, birth: str, on: datetime.date) -> Q:
    """The condition for `group` on fields `gender` and `birth` (lookups), age on `on`."""
    q = Q()
    if group.gender:
        q &= Q(**{gender: group.gender})
    if group.age_from is not None:
        # Aged at least N on `on`: born on or before the day N years earlier.
        q &= Q(**{f"{birth}__lte": years_before(on, group.age_from)})
    if group.age_to is not None:
        # Aged at most M on `on`: born after the day M+1 years earlier.
        q &= Q(**{f"{birth}__gt": years_before(on, group.age_to + 1)})
    return q


# A LIMIT no query reaches. Aggregating a sliced queryset makes Django select the rows in a
# subquery and aggregate over it; the LIMIT keeps PostgreSQL from flattening that subquery, which
# would otherwise copy each correlated subquery (e.g. the household's sökande) into every one of
# the dozens of FILTER clauses and run it once per clause and row (measured on bench/board_reports.py, 20 000 persons: one query went from 64 s to 1.5 s).
FENCE = 2**62


def fenced(qs: QuerySet) -> QuerySet:
    return qs.order_by()[:FENCE]


def split_aggregate(
    qs: QuerySet, measures: dict[str, Callable[[Q], object]], *, gender: str, birth: str, on: datetime.date
) -> dict[str, dict[str, object]]:
    """{measure: {group key: value}} in one query. `measures` map a name to a function building
    the aggregate for a filter, e.g. lambda q: Count("pk", distinct=True, filter=q)."""
    exprs = {}
    for name, make in measures.items():
        for group in GROUPS:
            exprs[f"{name}__{group.key}"] = make(group_q(group, gender=gender, birth=birth, on=on))
    row = fenced(qs).aggregate(**exprs)
    return {name: {g.key: row[f"{name}__{g.key}"] for g in GROUPS} for name in measures}


class DaysBetween(Func):
    """Whole days from `start` to `end` (two DateFields), as an integer, in the database."""

    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra,
        )


def medians(qs: QuerySet, value: str, *, gender: str, birth: str, on: datetime.date) -> dict[str, Decimal | None]:
    """Median of the integer field/annotation `value` per group, in the database, in one query.

    Within each group the rows are numbered in order of `value` (a window function) and only the
    middle row (odd count) or the two middle rows (even count) are kept; the groups' queries are
    combined with UNION ALL. At most two values per group come back, whatever the number of rows.
    """
    parts = [
        qs.filter(group_q(group, gender=gender, birth=birth, on=on))
        .order_by()
        .annotate(
            rn=Window(RowNumber(), order_by=[F(value).asc(), F("pk").asc()]),
            n=Window(Count("pk")),
            group_key=Value(group.key, output_field=CharField()),
        )
        .filter(rn__gte=(F("n") + 1) / 2, rn__lte=(F("n") + 2) / 2)
        .values_list("group_key", value)
        for group in GROUPS
    ]
    middle: dict[str, list[int]] = {g.key: [] for g in GROUPS}
    for key, v in parts[0].union(*parts[1:], all=True):
        middle[key].append(v)
    return {key: ratio(sum(vs), len(vs), "0.1") if vs else None for key, vs in middle.items()}


def pct(part, whole) -> Decimal | None:
    """Share in percent with one decimal (None when there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ratio(part, whole, places: str = "1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def comparison_table(
    *, key: str, title: str, definition: str, current: dict, previous: dict, kind: str,
    period: Period, previous_period: Period,
) -> Table:
    """One row per group: this period, the same period a year earlier, and the change."""
    rows = []
    for group in GROUPS:
        now, before = current.get(group.key), previous.get(group.key)
        change = None if now is None or before is None else now - before
        rows.append({"group": group.label, "current": now, "previous": before, "change": change})
    return Table(
        key=key,
        title=title,
        columns=[
            Column("group", "Grupp"),
            Column("current", period.label, kind),
            Column("previous", previous_period.label, kind),
            Column("change", "Förändring", kind),
        ],
        rows=rows,
        definition=f"{definition} {SPLIT_NOTE} Jämförs med samma period året före ({previous_period.label}).",
    )

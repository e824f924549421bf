"""Building blocks the board reports share: kön and age groups, split aggregates, comparisons.

Every split figure is ONE aggregate query: a conditional aggregate per group (Count/Sum with
`filter=`), so the number of queries does not grow with the data. Age is computed in the database
from the birth date against a fixed reference day (the period's last day), by comparing the
birth date with the dates N years before it, so no per-person arithmetic is done in Python.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, connections
from django.db.models import Func, IntegerField, Q, QuerySet

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


@contextlib.contextmanager
def report_work_mem(conn) -> Iterator[None]:
    """Inside: PostgreSQL's work_mem on `conn` is REPORTS_WORK_MEM (config/settings/base.py), then
    what it was. A session setting, put back in `finally` (a persistent connection serves the next
    request next); inside a transaction that rolls back PostgreSQL puts it back itself."""
    value = getattr(settings, "REPORTS_WORK_MEM", "")
    if conn.vendor != "postgresql" or not value:
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), set_config('work_mem', %s, false)", [value])
        before = cursor.fetchone()[0]
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, false)", [before])


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


def compiled(qs: QuerySet) -> tuple[str, tuple]:
    """The SQL of `qs` and its parameters, as the ORM compiles it (for statements that wrap it)."""
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _joined_to_groups(rows: QuerySet, groups: QuerySet | None) -> tuple[str, tuple]:
    """`WITH r AS (rows), s AS (groups)` and its parameters.

    `rows` and `groups` are values() querysets sharing the column `key`; `groups` has one row per
    key with a boolean column g_<group key> for every group but Totalt (e.g.
    key_figure_queries.household_applicants). Both are compiled by the ORM, so their conditions are
    the same lookups the rest of the reports use; only the join and the aggregates are written here.
    """
    rows_sql, rows_params = compiled(rows)
    if groups is None:  # the rows carry their own g_<group> columns
        return f"WITH r AS ({rows_sql}) ", rows_params
    groups_sql, groups_params = compiled(groups)
    return f"WITH r AS ({rows_sql}), s AS ({groups_sql}) ", rows_params + groups_params


def household_split(
    rows: QuerySet,
    groups: QuerySet | None,
    measures: dict[str, tuple[str, str | None]],
    *,
    by: str | None = None,
    key: str = "hh",
    default=None,
) -> dict:
    """{measure: {group key: value}} in one query, each row counted in the groups its `key` is in.

    `measures` map a name to (aggregate, column of `rows` or None for COUNT(*)), e.g.
    {"count": ("COUNT", None), "mean": ("AVG", "wait_days")}. The rows are joined once to
    `groups` (see _joined_to_groups) and each group is a FILTER on its flag column, so nothing is
    computed again per group. With `groups` None the rows carry the g_<group> columns themselves
    (e.g. audit/reports/key_figure_facts.py). With `by` (a column of `rows`): {value of by:
    {measure: {...}}}, one query grouped by it. `default` replaces a NULL aggregate (SUM over no rows)."""
    qn = connection.ops.quote_name
    head, params = _joined_to_groups(rows, groups)
    flags = "r" if groups is None else "s"
    columns, names = [], []
    for name, (function, column) in measures.items():
        argument = "*" if column is None else f"r.{qn(column)}"
        for group in GROUPS:
            condition = "" if group.key == "total" else f" FILTER (WHERE {flags}.{qn('g_' + group.key)})"
            columns.append(f"{function}({argument}){condition}")
            names.append((name, group.key))
    group_by = ""
    if by is not None:
        columns.insert(0, f"r.{qn(by)}")
        group_by = f" GROUP BY r.{qn(by)}"
    joined = "" if groups is None else f" LEFT JOIN s ON s.{qn(key)} = r.{qn(key)}"
    sql = f"{head}SELECT {', '.join(columns)} FROM r{joined}{group_by}"
    # Where the ORM would read `rows` (the reports' replica when there is one, config/db_router.py).
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        result_rows = cursor.fetchall()

    def shaped(values) -> dict:
        out: dict[str, dict] = {name: {} for name in measures}
        for (name, group_key), value in zip(names, values, strict=True):
            function = measures[name][0]
            if value is None:
                value = default
            elif function == "AVG":
                value = float(value)  # as the ORM's Avg gives it, on both databases
            elif function in ("COUNT", "SUM"):
                value = int(value)
            out[name][group_key] = value
        return out

    if by is None:
        return shaped(result_rows[0])
    return {row[0]: shaped(row[1:]) for row in result_rows}


def household_medians(rows: QuerySet, groups: QuerySet, value: str, *, key: str = "hh") -> dict[str, Decimal | None]:
    """Median of the integer column `value` of `rows` per group (joined to `groups` as in
    household_split), in one query.

    The query counts the rows per value and group (one pass, GROUP BY the value: one row back per
    distinct value, e.g. per number of days, whatever the number of rows); the middle row (odd
    count) or the mean of the two middle rows (even count) is then read off the counts."""
    return median_of_counts(household_split(rows, groups, {"n": ("COUNT", None)}, by=value, key=key))


def median_of_counts(counts: dict) -> dict[str, Decimal | None]:
    """The median per group from {value: {"n": {group key: rows with that value}}} (household_split
    grouped by the value)."""
    out = {}
    for group in GROUPS:
        distribution = sorted((v, figures["n"][group.key]) for v, figures in counts.items() if figures["n"][group.key])
        n = sum(count for _, count in distribution)
        if not n:
            out[group.key] = None
            continue
        middle, seen = [], 0
        for position in sorted({(n + 1) // 2, (n + 2) // 2}):  # 1-based; one position when n is odd
            for v, count in distribution:
                if seen + count >= position:
                    middle.append(v)
                    break
                seen += count
            seen = 0
        out[group.key] = ratio(sum(middle), len(middle), "0.1")
    return out


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
        compare=("current", "previous"),
    )


def same_day_a_year_before(period: Period, on: datetime.date) -> datetime.date:
    """The day the year before is read on: the previous period's last day when `period` has ended
    on `on`, else the same calendar day a year earlier, so a running period is compared with the
    same part of last year's period (reports 2 and 3 read their figures on a reference day)."""
    previous = period.previous_year()
    return previous.end if on >= period.end else min(years_before(on, 1), previous.end)


def change_label(kind: str) -> str:
    """A share's change is in percentage points, not percent."""
    return "Förändring (procentenheter)" if kind == "percent" else "Förändring"


def difference(now, before):
    return None if now is None or before is None else now - before


def with_year_before(table: Table, before: Table, column: str, *, label: str, match: str | None = None,
                     compare: bool = True) -> Table:
    """`table` with, after `column`, the same column of `before` (the same table built for the same
    period a year earlier) as `<column>_previous`, and the change as `<column>_change`.

    Rows are matched by the value of `match` (e.g. the group or the question), or by position.
    With `compare` the pair is offered to the summary (audit/reports/summary.py)."""
    kind = next(c.kind for c in table.columns if c.key == column)
    previous = {(row.get(match) if match else i): row.get(column) for i, row in enumerate(before.rows)}
    for i, row in enumerate(table.rows):
        then = previous.get(row.get(match) if match else i)
        row[f"{column}_previous"], row[f"{column}_change"] = then, difference(row.get(column), then)
    at = next(i for i, c in enumerate(table.columns) if c.key == column) + 1
    added = [Column(f"{column}_previous", label, kind),
             Column(f"{column}_change", change_label(kind), "number" if kind == "percent" else kind)]
    table.columns = [*table.columns[:at], *added, *table.columns[at:]]
    if compare:
        table.compare = (column, f"{column}_previous")
    return table

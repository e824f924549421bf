"""Heltidsaktivering over a run of weeks, set-based in PostgreSQL (one query, any number of weeks).

The definition is insatser.full_time's (DOMAIN.md 3; 004:114-116, 652-657), which answers one week
per query with subqueries per person. A board report asks it for up to 53 weeks, and week by week
that was 53 correlated scans per person. Here no row is repeated per week: each barrier,
participation and exemption becomes a range of weeks, each person's weeks are cut into segments
where nothing changes, and the segments are counted into the weeks (see SEGMENTS). Reported
attendance, one row per participation and week, corrects only its own week of the segment it falls
in (attendance_change), so it does not cut the segments week by week. bench/full_time_report.py
times both.

The two must agree: tests/insatser/test_full_time_weeks.py compares them on generated data and on
each edge of the definition (a participation starting or ending mid-week, two at once, an
exemption's own hours, overlapping exemptions, a closed case, two barriers for one person).

Week k is the Monday `first + 7k`. A row valid from `a` to `b` touches week k when
`first + 7k + 6 >= a` and `first + 7k <= b`, that is floor((a - first) / 7) <= k <= floor((b - first) / 7),
clamped to the run [0, weeks - 1]; a NULL end (open-ended) is the run's last week.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from cases.models import Applicant, Case, CaseSupportBarrier, HouseholdMember, SupportBarrier
from config.db_router import read_connection

from . import norms
from .models import WEEKDAY_FIELDS, Exemption, Participation, WeeklyAttendance

# Tables by the models' own names (no hard-coded table names to drift from the models).
T = {
    "applicant": Applicant._meta.db_table,
    "case": Case._meta.db_table,
    "member": HouseholdMember._meta.db_table,
    "case_barrier": CaseSupportBarrier._meta.db_table,
    "barrier": SupportBarrier._meta.db_table,
    "participation": Participation._meta.db_table,
    "attendance": WeeklyAttendance._meta.db_table,
    "exemption": Exemption._meta.db_table,
}


def _week_index(day: str) -> str:
    """SQL for the index of the week `day` falls in: floor((day - first) / 7) in integers (days
    before the run give < 0; PostgreSQL's % keeps the dividend's sign, hence the double modulo)."""
    days = f"({day} - %(first)s::date)"
    return f"(({days} - ({days} %% 7 + 7) %% 7) / 7)"


def _weekday(day: str) -> str:
    """SQL for the weekday of `day`, 0 = Monday (the run starts on a Monday)."""
    return f"((({day} - %(first)s::date) %% 7 + 7) %% 7)"


def _weeks_of(start: str, end: str) -> str:
    """SQL generate_series over the run's weeks a row from `start` to `end` (NULL: open) touches."""
    return (f"generate_series(greatest({_week_index(start)}, 0), "
            f"least({_week_index(f'coalesce({end}, %(last)s::date)')}, %(n)s - 1))")


def _hours_on_days(runs: str) -> str:
    """SQL summing the participation's hours of the weekdays (0 = Monday .. 6 = Sunday) where `runs`
    (an SQL condition on the weekday `{d}`) holds."""
    return " + ".join(f"CASE WHEN {runs.format(d=offset)} THEN p.{name} ELSE 0 END"
                      for offset, name in enumerate(WEEKDAY_FIELDS))


# The first week counts from the start's weekday (to the last day's, if it ends that week too),
# the last week up to the last day's weekday; every day of the weeks between.
_FIRST_WEEK_HOURS = _hours_on_days("{d} >= p.first_weekday AND (p.k_last > p.k_first OR {d} <= p.last_weekday)")
_LAST_WEEK_HOURS = _hours_on_days("{d} <= p.last_weekday")


# A person's facts change only where a row's weeks begin or end. So every row becomes a range of
# weeks [lo, hi] carrying what it adds (a barrier 1 to "under the norm", a participation its hours
# to the scheduled ones, the exemption in force 1 and its hours);
# each range becomes two events (+ at lo, - after hi), and each person's running sums in week
# order cut the person's weeks into segments over which everything is constant. A segment under
# the norm counts in each of its weeks: two events again, summed over the weeks. A row costs a
# few rows, not one per week (at 20 000 persons, about 300 000 events instead of a million
# person-weeks). Attendance is the exception: it is reported week by week, so as ranges it cut every
# attending person's segments into single weeks (at 1 000 000 persons, 3.8 million reports made 16
# million events and 6.8 million segments for a year); it is counted per week on top instead.
_RANGE_COLUMNS = ("under", "scheduled", "exempted", "required")


def _range(select: str, **values: str) -> str:
    """One SELECT of ranges: applicant_id, lo, hi and the values it adds (others 0).

    Hours are summed as whole hundredths (integers: every hours column has at most two decimals,
    so the sums and comparisons are exact, and integer sums are several times faster than numeric)."""
    hours = {"scheduled", "required"}
    return f"SELECT {select}, " + ", ".join(
        f"(({values[c]}) * 100)::int AS {c}" if c in values and c in hours else f"{values.get(c, '0')} AS {c}"
        for c in _RANGE_COLUMNS
    )


_BARRIER_LO = f"greatest({_week_index('b.valid_from')}, 0)"
_BARRIER_HI = f"least({_week_index('coalesce(least(b.valid_to, c.closed_on), %(last)s::date)')}, %(n)s - 1)"
_BARRIER_RANGE = _range(f"b.applicant_id, {_BARRIER_LO} AS lo, {_BARRIER_HI} AS hi", under="1")
_WEEK_HOURS = " + ".join(f"p.{name}" for name in WEEKDAY_FIELDS)
_ATTENDANCE_WEEK = "(a.week_start - %(first)s::date) / 7"


SEGMENTS = f"""
participation AS (
    -- OFFSET 0 computes each participation's weeks once, not again inside every expression using them.
    SELECT p.*, {_week_index('p.start_date')} AS k_first, {_week_index('p.last_day')} AS k_last,
           {_weekday('p.start_date')} AS first_weekday, {_weekday('p.last_day')} AS last_weekday
    FROM (SELECT p.*, coalesce(p.end_date, p.decision_period_end) AS last_day FROM {T['participation']} p
          WHERE p.start_date <= %(last)s::date + 6
            AND coalesce(p.end_date, p.decision_period_end) >= %(first)s::date OFFSET 0) p
    OFFSET 0
),
exemption_week AS (
    -- The exemption in force in the week; of several, the latest from (then the latest recorded).
    SELECT DISTINCT ON (e.applicant_id, k) e.applicant_id, k, e.id, e.required_hours_per_week AS hours
    FROM {T['exemption']} e CROSS JOIN LATERAL {_weeks_of('e.valid_from', 'e.valid_to')} AS k
    WHERE e.valid_from <= %(last)s::date + 6 AND e.valid_to >= %(first)s::date
    ORDER BY e.applicant_id, k, e.valid_from DESC, e.id DESC
),
fact_range AS MATERIALIZED (
    -- Labour-market barriers in force some day of the week, on a case not closed before it.
    {_BARRIER_RANGE}
    FROM {T['case_barrier']} b
    JOIN {T['barrier']} sb ON sb.id = b.barrier_id AND sb.is_labour_market
    JOIN {T['case']} c ON c.id = b.case_id
    WHERE b.valid_from <= %(last)s::date + 6
      AND (b.valid_to IS NULL OR b.valid_to >= %(first)s::date)
      AND (c.closed_on IS NULL OR c.closed_on >= %(first)s::date)
  UNION ALL
    -- A participation's first and last weeks count day by day, the weeks between every day.
    {_range("p.applicant_id, p.k_first, p.k_first", scheduled=_FIRST_WEEK_HOURS)}
    FROM participation p WHERE p.k_first >= 0
  UNION ALL
    {_range("p.applicant_id, greatest(p.k_first + 1, 0), least(p.k_last - 1, %(n)s - 1)",
            scheduled=_WEEK_HOURS)}
    FROM participation p WHERE greatest(p.k_first + 1, 0) <= least(p.k_last - 1, %(n)s - 1)
  UNION ALL
    {_range("p.applicant_id, p.k_last, p.k_last", scheduled=_LAST_WEEK_HOURS)}
    FROM participation p WHERE p.k_last > p.k_first AND p.k_last >= 0 AND p.k_last < %(n)s
  UNION ALL
    -- Consecutive weeks in which the same exemption is the one in force.
    {_range("applicant_id, min(k), max(k)", exempted="1", required="min(hours)")}
    FROM (SELECT *, k - row_number() OVER (PARTITION BY applicant_id, id ORDER BY k) AS run FROM exemption_week) w
    GROUP BY applicant_id, id, run
),
person_event AS (
    SELECT applicant_id, lo AS k, {', '.join(_RANGE_COLUMNS)} FROM fact_range WHERE lo <= hi
  UNION ALL
    SELECT applicant_id, hi + 1, {', '.join(f'-{c}' for c in _RANGE_COLUMNS)} FROM fact_range
    WHERE lo <= hi AND hi + 1 < %(n)s
),
segment AS MATERIALIZED (
    -- Under the norm from week lo to hi - 1; an exemption in force replaces the norm with its hours.
    -- attended_full is what the weeks without reported attendance have (0 hours against the
    -- required ones: only an exemption requiring none is reached); attendance_change corrects the
    -- weeks with attendance.
    SELECT s.applicant_id, s.lo, s.hi, s.required, (s.exempted > 0)::int AS exempted,
           (s.scheduled >= s.required)::int AS scheduled_full, (0 >= s.required)::int AS attended_full,
           (a.birth_date > %(born_after)s AND a.birth_date <= %(born_by)s)::int AS young
    FROM (
        -- One sort: the sums' default frame takes in every event of the same week (its peers), and
        -- the last event of each week is the one whose next event is a later week.
        SELECT applicant_id, k AS lo, lead(k, 1, %(n)s) OVER w AS hi, sum(under) OVER w AS under,
               sum(scheduled) OVER w AS scheduled, sum(exempted) OVER w AS exempted,
               CASE WHEN sum(exempted) OVER w > 0 THEN sum(required) OVER w ELSE %(norm)s END AS required
        FROM person_event WINDOW w AS (PARTITION BY applicant_id ORDER BY k)
    ) s
    JOIN {T['applicant']} a ON a.id = s.applicant_id
    WHERE s.hi > s.lo AND s.under > 0 {{unit}}
),
attendance_week AS (
    -- Reported attendance for the week's Monday (week_start is always a Monday), per person and
    -- week. Kept out of the segments: a week's report would otherwise cut the person's weeks into
    -- one segment per reported week (millions of segments for a year at national scale).
    SELECT p.applicant_id, {_ATTENDANCE_WEEK} AS k, sum((a.attended_hours * 100)::int) AS attended
    FROM {T['attendance']} a JOIN {T['participation']} p ON p.id = a.participation_id
    WHERE a.week_start BETWEEN %(first)s::date AND %(last)s::date AND (a.week_start - %(first)s::date) %% 7 = 0
    GROUP BY 1, 2
),
attendance_change AS (
    -- A week with attendance in a segment: full time by the hours attended, not by none.
    SELECT t.k, s.young, (t.attended >= s.required)::int - s.attended_full AS d
    FROM attendance_week t JOIN segment s ON s.applicant_id = t.applicant_id AND t.k >= s.lo AND t.k < s.hi
),
week_event AS (
    -- Each segment counts in every week from its first to its last; each attendance change in its week.
    SELECT lo AS k, 1 AS under_norm, exempted, scheduled_full, attended_full, young AS under_norm_young,
           young * attended_full AS attended_full_young FROM segment
  UNION ALL
    SELECT hi, -1, -exempted, -scheduled_full, -attended_full, -young, -young * attended_full FROM segment
    WHERE hi < %(n)s
  UNION ALL
    SELECT k, 0, 0, 0, d, 0, young * d FROM attendance_change WHERE d <> 0
  UNION ALL
    SELECT k + 1, 0, 0, 0, -d, 0, -young * d FROM attendance_change WHERE d <> 0 AND k + 1 < %(n)s
)
"""

COUNTS = ("under_norm", "exempted", "scheduled_full", "attended_full", "under_norm_young", "attended_full_young")

WEEKLY_COUNTS = f"""
WITH {SEGMENTS},
week_change AS (SELECT k, {', '.join(f'sum({c}) AS {c}' for c in COUNTS)} FROM week_event GROUP BY k)
SELECT * FROM (
    SELECT g.k, {', '.join(f'sum(coalesce(d.{c}, 0)) OVER (ORDER BY g.k)::int AS {c}' for c in COUNTS)}
    FROM generate_series(0, %(n)s - 1) AS g(k) LEFT JOIN week_change d ON d.k = g.k
) w
WHERE w.under_norm > 0
ORDER BY w.k
"""

IN_UNIT = f"""EXISTS (SELECT 1 FROM {T['member']} m JOIN {T['case']} c ON c.household_id = m.household_id
                  WHERE m.applicant_id = a.id AND c.unit_id = %(unit)s)"""


def weekly_counts(
    mondays: list[datetime.date],
    *,
    unit_id: int | None = None,
    born_after: datetime.date | None = None,
    born_on_or_before: datetime.date | None = None,
    norm_hours: Decimal | int | None = None,
) -> dict[datetime.date, dict[str, int]]:
    """Per Monday of the run `mondays` (consecutive weeks): persons under the norm, exempted,
    scheduled and attended full time, and of those born in (born_after, born_on_or_before] under the
    norm and attended full time (`_young`). Weeks nobody is under the norm are absent.

    `unit_id`: persons in a household with a case at the unit. PostgreSQL only.
    """
    if not mondays:
        return {}
    assert all(b - a == datetime.timedelta(days=7) for a, b in zip(mondays, mondays[1:], strict=False)), mondays
    norm_hours = norms.full_time_hours() if norm_hours is None else Decimal(norm_hours)
    # The norm in hundredths, rounded up: whole hundredths reach it exactly when they reach the norm.
    norm = math.ceil(norm_hours * 100)
    params = {"first": mondays[0], "last": mondays[-1], "n": len(mondays), "norm": norm, "unit": unit_id,
              "born_after": born_after or datetime.date.min, "born_by": born_on_or_before or datetime.date.max}
    sql = WEEKLY_COUNTS.replace("{unit}", f"AND {IN_UNIT}" if unit_id is not None else "")
    # Where the ORM would read (the reports' replica when there is one, config/db_router.py).
    with read_connection(Applicant).cursor() as cursor:
        cursor.execute(sql, params)
        return {mondays[row[0]]: dict(zip(COUNTS, row[1:], strict=True)) for row in cursor.fetchall()}

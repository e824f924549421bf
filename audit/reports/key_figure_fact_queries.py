"""Report 1's figures read from the monthly facts (PostgreSQL).

The same functions, arguments and results as key_figure_queries (the reference, which SQLite
and the tests keep using; money gives amounts and paid_amounts together), over a few rows per
household and month instead of the decisions, payments and memberships, and over one row per
closing count and participation instead of the closings and participations joined to the persons
and the insatser: the kön and birth date are in each row, so no window over the memberships and
no join is run at read time. tests/audit/reports/test_key_figure_facts.py checks both give the same
figures.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from audit.key_figure_fact_models import KeyFigureClosing, KeyFigureFact, KeyFigureParticipation, KeyFigureWait
from audit.reports import board_norms, key_figure_facts
from audit.reports import key_figure_queries as kq
from audit.reports.base import Period
from audit.reports.figures import GROUPS, household_split, median_of_counts
from audit.reports.key_figure_queries import group_flags
from cases.models import Unit
from planning.norms import add_months


def _flags(period: Period) -> dict:
    return group_flags(gender="applicant_gender", birth="applicant_birth_date", on=period.end)


def _long_term_window(period: Period) -> tuple:
    last_month = period.end.replace(day=1)
    return add_months(last_month, 1 - board_norms.norm("LONG_TERM_WINDOW_MONTHS")), last_month


def make_fresh(*periods: Period) -> list:
    """Rebuild the stale months these periods read: every month up to the last period's end, as a
    participation running in the period is kept under its start month, however long ago."""
    return key_figure_facts.fresh(None, max(p.end for p in periods))


def _facts(first, last, unit_id: int | None) -> QuerySet[KeyFigureFact]:
    qs = KeyFigureFact.objects.filter(month__gte=first, month__lte=last).order_by()
    return qs if unit_id is None else qs.filter(unit_id=unit_id)


def _supported(first, last, unit_id: int | None) -> QuerySet[KeyFigureFact]:
    """One row per household and month with försörjningsstöd: at a unit its row there (one per
    month, household and unit), else the household's one row marked support_once, so the
    households are counted without a DISTINCT over every row."""
    return _facts(first, last, unit_id).filter(**{"support" if unit_id is not None else "support_once": True})


def households_per_month(period: Period, unit_id: int | None) -> dict[str, dict]:
    months = period.months()
    pairs = _supported(months[0], months[-1], unit_id).values(hh=F("household_id"), in_month=F("month"),
                                                              **_flags(period))
    per_month = household_split(pairs, None, {"n": ("COUNT", None)}, by="in_month")
    out = {f"m{i}": dict.fromkeys((g.key for g in GROUPS), 0) for i in range(len(months))}
    for i, month in enumerate(months):
        if month in per_month:
            out[f"m{i}"] = per_month[month]["n"]
    return out


# Fact column -> (figure, measure), as key_figure_queries.amounts and paid_amounts name them.
MONEY = {"income_support_granted": ("amounts", "income_support"), "other_costs_granted": ("amounts", "other_costs"),
         "income_support_paid": ("paid", "income_support"), "other_costs_paid": ("paid", "other_costs")}


def money(period: Period, unit_id: int | None) -> tuple[dict[str, dict], dict[str, dict]]:
    """(amounts, paid_amounts) in one pass over the period's facts: both are sums of the same rows."""
    rows = _facts(period.start.replace(day=1), period.end, unit_id).values(*MONEY, **_flags(period))
    sums = household_split(rows, None, {column: ("SUM", column) for column in MONEY}, default=0)
    out: dict[str, dict] = {"amounts": {}, "paid": {}}
    for column, (figure, measure) in MONEY.items():
        out[figure][measure] = sums[column]
    return out["amounts"], out["paid"]


def long_term(period: Period, unit_id: int | None) -> dict[str, dict]:
    flags = _flags(period)
    households = (
        _supported(*_long_term_window(period), unit_id)
        .values(hh=F("household_id"), **flags)
        .annotate(support_months=Count("pk"))
        .annotate(is_long_term=Case(When(support_months__gte=board_norms.norm("LONG_TERM_MIN_MONTHS"), then=Value(1))))
        .values("hh", "is_long_term", *flags)
    )
    return household_split(households, None, {"long_term": ("COUNT", "is_long_term"), "recipients": ("COUNT", None)})


def waiting_times(period: Period, unit_id: int | None) -> dict[str, dict]:
    waits = KeyFigureWait.objects.filter(month__gte=period.start.replace(day=1), month__lte=period.end).order_by()
    if unit_id is not None:
        waits = waits.filter(unit_id=unit_id)
    # One pass: the applications per number of days waited and group; the count, the mean and the
    # median are all read off that distribution (whole days, so the sums are exact).
    rows = waits.values("wait_days", "n", **_flags(period))
    distribution = household_split(rows, None, {"n": ("SUM", "n")}, by="wait_days", default=0)
    count = {g.key: sum(d["n"][g.key] for d in distribution.values()) for g in GROUPS}
    days = {g.key: sum(v * d["n"][g.key] for v, d in distribution.items()) for g in GROUPS}
    return {
        "count": count,
        # As the reference's AVG: the exact mean, as a float.
        "mean": {g: float(Decimal(days[g]) / count[g]) if count[g] else None for g in count},
        "median": median_of_counts(distribution),
    }


def closings_by_reason(period: Period, unit_id: int | None) -> dict[str, dict[str, int]]:
    """{reason: {group: closings}}, as key_figure_queries.closings_by_reason, from the closings'
    counts per end month (the period's months are whole months)."""
    rows = KeyFigureClosing.objects.filter(month__gte=period.start.replace(day=1), month__lte=period.end).order_by()
    if unit_id is not None:
        rows = rows.filter(unit_id=unit_id)
    per_reason = household_split(rows.values("reason", "n", **_flags(period)), None, {"n": ("SUM", "n")},
                                 by="reason", default=0)
    return {reason: counts["n"] for reason, counts in per_reason.items()}


def participants(period: Period, unit_id: int | None) -> dict[str, dict]:
    """Distinct persons with a participation running some day of the period, by kind, as
    key_figure_queries.participants, from the participations' rows (no join)."""
    rows = KeyFigureParticipation.objects.filter(start_date__lte=period.end, last_day__gte=period.start)
    if unit_id is not None:
        rows = rows.filter(provider_unit_id=unit_id)
    matchning = Unit.objects.filter(code=board_norms.norm("INSATS_MATCHNING_UNIT_CODE")).values("pk")
    kinds = kq.participation_kinds(insats_type="insats_type", matchning=Q(provider_unit_id__in=matchning))
    return kq.count_participants(rows, period, kinds, person="applicant_id", gender="applicant_gender",
                                 birth="applicant_birth_date")

"""Report 3: Heltidsaktivering (DOMAIN.md sections 3 and 5; 004:114-116, 652-657; 003:546).

Persons under the norm and whether they were active full time, week by week, using the one
definition in insatser.full_time (scheduled and attended hours against the norm, or against an
exemption's own hours while it is in force). That function computes one week per query; on
PostgreSQL the period's weeks are counted in ONE set-based query by insatser.full_time_weeks
(tested to give the same counts), elsewhere (SQLite in development) week by week in a UNION ALL. Exemptions (avsteg) by reason and length, and those past
their review date, in one more query. The same two queries for the same period a year before
(read up to the same day while the period runs) give the period's figures their comparison.

Unit filter: persons in a household with a case at the unit.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, DateField, Exists, OuterRef, Q, Value
from django.utils import timezone

from audit import sources
from audit.reports import board_norms, side_by_side
from audit.reports.base import (
    BOARD_AND_MANAGERS,
    Chart,
    Column,
    Period,
    ReportData,
    ReportDefinition,
    ReportParams,
    Table,
)
from audit.reports.figures import (
    GROUPS,
    DaysBetween,
    change_label,
    difference,
    group_q,
    pct,
    ratio,
    same_day_a_year_before,
    with_year_before,
    years_before,
)
from cases.models import Applicant, HouseholdMember
from insatser import full_time_weeks
from insatser.full_time import full_time_activity, week_of
from insatser.models import Exemption, ExemptionReason

YOUNG = next(g for g in GROUPS if g.key == "age_18_29")
# DOMAIN.md sections 3 and 5 (004:114-116, 652-657; 003:546).
SOURCE = sources.both(sources.audit("2", "3.4.5"), sources.minutes(38))


def reference_day(params: ReportParams) -> datetime.date:
    return min(params.period.end, params.today or timezone.localdate())


def weeks(period: Period, until: datetime.date) -> list[datetime.date]:
    """Mondays of the weeks that begin in the period, up to the reference day."""
    monday = week_of(period.start)
    if monday < period.start:
        monday += datetime.timedelta(days=7)
    out = []
    while monday <= min(period.end, until):
        out.append(monday)
        monday += datetime.timedelta(days=7)
    return out


def persons_in_unit(unit_id: int | None):
    if unit_id is None:
        return Applicant.objects.all()
    member = HouseholdMember.objects.filter(applicant_id=OuterRef("pk"), household__cases__unit_id=unit_id)
    return Applicant.objects.filter(Exists(member))


def weekly_counts(period: Period, unit_id: int | None, until: datetime.date) -> list[dict]:
    """One row per week: counts of persons under the norm, exempted, full time (one query)."""
    mondays = weeks(period, until)
    if connection.vendor == "postgresql":
        found = full_time_weeks.weekly_counts(
            mondays, unit_id=unit_id,
            born_after=years_before(period.end, YOUNG.age_to + 1), born_on_or_before=years_before(period.end, YOUNG.age_from),
        )
    else:
        found = weekly_counts_by_week(mondays, unit_id, period)
    # A week in which nobody is under the norm still gets its row (zeros).
    empty = dict.fromkeys(("under_norm", "exempted", "scheduled_full", "attended_full", "under_norm_young",
                           "attended_full_young"), 0)
    return [{**empty, **found.get(monday, {}), "week": monday} for monday in mondays]


def weekly_counts_by_week(mondays: list[datetime.date], unit_id: int | None, period: Period) -> dict:
    """The same counts from insatser.full_time's one-week query, week by week in a UNION ALL.

    Portable (SQLite for development) and the reference the set-based query is tested against; on
    PostgreSQL it is about 20 times slower for a year (bench/full_time_report.py)."""
    young = group_q(YOUNG, gender="legal_gender", birth="birth_date", on=period.end)
    parts = []
    for monday in mondays:
        parts.append(
            full_time_activity(week_start=monday, persons=persons_in_unit(unit_id))
            .order_by()
            .annotate(week=Value(monday, output_field=DateField()))
            .values("week")
            .annotate(
                under_norm=Count("pk"),
                exempted=Count("pk", filter=Q(exemption_id__isnull=False)),
                scheduled_full=Count("pk", filter=Q(is_scheduled_full_time=True)),
                attended_full=Count("pk", filter=Q(is_attended_full_time=True)),
                under_norm_young=Count("pk", filter=young),
                attended_full_young=Count("pk", filter=young & Q(is_attended_full_time=True)),
            )
        )
    if not parts:
        return {}
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {row["week"]: {k: v for k, v in row.items() if k != "week"} for row in combined}


def _weekly_table(weekly: list[dict]) -> Table:
    rows = []
    for r in weekly:
        iso = r["week"].isocalendar()
        rows.append({
            "week": f"v. {iso[1]} {iso[0]} ({r['week']:%Y-%m-%d})",
            "under_norm": r["under_norm"],
            "exempted": r["exempted"],
            "scheduled_full": r["scheduled_full"],
            "scheduled_share": pct(r["scheduled_full"], r["under_norm"]),
            "attended_full": r["attended_full"],
            "attended_share": pct(r["attended_full"], r["under_norm"]),
            "under_norm_young": r["under_norm_young"],
            "attended_full_young": r["attended_full_young"],
            "attended_share_young": pct(r["attended_full_young"], r["under_norm_young"]),
        })
    return Table(
        key="full_time_per_week",
        title="Personer under normen och andel i heltidsaktivitet per vecka",
        columns=[
            Column("week", "Vecka"), Column("under_norm", "Under normen", "int"),
            Column("exempted", "Med avsteg", "int"),
            Column("scheduled_full", "Planerat heltid", "int"), Column("scheduled_share", "Andel planerat (%)", "percent"),
            Column("attended_full", "Närvarat heltid", "int"), Column("attended_share", "Andel närvarat (%)", "percent"),
            Column("under_norm_young", "Under normen 18–29 år", "int"),
            Column("attended_full_young", "Närvarat heltid 18–29 år", "int"),
            Column("attended_share_young", "Andel närvarat 18–29 år (%)", "percent"),
        ],
        rows=rows,
        definition=(
            "Veckor (måndag–söndag) som börjar inom perioden, till och med referensdagen. Under normen: personer "
            "med ett försörjningshinder av arbetsmarknadsskäl som gäller någon dag i veckan, i ett ärende som inte "
            "avslutats före veckan. Heltid: planerade timmar (deltagandenas veckoschema, de dagar deltagandet "
            "pågår) respektive rapporterad närvaro är minst normen, 40 timmar i veckan; under ett "
            "avsteg gäller avstegets egna timkrav i stället. Samma beräkning som egenkontrollens regel "
            f"över heltidsaktivering. 18–29 år: ålder på periodens sista dag ({SOURCE})."
        ),
    )


def _length_bands() -> list[tuple[str, str, Q]]:
    bounds = board_norms.norm("EXEMPTION_LENGTH_BANDS_DAYS")
    bands, low = [], 0
    for i, high in enumerate(bounds):
        label = f"{low + 1}–{high} dagar" if low else f"Högst {high} dagar"
        bands.append((f"band_{i}", label, Q(length_days__gt=low, length_days__lte=high)))
        low = high
    bands.append((f"band_{len(bounds)}", f"Mer än {low} dagar", Q(length_days__gt=low)))
    return bands


def _exemption_table(params: ReportParams, on: datetime.date) -> Table:
    period = params.period
    bands = _length_bands()
    past_review = Q(valid_from__lte=on, valid_to__gte=on, review_on__lt=on)
    rows_db = (
        Exemption.objects.filter(valid_from__lte=period.end, valid_to__gte=period.start)
        .filter(applicant__in=persons_in_unit(params.unit_id))
        .annotate(length_days=DaysBetween("valid_to", "valid_from") + 1)
        .order_by()
        .values("reason")
        .annotate(
            n_total=Count("pk"),
            n_past_review=Count("pk", filter=past_review),
            **{f"n_{key}": Count("pk", filter=q) for key, _, q in bands},
        )
    )
    found = {r["reason"]: r for r in rows_db}
    keys = ["total", *(key for key, _, _ in bands), "past_review"]
    rows = []
    for code, label in ExemptionReason.choices:
        r = found.get(code, {})
        rows.append({"reason": label, **{k: r.get(f"n_{k}", 0) for k in keys}})
    rows.append({"reason": "Totalt", **{k: sum(row[k] for row in rows) for k in keys}})
    return Table(
        key="exemptions",
        title="Avsteg från heltidsaktivering per skäl och längd",
        columns=[
            Column("reason", "Skäl"), Column("total", f"Avsteg {period.label}", "int"),
            *(Column(key, label, "int") for key, label, _ in bands),
            Column("past_review", "Omprövningsdatum passerat", "int"),
        ],
        rows=rows,
        definition=(
            "Dokumenterade avsteg som gäller någon dag under perioden, per kodat skäl. Längd: avstegets hela "
            "giltighetstid i dagar (från och med–till och med); gränserna är kommunens inställning för "
            "rapporten. Omprövningsdatum passerat: avsteget gäller på referensdagen "
            f"{on:%Y-%m-%d} och dess datum för omprövning ligger före den dagen. Varje avsteg ska dokumenteras "
            f"med skäl och period, följas upp och redovisas för nämnden ({SOURCE})."
        ),
    )


def _period_figures(weekly: list[dict], exemptions: Table) -> dict:
    """The period's figures from its weeks and exemptions (arithmetic on the two queries' rows)."""
    total = {key: sum(r[key] for r in weekly) for key in ("under_norm", "scheduled_full", "attended_full",
                                                          "under_norm_young", "attended_full_young")}
    all_reasons = exemptions.rows[-1]  # the Totalt row
    return {
        "under_norm_mean": ratio(total["under_norm"], len(weekly), "0.1"),
        "scheduled_share": pct(total["scheduled_full"], total["under_norm"]),
        "attended_share": pct(total["attended_full"], total["under_norm"]),
        "attended_share_young": pct(total["attended_full_young"], total["under_norm_young"]),
        "exemptions": all_reasons["total"],
        "past_review": all_reasons["past_review"],
    }


SHARES = [("scheduled_share", "Planerat heltid"), ("attended_share", "Närvarat heltid"),
          ("attended_share_young", "Närvarat heltid 18–29 år")]
COUNTS = [("under_norm_mean", "Personer under normen, genomsnitt per vecka"),
          ("exemptions", "Avsteg som gäller någon dag under perioden"),
          ("past_review", "Avsteg vars omprövningsdatum passerats")]


def _compared_table(key: str, title: str, lines: list, kind: str, now: dict, before: dict, periods: tuple,
                    definition: str) -> Table:
    period, previous = periods
    return Table(
        key=key,
        title=title,
        columns=[Column("figure", "Tal"), Column("current", period.label, kind),
                 Column("previous", previous.label, kind),
                 Column("change", change_label(kind), "number" if kind == "percent" else kind)],
        rows=[{"figure": label, "current": now[k], "previous": before[k], "change": difference(now[k], before[k])}
              for k, label in lines],
        definition=definition,
        compare=("current", "previous"),
        compare_label="figure",
    )


def _period_tables(periods: tuple, days: tuple, now: dict, before: dict) -> list[Table]:
    (_, previous), (on, on_before) = periods, days
    compared = (f"Jämförs med samma period året före ({previous.label}), veckor till och med {on_before:%Y-%m-%d}; "
                f"perioden till och med referensdagen {on:%Y-%m-%d}.")
    return [
        _compared_table(
            "full_time_shares", "Andel under normen i heltidsaktivitet under perioden (%)", SHARES, "percent",
            now, before, periods,
            "Personveckor med planerad respektive närvarad heltid delat med alla personveckor under normen (summan "
            "av veckornas antal i tabellen per vecka), i procent; samma definition som per vecka. Förändringen är i "
            f"procentenheter. {compared} ({SOURCE})",
        ),
        _compared_table(
            "full_time_counts", "Personer under normen och avsteg under perioden", COUNTS, "number",
            now, before, periods,
            "Personer under normen: summan av veckornas antal delat med antalet veckor. Avsteg: som i tabellen "
            f"över avsteg per skäl, omprövningsdatum passerat på referensdagen. {compared}",
        ),
    ]


def build(params: ReportParams) -> ReportData:
    period, on = params.period, reference_day(params)
    before = ReportParams(period=period.previous_year(), unit_id=params.unit_id,
                          today=same_day_a_year_before(period, on))
    on_before = reference_day(before)

    # The two periods side by side where they can be (audit/reports/side_by_side.py).
    def read(p: ReportParams, day: datetime.date) -> tuple[list[dict], Table]:
        return weekly_counts(p.period, p.unit_id, day), _exemption_table(p, day)

    (weekly, exemptions), (weekly_before, exemptions_before) = side_by_side.run(
        lambda: read(params, on), lambda: read(before, on_before))
    figures = _period_figures(weekly, exemptions), _period_figures(weekly_before, exemptions_before)
    with_year_before(exemptions, exemptions_before, "total", label=f"Avsteg {before.period.label}", match="reason",
                     compare=False)
    tables = [*_period_tables((period, before.period), (on, on_before), *figures), _weekly_table(weekly), exemptions]
    charts = [
        Chart("Andel under normen i heltidsaktivitet per vecka", "full_time_per_week", "week",
              ["scheduled_share", "attended_share", "attended_share_young"], kind="line"),
        Chart("Personer under normen per vecka", "full_time_per_week", "week", ["under_norm", "exempted"]),
        Chart("Avsteg per skäl", "exemptions", "reason", ["total", "past_review"]),
    ]
    return ReportData(code=REPORT.code, title=REPORT.title, params=params, tables=tables, charts=charts,
                      notes=[f"Referensdag {on:%Y-%m-%d}; året före {on_before:%Y-%m-%d}. Alla tal är summor; "
                             "inga personuppgifter ingår."])


REPORT = ReportDefinition(
    code="full_time_activation",
    title="Heltidsaktivering",
    number="3",
    audience=BOARD_AND_MANAGERS,
    personal_data=False,
    period_kind="period",
    covers=(
        "Nämndens riktlinje om heltidsaktivering: hur många med försörjningsstöd av arbetsmarknadsskäl som "
        "varje vecka hade planerad och genomförd aktivitet på heltid, särskilt unga 18–29 år, och de avsteg "
        "från riktlinjen som gällt, per skäl och längd. Jämförs med samma period året före."
    ),
    build=build,
)

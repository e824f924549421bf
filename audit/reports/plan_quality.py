"""Report 2: Planer och uppföljning (DOMAIN.md sections 4 and 5; 004:524-537, 583-605, 864-933;
BIP 003:574, 004:350-360).

Reference day: the period's last day, or today if the period has not ended. Unit filter: persons
with a coordinator at the unit some day of the period (the coordinator owns the plan, 004:478-481).
Each table is one aggregate query; the same queries for the same period a year before (read on
the same day while the period runs) give the shares their comparison.
"""

from __future__ import annotations

import contextlib
import datetime

from django.db.models import Avg, BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.reports import side_by_side
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
    SPLIT_NOTE,
    group_q,
    pct,
    ratio,
    report_work_mem,
    same_day_a_year_before,
    with_year_before,
)
from cases.expressions import AddMonths, fenced
from cases.models import Applicant, CoordinatorAssignment
from config.db_router import read_connection
from insatser.models import Participation
from planning import bip
from planning import norms as planning_norms
from planning.models import BipAnswer, BipIndicator, FollowUpDue, ImplementationPlan, PlanStatus
from planning.quality import (
    CHECKPOINTS,
    CONTROL_QUESTIONS,
    NO,
    NOT_APPLICABLE,
    YES,
    count_answers,
)
from planning.selectors import current_plans


def reference_day(params: ReportParams) -> datetime.date:
    today = params.today or timezone.localdate()
    return min(params.period.end, today)


def in_unit(person_ref: str, unit_id: int | None, period: Period) -> Q:
    """The person had a coordinator at the unit some day of the period (everyone when None)."""
    return Q() if unit_id is None else in_target_group(person_ref, unit_id, period)


def _active_on(on: datetime.date):
    return Participation.objects.annotate(last_day=Coalesce("end_date", "decision_period_end")).filter(
        start_date__lte=on, last_day__gte=on
    )


def _assignments(unit_id: int | None, period: Period):
    assignments = CoordinatorAssignment.objects.filter(start_date__lte=period.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.start))
    return assignments if unit_id is None else assignments.filter(coordinator__unit_id=unit_id)


def in_target_group(person_ref: str, unit_id: int | None, period: Period) -> Q:
    """The plans' target group: persons with a coordinator (at the unit, when one is asked for)
    some day of the period: the coordinator makes and follows up the plan."""
    return Q(Exists(_assignments(unit_id, period).filter(applicant_id=OuterRef(person_ref))))


def in_unit_persons(person_field: str, unit_id: int | None, period: Period) -> Q:
    """in_unit as the set of the unit's persons (a subquery of its own, read once and hashed),
    for rows many to a person, where an EXISTS would be asked once per row."""
    if unit_id is None:
        return Q()
    return Q(**{f"{person_field}__in": _assignments(unit_id, period).values("applicant_id")})


def _persons_query(params: ReportParams, on: datetime.date) -> dict:
    """One aggregate over the active participants (by group) and the persons in the target group."""
    active = Exists(_active_on(on).filter(applicant_id=OuterRef("pk")))
    target = in_target_group("pk", params.unit_id, params.period)
    persons = Applicant.objects.filter(
        (Q(active) & in_unit("pk", params.unit_id, params.period)) | target
    ).annotate(
        is_active=ExpressionWrapper(Q(active) & in_unit("pk", params.unit_id, params.period),
                                    output_field=BooleanField()),
        in_target=ExpressionWrapper(target, output_field=BooleanField()),
        has_plan=Exists(current_plans(on=on).filter(applicant_id=OuterRef("pk"))),
        any_plan=Exists(ImplementationPlan.objects.filter(applicant_id=OuterRef("pk"), made_on__lte=on)),
        judged_plan=Exists(plans_in_period(params.period, on).filter(applicant_id=OuterRef("pk"))),
    )
    exprs = {
        "target": Count("pk", filter=Q(in_target=True)),
        "target_with_plan": Count("pk", filter=Q(in_target=True, judged_plan=True)),
        "target_without_plan": Count("pk", filter=Q(in_target=True, any_plan=False)),
        "target_only_old_plans": Count("pk", filter=Q(in_target=True, any_plan=True, judged_plan=False)),
    }
    for g in GROUPS:
        q = group_q(g, gender="legal_gender", birth="birth_date", on=params.period.end) & Q(is_active=True)
        exprs[f"active__{g.key}"] = Count("pk", filter=q)
        exprs[f"with_plan__{g.key}"] = Count("pk", filter=q & Q(has_plan=True))
    with report_work_mem(read_connection(Applicant)):  # the EXISTS hashed once, not probed per person
        return fenced(persons).aggregate(**exprs)  # each subquery once per person, not once per FILTER


def _valid_plan_table(params: ReportParams, on: datetime.date, row: dict) -> Table:
    rows = [
        {"group": g.label, "active": row[f"active__{g.key}"], "with_plan": row[f"with_plan__{g.key}"],
         "share": pct(row[f"with_plan__{g.key}"], row[f"active__{g.key}"])}
        for g in GROUPS
    ]
    return Table(
        key="valid_plan",
        title="Aktiva deltagare med giltig genomförandeplan",
        columns=[Column("group", "Grupp"), Column("active", "Aktiva deltagare", "int"),
                 Column("with_plan", "Med giltig plan", "int"),
                 Column("share", f"Andel {params.period.label} (%)", "percent")],
        rows=rows,
        definition=(
            f"Personer med ett deltagande i en insats som pågår {on:%Y-%m-%d} (rapportens referensdag: periodens "
            "sista dag, eller i dag om perioden inte är slut). Giltig plan: en fastställd genomförandeplan "
            "upprättad senast den dagen, vars giltighetstid (6 månader) inte gått ut och som inte ersatts av en "
            f"senare fastställd version. {SPLIT_NOTE}"
        ),
    )


def plans_in_period(period: Period, on: datetime.date | None = None):
    """Every plan judged for the period, whatever its state: made by the period's end (and by `on`),
    its six months (validity, or for a plan never signed six months from the day it was made)
    reaching into the period, and not replaced by a signed version made on or before the period's
    start. Drafts, signed, superseded and brought-over plans alike."""
    on = on or period.end
    newer = ImplementationPlan.objects.filter(
        supersedes_id=OuterRef("pk"), status=PlanStatus.SIGNED, made_on__lte=period.start
    )
    window_end = Coalesce("valid_until", AddMonths("made_on", planning_norms.norm("plan_validity_months")))
    return (
        ImplementationPlan.objects.filter(made_on__lte=min(period.end, on))
        .alias(window_end=window_end).filter(window_end__gte=period.start)
        .exclude(Exists(newer))
    )


POPULATION_LINES = [
    ("target", "Personer i målgruppen",
     "Personer som haft koordinator (vid enheten, om en enhet valts) någon dag under perioden."),
    ("target_with_plan", "Personer i målgruppen med minst en bedömd plan",
     "Personer i målgruppen som har minst en av planerna nedan."),
    ("target_only_old_plans", "Personer i målgruppen med enbart äldre planer",
     "Personer i målgruppen vars alla planer gått ut eller ersatts före periodens början."),
    ("target_without_plan", "Personer i målgruppen utan någon genomförandeplan",
     "Personer i målgruppen som inte har någon genomförandeplan alls, varken utkast eller fastställd, "
     "upprättad senast referensdagen."),
    ("plans", "Bedömda planer",
     "Alla genomförandeplaner som gällt någon dag under perioden, oavsett om de är fastställda eller inte: "
     "upprättade senast periodens sista dag, vars giltighetstid (för ett utkast 6 månader från upprättandet) "
     "når in i perioden, och som inte ersatts av en fastställd version före periodens början."),
    ("plans_signed", "– varav fastställda", "Fastställda planer som inte ersatts av en ny version på referensdagen."),
    ("plans_draft", "– varav utkast", "Planer som aldrig fastställts. De bedöms som de är."),
    ("plans_superseded", "– varav ersatta av en ny version",
     "Fastställda planer som på referensdagen ersatts av en senare fastställd version."),
]


def _quality_tables(params: ReportParams, on: datetime.date, persons: dict) -> list[Table]:
    plans = plans_in_period(params.period, on).filter(in_unit("applicant_id", params.unit_id, params.period))
    row = count_answers(plans, on=on)
    counts = {**persons, **row}
    population = Table(
        key="plan_population",
        title="Planer och personer som bedöms",
        columns=[Column("line", "Vad som räknas"), Column("count", f"Antal {params.period.label}", "int"),
                 Column("definition", "Definition")],
        rows=[{"line": label, "count": counts[key], "definition": text} for key, label, text in POPULATION_LINES],
        definition=(
            "Vilka planer och personer kvalitetspunkterna gäller. Varje rad har sin definition. En plan som "
            "inte klarar en kontrollpunkt räknas ändå, även utkast och planer som förts över från ett tidigare "
            "system; personer utan plan räknas för sig."
        ),
    )
    rows = []
    for questions, kind in ((CHECKPOINTS, "Revisorernas kontrollpunkt"), (CONTROL_QUESTIONS, "Enhetens kontrollfråga")):
        for code, question, _ in questions:
            yes, no, na = (row[f"n_{code}_{a}"] for a in (YES, NO, NOT_APPLICABLE))
            rows.append({"kind": kind, "question": question, "passed": yes, "failed": no, "not_applicable": na,
                         "judged": yes + no, "share": pct(yes, yes + no)})
    checkpoints = Table(
        key="plan_checkpoints",
        title="Planer som klarar varje kvalitetspunkt",
        columns=[Column("kind", "Typ"), Column("question", "Fråga"), Column("passed", "Ja", "int"),
                 Column("failed", "Nej", "int"), Column("not_applicable", "Ej aktuellt", "int"),
                 Column("judged", "Bedömda (ja + nej)", "int"),
                 Column("share", f"Andel ja {params.period.label} (%)", "percent")],
        rows=rows,
        definition=(
            "De bedömda planerna (se tabellen ovan), var och en bedömd som den är: revisorernas åtta "
            "kontrollpunkter och enhetens fem kontrollfrågor, med samma bedömning som planen, egenkontrollen och "
            "stickproven visar. Ej aktuellt räknas för sig och ingår inte i andelen: uppföljning inom 6 månader är "
            "ej aktuell medan planens giltighetstid löper, och när ärendet avslutades, personens uppdrag hos "
            "koordinator upphörde eller planen ersattes av en ny version innan giltighetstiden var slut. Ett utkast "
            "svarar nej på frågan om genomförandeplan upprättats."
        ),
    )
    return [population, checkpoints]


def _compliance_table(params: ReportParams, on: datetime.date) -> Table:
    interval = planning_norms.norm("follow_up_interval_months")
    limit = planning_norms.add_months(on, -interval)
    # Any follow-up of the person's plans, read where each has the person and is indexed by day
    # (planning/follow_up_due.py): a month's follow-ups, not all of them joined to their plans.
    recent = FollowUpDue.objects.filter(applicant_id=OuterRef("pk"), followed_up_on__gt=limit, followed_up_on__lte=on)
    started_recently = _active_on(on).filter(applicant_id=OuterRef("pk"), start_date__gt=limit)
    persons = Applicant.objects.filter(
        Exists(_active_on(on).filter(applicant_id=OuterRef("pk"))), in_unit("pk", params.unit_id, params.period)
    ).annotate(recent=Exists(recent), new=Exists(started_recently))
    status = fenced(persons).aggregate(  # each EXISTS once per person, not once per FILTER
        active=Count("pk"),
        within=Count("pk", filter=Q(recent=True)),
        not_due=Count("pk", filter=Q(recent=False, new=True)),
        overdue=Count("pk", filter=Q(recent=False, new=False)),
    )
    return Table(
        key="follow_up_compliance",
        title="Aktiva deltagare uppföljda inom intervallet",
        columns=[Column("active", "Aktiva deltagare", "int"), Column("within", "Uppföljda inom intervallet", "int"),
                 Column("not_due", "Ännu inte aktuellt (nystartade)", "int"),
                 Column("overdue", "Inte uppföljda inom intervallet", "int"),
                 Column("share", f"Andel uppföljda {params.period.label} (%)", "percent")],
        rows=[{**status, "share": pct(status["within"], status["active"])}],
        definition=(
            f"Personer med pågående deltagande {on:%Y-%m-%d}. Uppföljd inom intervallet: en dokumenterad "
            f"uppföljning av någon av personens planer de senaste {interval} månaderna (efter {limit:%Y-%m-%d}). "
            "Ännu inte aktuellt: ingen sådan uppföljning men ett deltagande som startat inom intervallet. "
            f"Uppföljningsintervallet är {interval} månad(er)."
        ),
    )


def _made_table(params: ReportParams, made: dict[str, int]) -> Table:
    return Table(
        key="follow_ups_made",
        title="Uppföljningar gjorda under perioden",
        columns=[Column("count", "Uppföljningar", "int"), Column("on_time", "Senast på planerat datum", "int"),
                 Column("late", "Efter planerat datum", "int"),
                 Column("no_due_date", "Inget planerat datum", "int"),
                 Column("deviations", "Med avvikelse från planeringen", "int"),
                 Column("share", f"Andel i tid {params.period.label} (%)", "percent")],
        rows=[{**made, "share": pct(made["on_time"], made["count"])}],
        definition=(
            "Dokumenterade uppföljningar med datum inom perioden. I tid: gjord senast det datum som föregående "
            "uppföljning av personens plan satte som nästa uppföljning, eller, för den första, planens "
            "'följs upp senast'; saknas båda räknas den som 'inget planerat datum'. Andel i tid räknas på alla uppföljningar. Avvikelse: personen följde inte "
            "planeringen (dokumenterad avvikelse)."
        ),
    )


# Per period, each figure counted where the follow-up is the period's (dated in it, the person in
# the unit then) and the condition holds.
MADE_FIGURES = {
    "count": Q(),
    "on_time": Q(followed_up_on__lte=F("due_on")),
    "late": Q(followed_up_on__gt=F("due_on")),
    "no_due_date": Q(due_on__isnull=True),
    "deviations": Q(follows_plan=False),
}
MADE_COLUMNS = tuple(MADE_FIGURES)


def follow_ups_made(periods: list[Period], unit_id: int | None) -> list[dict[str, int]]:
    """For each period, the follow-ups dated in it (of persons in the unit then): how many, how
    many on or before their due date, after it, with none, and with a deviation from the plan.

    A follow-up's due date is the next follow-up that the person's previous one set, or for the
    first, its plan's "följs upp senast" (planning/follow_up_due.py). It depends only on earlier
    follow-ups, so it is kept with each follow-up, and one aggregate over the periods' follow-ups
    serves every period (the report's and the year before). Before, each read ordered all
    5.2 million follow-ups of 1 000 000 persons by person and day (19 s for a year, bench/README.md).
    A unit's persons are read once per period as a set, not asked per follow-up."""
    in_unit_then = [in_unit_persons("applicant_id", unit_id, period) for period in periods]
    anyone = Q()
    for q in in_unit_then:
        anyone |= q
    rows = FollowUpDue.objects.filter(
        followed_up_on__gte=min(p.start for p in periods), followed_up_on__lte=max(p.end for p in periods)
    ).filter(anyone)
    if unit_id is not None:  # each person's unit once per row, however many figures read it
        rows = rows.annotate(**{f"in_{i}": ExpressionWrapper(q, output_field=BooleanField())
                                for i, q in enumerate(in_unit_then)})
    figures = {}
    for i, period in enumerate(periods):
        theirs = Q(followed_up_on__gte=period.start, followed_up_on__lte=period.end)
        if unit_id is not None:
            theirs &= Q(**{f"in_{i}": True})
        for name, condition in MADE_FIGURES.items():
            figures[f"{name}__{i}"] = Count("pk", filter=theirs & condition)
    # A unit's persons (some 260 000 at 1 000 000 persons) are hashed once only when the hash fits
    # in work_mem; otherwise PostgreSQL scans them for every follow-up.
    memory = report_work_mem(read_connection(FollowUpDue)) if unit_id is not None else contextlib.nullcontext()
    with memory:
        values = fenced(rows).aggregate(**figures)
    return [{name: values[f"{name}__{i}"] for name in MADE_COLUMNS} for i in range(len(periods))]


BIP_COLUMNS = [
    Column("indicator", "Indikator"), Column("persons", "Personer mätta minst två gånger", "int"),
    Column("mean", "Genomsnittlig förändring (skalsteg)", "number"),
    Column("improved", "Förbättrats", "int"), Column("unchanged", "Oförändrade", "int"),
    Column("worsened", "Försämrats", "int"),
]


def _bip_table(params: ReportParams) -> Table:
    period = params.period
    indicators = list(BipIndicator.objects.filter(instrument__is_active=True).only("is_confirmed"))
    if not bip.is_licensed(indicators):
        # Placeholder indicator names are not shown to the board (planning/bip.py).
        return Table(key="bip_progress", title="BIP: stegförflyttning per indikator", columns=BIP_COLUMNS, rows=[],
                     definition=bip.missing_text(indicators))
    in_period = BipAnswer.objects.filter(
        assessment__assessed_on__gte=period.start, assessment__assessed_on__lte=period.end
    )
    same = in_period.filter(
        indicator_id=OuterRef("indicator_id"),
        assessment__applicant_id=OuterRef("assessment__applicant_id"),
        assessment__instrument_id=OuterRef("assessment__instrument_id"),
    )
    earlier = same.filter(assessment__assessed_on__lt=OuterRef("assessment__assessed_on"))
    later = same.filter(assessment__assessed_on__gt=OuterRef("assessment__assessed_on")).order_by(
        "-assessment__assessed_on"
    )
    # One row per person and indicator: the first answer in the period, with the last one's value.
    firsts = (
        in_period.filter(in_unit("assessment__applicant_id", params.unit_id, period))
        .exclude(Exists(earlier))
        .annotate(last_value=Subquery(later.values("value")[:1]))
        .filter(last_value__isnull=False)
        .annotate(change=F("last_value") - F("value"))
    )
    rows = (
        firsts.order_by()
        .values("indicator_id", "indicator__name", "indicator__position")
        .annotate(
            persons=Count("pk"),
            mean=Avg("change"),
            improved=Count("pk", filter=Q(change__gt=0)),
            unchanged=Count("pk", filter=Q(change=0)),
            worsened=Count("pk", filter=Q(change__lt=0)),
        )
        .order_by("indicator__position", "indicator_id")
    )
    return Table(
        key="bip_progress",
        title="BIP: stegförflyttning per indikator",
        columns=BIP_COLUMNS,
        rows=[
            {"indicator": r["indicator__name"], "persons": r["persons"],
             "mean": ratio(r["mean"], 1, "0.01") if r["mean"] is not None else None,
             "improved": r["improved"], "unchanged": r["unchanged"], "worsened": r["worsened"]}
            for r in rows
        ],
        definition=(
            "För varje person och indikator: skillnaden mellan värdet vid personens sista och första "
            "BIP-skattning inom perioden (samma instrument). Bara personer med minst två skattningar under "
            "perioden räknas."
        ),
    )


def _tables(params: ReportParams, on: datetime.date) -> list[Table]:
    """Every table of the report for one period, read on `on`, but the follow-ups made (counted
    for both periods at once, follow_ups_made; `_with_made` puts their table in): four queries."""
    persons = _persons_query(params, on)
    return [
        _valid_plan_table(params, on, persons),
        *_quality_tables(params, on, persons),
        _compliance_table(params, on),
        _bip_table(params),
    ]


def _with_made(tables: list[Table], params: ReportParams, made: dict[str, int]) -> list[Table]:
    """`tables` with the follow-ups made after the compliance, where the report shows them."""
    at = next(i for i, t in enumerate(tables) if t.key == "follow_up_compliance") + 1
    return [*tables[:at], _made_table(params, made), *tables[at:]]


# Each table's column compared with the year before: (table, column, matched by, label, the
# figure's name in the summary or None when not offered to it; None: the table's title).
YEAR_BEFORE = [
    ("valid_plan", "share", "group", "Andel {} (%)", "Aktiva deltagare med giltig genomförandeplan (andel)"),
    ("plan_population", "count", "line", "Antal {}", None),
    ("plan_checkpoints", "share", "question", "Andel ja {} (%)", "Planer som klarar kvalitetspunkten (andel)"),
    ("follow_up_compliance", "share", None, "Andel uppföljda {} (%)",
     "Aktiva deltagare uppföljda inom intervallet (andel)"),
    ("follow_ups_made", "share", None, "Andel i tid {} (%)", "Uppföljningar gjorda i tid (andel)"),
    # A mean change of scale steps: shown beside last year's, not ranked by its own relative change.
    ("bip_progress", "mean", "indicator", "Genomsnittlig förändring {}", None),
]


def build(params: ReportParams) -> ReportData:
    on = reference_day(params)
    before = ReportParams(period=params.period.previous_year(), unit_id=params.unit_id,
                          today=same_day_a_year_before(params.period, on))
    on_before = reference_day(before)
    # Three independent reads, side by side where they can be (audit/reports/side_by_side.py).
    (made, made_before), tables, tables_before = side_by_side.run(
        lambda: follow_ups_made([params.period, before.period], params.unit_id),
        lambda: _tables(params, on),
        lambda: _tables(before, on_before),
    )
    tables = _with_made(tables, params, made)
    by_key = {t.key: t for t in tables}
    earlier = {t.key: t for t in _with_made(tables_before, before, made_before)}
    for key, column, match, label, summary_title in YEAR_BEFORE:
        with_year_before(by_key[key], earlier[key], column, label=label.format(before.period.label), match=match,
                         compare=summary_title is not None)
        by_key[key].compare_title = summary_title
        by_key[key].definition += (f" Jämförs med samma period året före ({before.period.label}), räknat på "
                                   f"referensdagen {on_before:%Y-%m-%d}.")
    by_key["plan_checkpoints"].compare_label = "question"
    charts = [
        Chart("Andel aktiva deltagare med giltig plan", "valid_plan", "group", ["share"]),
        Chart("Planer som klarar varje kvalitetspunkt (%)", "plan_checkpoints", "question", ["share"]),
        Chart("BIP: förbättrats, oförändrade, försämrats", "bip_progress", "indicator",
              ["improved", "unchanged", "worsened"]),
    ]
    return ReportData(code=REPORT.code, title=REPORT.title, params=params, tables=tables, charts=charts,
                      notes=[f"Referensdag {on:%Y-%m-%d}; året före {on_before:%Y-%m-%d}. Alla tal är summor; "
                             "inga personuppgifter ingår."])


REPORT = ReportDefinition(
    code="plan_quality",
    title="Planer och uppföljning",
    number="2",
    audience=BOARD_AND_MANAGERS,
    personal_data=False,
    period_kind="period",
    covers=(
        "Genomförandeplanernas kvalitet och uppföljningen av deltagarna: hur många aktiva deltagare som har "
        "en giltig plan, hur många planer som klarar revisorernas kontrollpunkter och enhetens kontrollfrågor, "
        "hur många som följts upp i tid och hur deltagarna förflyttat sig enligt BIP. Jämförs med samma "
        "period året före."
    ),
    build=build,
)

"""Report 2: Planer och uppföljning (DOMAIN.md sections 4 and 5; 004:524-537, 583-605, 864-933;
BIP 003:574, 004:350-360).

Reference day: the period's last day, or today if the period has not ended. Unit filter: persons
with a coordinator at the unit some day of the period (the coordinator owns the plan, 004:478-481).
Each table is one aggregate query.
"""

from __future__ import annotations

import datetime

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

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
from audit.reports.figures import GROUPS, SPLIT_NOTE, group_q, pct, ratio
from cases.models import Applicant, CoordinatorAssignment
from insatser.models import Participation
from planning import norms as planning_norms
from planning.models import BipAnswer, FollowUp, ImplementationPlan, PlanStatus
from planning.quality import CHECKPOINTS, CONTROL_QUESTIONS, annotate_quality
from planning.selectors import current_plans

SOURCE = "DOMAIN.md avsnitt 5"


def reference_day(params: ReportParams) -> datetime.date:
    today = params.today or timezone.localdate()
    return min(params.period.end, today)


def in_unit(person_ref: str, unit_id: int | None, period: Period) -> Q:
    """The person had a coordinator at the unit some day of the period (everyone when None)."""
    if unit_id is None:
        return Q()
    assignments = CoordinatorAssignment.objects.filter(
        applicant_id=OuterRef(person_ref), coordinator__unit_id=unit_id, start_date__lte=period.end
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
    return Q(Exists(assignments))


def _active_on(on: datetime.date):
    return Participation.objects.annotate(last_day=Coalesce("end_date", "decision_period_end")).filter(
        start_date__lte=on, last_day__gte=on
    )


def _valid_plan_table(params: ReportParams, on: datetime.date) -> Table:
    persons = Applicant.objects.filter(
        Exists(_active_on(on).filter(applicant_id=OuterRef("pk"))), in_unit("pk", params.unit_id, params.period)
    ).annotate(has_plan=Exists(current_plans(on=on).filter(applicant_id=OuterRef("pk"))))
    exprs = {}
    for g in GROUPS:
        q = group_q(g, gender="legal_gender", birth="birth_date", on=params.period.end)
        exprs[f"active__{g.key}"] = Count("pk", filter=q)
        exprs[f"with_plan__{g.key}"] = Count("pk", filter=q & Q(has_plan=True))
    row = persons.aggregate(**exprs)
    rows = [
        {"group": g.label, "active": row[f"active__{g.key}"], "with_plan": row[f"with_plan__{g.key}"],
         "share": pct(row[f"with_plan__{g.key}"], row[f"active__{g.key}"])}
        for g in GROUPS
    ]
    return Table(
        key="valid_plan",
        title="Aktiva deltagare med giltig genomförandeplan",
        columns=[Column("group", "Grupp"), Column("active", "Aktiva deltagare", "int"),
                 Column("with_plan", "Med giltig plan", "int"), Column("share", "Andel (%)", "percent")],
        rows=rows,
        definition=(
            f"Personer med ett deltagande som pågår {on:%Y-%m-%d} (rapportens referensdag: periodens sista dag, "
            "eller i dag om perioden inte är slut). Giltig plan: en fastställd genomförandeplan upprättad senast "
            "den dagen, vars giltighetstid inte gått ut och som inte ersatts av en senare fastställd version "
            f"(6 månader, DOMAIN.md 2.4 och 3; 004:524-527; {SOURCE}). {SPLIT_NOTE}"
        ),
    )


def plans_in_period(period: Period):
    """Signed plans in force some day of the period: made by its end, valid past its start, not
    replaced by a signed version made on or before its start."""
    newer = ImplementationPlan.objects.filter(
        supersedes_id=OuterRef("pk"), status=PlanStatus.SIGNED, made_on__lte=period.start
    )
    return ImplementationPlan.objects.filter(
        status=PlanStatus.SIGNED, made_on__lte=period.end, valid_until__gte=period.start
    ).exclude(Exists(newer))


def _quality_table(params: ReportParams, on: datetime.date) -> Table:
    plans = annotate_quality(
        plans_in_period(params.period).filter(in_unit("applicant_id", params.unit_id, params.period)), on=on
    )
    judged_follow_up = Q(q_follow_up_due=True) | Q(q_followed_up_in_time=True)
    exprs = {"plans": Count("pk"), "follow_up_judged": Count("pk", filter=judged_follow_up)}
    for code, _, _ in CHECKPOINTS:
        exprs[f"n_qc_{code}"] = Count("pk", filter=Q(**{f"qc_{code}": True}))
    for code, _, _ in CONTROL_QUESTIONS:
        exprs[f"n_cq_{code}"] = Count("pk", filter=Q(**{f"cq_{code}": True}))
    row = plans.aggregate(**exprs)
    rows = []
    for prefix, questions, kind in (("qc", CHECKPOINTS, "Revisorernas kontrollpunkt"),
                                    ("cq", CONTROL_QUESTIONS, "Enhetens kontrollfråga")):
        for code, question, _ in questions:
            judged = row["follow_up_judged"] if code == "followed_up_within_6_months" else row["plans"]
            passed = row[f"n_{prefix}_{code}"]  # aliases differ from the annotations they count
            rows.append({"kind": kind, "question": question, "passed": passed, "judged": judged,
                         "share": pct(passed, judged)})
    return Table(
        key="plan_checkpoints",
        title="Planer som klarar varje kvalitetspunkt",
        columns=[Column("kind", "Typ"), Column("question", "Fråga"), Column("passed", "Ja", "int"),
                 Column("judged", "Bedömda planer", "int"), Column("share", "Andel ja (%)", "percent")],
        rows=rows,
        definition=(
            "Fastställda genomförandeplaner som gällt någon dag under perioden (den senaste versionen vid "
            "periodens början och de som upprättats under perioden), bedömda med planeringens kvalitetsfunktion "
            "(planning.quality, samma som egenkontrollen): revisorernas kontrollpunkter (DOMAIN.md 4; "
            "004:864-933) och enhetens fem kontrollfrågor (004:583-605). Uppföljning inom 6 månader bedöms bara "
            f"för planer vars giltighetstid gått ut före {on:%Y-%m-%d} eller som redan följts upp ({SOURCE})."
        ),
    )


def _follow_up_tables(params: ReportParams, on: datetime.date) -> list[Table]:
    interval = planning_norms.norm("follow_up_interval_months")
    limit = planning_norms.add_months(on, -interval)
    recent = FollowUp.objects.filter(plan__applicant_id=OuterRef("pk"), followed_up_on__gt=limit, followed_up_on__lte=on)
    started_recently = _active_on(on).filter(applicant_id=OuterRef("pk"), start_date__gt=limit)
    persons = Applicant.objects.filter(
        Exists(_active_on(on).filter(applicant_id=OuterRef("pk"))), in_unit("pk", params.unit_id, params.period)
    ).annotate(recent=Exists(recent), new=Exists(started_recently))
    status = persons.aggregate(
        active=Count("pk"),
        within=Count("pk", filter=Q(recent=True)),
        not_due=Count("pk", filter=Q(recent=False, new=True)),
        overdue=Count("pk", filter=Q(recent=False, new=False)),
    )
    compliance = Table(
        key="follow_up_compliance",
        title="Aktiva deltagare uppföljda inom intervallet",
        columns=[Column("active", "Aktiva deltagare", "int"), Column("within", "Uppföljda inom intervallet", "int"),
                 Column("not_due", "Ännu inte aktuellt (nystartade)", "int"),
                 Column("overdue", "Inte uppföljda inom intervallet", "int"),
                 Column("share", "Andel uppföljda (%)", "percent")],
        rows=[{**status, "share": pct(status["within"], status["active"])}],
        definition=(
            f"Personer med pågående deltagande {on:%Y-%m-%d}. Uppföljd inom intervallet: en dokumenterad "
            f"uppföljning av någon av personens planer de senaste {interval} månaderna (efter {limit:%Y-%m-%d}). "
            "Ännu inte aktuellt: ingen sådan uppföljning men ett deltagande som startat inom intervallet. "
            "Uppföljningsintervall enligt planning.norms (1 månad, DOMAIN.md 2.7 och 3; 004:347-349, 478)."
        ),
    )
    previous = FollowUp.objects.filter(
        plan__applicant_id=OuterRef("plan__applicant_id"), followed_up_on__lt=OuterRef("followed_up_on")
    ).order_by("-followed_up_on", "-pk")
    done = (
        FollowUp.objects.filter(followed_up_on__gte=params.period.start, followed_up_on__lte=params.period.end)
        .filter(in_unit("plan__applicant_id", params.unit_id, params.period))
        .annotate(due_on=Coalesce(Subquery(previous.values("next_follow_up_on")[:1]), F("plan__latest_follow_up_on")))
    )
    made = done.aggregate(
        count=Count("pk"),
        on_time=Count("pk", filter=Q(followed_up_on__lte=F("due_on"))),
        late=Count("pk", filter=Q(followed_up_on__gt=F("due_on"))),
        no_due_date=Count("pk", filter=Q(due_on__isnull=True)),
        deviations=Count("pk", filter=Q(follows_plan=False)),
    )
    made_table = Table(
        key="follow_ups_made",
        title="Uppföljningar gjorda under perioden",
        columns=[Column("count", "Uppföljningar", "int"), Column("on_time", "Senast på planerat datum", "int"),
                 Column("late", "Efter planerat datum", "int"),
                 Column("no_due_date", "Inget planerat datum", "int"),
                 Column("deviations", "Med avvikelse från planeringen", "int"),
                 Column("share", "Andel i tid (%)", "percent")],
        rows=[{**made, "share": pct(made["on_time"], made["count"])}],
        definition=(
            "Dokumenterade uppföljningar med datum inom perioden. I tid: gjord senast det datum som föregående "
            "uppföljning av personens plan satte som nästa uppföljning, eller, för den första, planens "
            "'följs upp senast'; saknas båda räknas den som 'inget planerat datum' (DOMAIN.md 2.4 och 2.7; "
            "004:531-537, 558-566). Andel i tid räknas på alla uppföljningar. Avvikelse: personen följde inte "
            "planeringen (dokumenterad avvikelse)."
        ),
    )
    return [compliance, made_table]


def _bip_table(params: ReportParams) -> Table:
    period = params.period
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
        columns=[Column("indicator", "Indikator"), Column("persons", "Personer mätta minst två gånger", "int"),
                 Column("mean", "Genomsnittlig förändring (skalsteg)", "number"),
                 Column("improved", "Förbättrats", "int"), Column("unchanged", "Oförändrade", "int"),
                 Column("worsened", "Försämrats", "int")],
        rows=[
            {"indicator": r["indicator__name"], "persons": r["persons"],
             "mean": ratio(r["mean"], 1, "0.01") if r["mean"] is not None else None,
             "improved": r["improved"], "unchanged": r["unchanged"], "worsened": r["worsened"]}
            for r in rows
        ],
        definition=(
            "För varje person och indikator: skillnaden mellan värdet vid personens sista och första "
            "BIP-skattning inom perioden (samma instrument). Bara personer med minst två skattningar under "
            "perioden räknas. Indikatorer och skala är data; namn märkta [Platshållare] är inte bekräftade mot "
            f"det licensierade instrumentet (DOMAIN.md 5; 003:574, 004:350-360; {SOURCE})."
        ),
    )


def build(params: ReportParams) -> ReportData:
    on = reference_day(params)
    tables = [
        _valid_plan_table(params, on),
        _quality_table(params, on),
        *_follow_up_tables(params, on),
        _bip_table(params),
    ]
    charts = [
        Chart("Andel aktiva deltagare med giltig plan", "valid_plan", "group", ["share"]),
        Chart("Planer som klarar varje kvalitetspunkt (%)", "plan_checkpoints", "question", ["share"]),
        Chart("BIP: förbättrats, oförändrade, försämrats", "bip_progress", "indicator",
              ["improved", "unchanged", "worsened"]),
    ]
    return ReportData(code=REPORT.code, title=REPORT.title, params=params, tables=tables, charts=charts,
                      notes=[f"Referensdag {on:%Y-%m-%d}. Alla tal är summor; inga personuppgifter ingår."])


REPORT = ReportDefinition(
    code="plan_quality",
    title="Planer och uppföljning",
    number="2",
    audience=BOARD_AND_MANAGERS,
    personal_data=False,
    period_kind="period",
    build=build,
)

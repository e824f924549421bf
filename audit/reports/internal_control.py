"""Report 6: internal control (intern kontroll) for a month, quarter or year (DOMAIN.md 4 and 5).

What the board follows up of the egenkontroll: how often the rules ran, what they found and what
became of it (opened, resolved, closed, escalated) per rule and unit, the corrective actions by
status and whether they are late, and the control samples' results per checklist question.
Every figure is one grouped query; no person appears (flags and answers are only counted).
"""

from __future__ import annotations

import datetime

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from audit.control.checklist import QUESTIONS, value_counts
from audit.control.models import (
    ActionStatus,
    ChecklistAnswer,
    ControlSample,
    CorrectiveAction,
    Flag,
    FlagStatus,
    FlagTransition,
    RuleRun,
    RunStatus,
)
from audit.reports.base import BOARD_AND_MANAGERS, Chart, Column, ReportData, ReportDefinition, ReportParams, Table

WHOLE_AREA = "Hela nämndens område"
NO_UNIT = "Ingen enhet"


def _rule_runs(start: datetime.date, end: datetime.date) -> list[dict]:
    rows = (
        RuleRun.objects.filter(started_at__date__gte=start, started_at__date__lte=end)
        .annotate(month=TruncMonth("as_of"))
        .values("month")
        .annotate(
            runs=Count("pk"),
            succeeded=Count("pk", filter=Q(status=RunStatus.SUCCEEDED)),
            failed=Count("pk", filter=Q(status=RunStatus.FAILED)),
            examined=Coalesce(Sum("subjects_examined"), Value(0)),
            opened=Coalesce(Sum("flags_opened"), Value(0)),
            resolved=Coalesce(Sum("flags_resolved"), Value(0)),
            avg_ms=Avg("duration_ms"),
        )
        .order_by("month")
    )
    return [
        {
            "month": f"{r['month']:%Y-%m}",
            "runs": r["runs"],
            "succeeded": r["succeeded"],
            "failed": r["failed"],
            "examined": r["examined"],
            "opened": r["opened"],
            "resolved": r["resolved"],
            "avg_seconds": round(r["avg_ms"] / 1000) if r["avg_ms"] is not None else None,
        }
        for r in rows
    ]


def _flags(start: datetime.date, end: datetime.date, unit_id: int | None) -> list[dict]:
    closed_in_period = FlagTransition.objects.filter(
        flag=OuterRef("pk"), to_status=FlagStatus.CLOSED, occurred_at__date__gte=start, occurred_at__date__lte=end
    )
    qs = Flag.objects.all() if unit_id is None else Flag.objects.filter(unit_id=unit_id)
    rows = (
        qs.values("rule__code", "rule__title", "rule__source", "unit__name")
        .annotate(
            opened=Count("pk", filter=Q(first_seen__gte=start, first_seen__lte=end)),
            resolved=Count("pk", filter=Q(resolved_on__gte=start, resolved_on__lte=end)),
            closed=Count("pk", filter=Q(Exists(closed_in_period))),
            escalated=Count("pk", filter=Q(escalated_at__date__gte=start, escalated_at__date__lte=end)),
            live_at_end=Count(
                "pk",
                filter=Q(first_seen__lte=end) & (Q(resolved_on__isnull=True) | Q(resolved_on__gt=end))
                & ~Q(status=FlagStatus.CLOSED),
            ),
        )
        .filter(Q(opened__gt=0) | Q(resolved__gt=0) | Q(closed__gt=0) | Q(escalated__gt=0) | Q(live_at_end__gt=0))
        .order_by("rule__code", "unit__name")
    )
    return [
        # The rule by its title and source, as the board reads it (its code is the program's).
        {"title": r["rule__title"], "source": r["rule__source"], "unit": r["unit__name"] or NO_UNIT,
         **{k: r[k] for k in ("opened", "resolved", "closed", "escalated", "live_at_end")}}
        for r in rows
    ]


def _actions(start: datetime.date, end: datetime.date, as_of: datetime.date, unit_id: int | None) -> list[dict]:
    # An action is about a flag (its unit) or a sample finding (the sample's unit).
    qs = CorrectiveAction.objects.annotate(
        report_unit=Coalesce(F("flag__unit__name"), F("sample_answer__item__sample__unit__name"))
    ).filter(created_at__date__lte=end)
    if unit_id is not None:
        qs = qs.filter(Q(flag__unit_id=unit_id) | Q(sample_answer__item__sample__unit_id=unit_id))
    open_at_end = Q(status=ActionStatus.PLANNED) | Q(completed_on__gt=end)
    rows = (
        qs.values("report_unit")
        .annotate(
            created=Count("pk", filter=Q(created_at__date__gte=start)),
            completed=Count("pk", filter=Q(completed_on__gte=start, completed_on__lte=end)),
            planned=Count("pk", filter=open_at_end),
            overdue=Count("pk", filter=open_at_end & Q(due_date__lt=as_of)),
            followed_up=Count("pk", filter=Q(followed_up_on__gte=start, followed_up_on__lte=end)),
        )
        .order_by("report_unit")
    )
    return [{"unit": r["report_unit"] or NO_UNIT, **{k: r[k] for k in
             ("created", "completed", "planned", "overdue", "followed_up")}} for r in rows]


def _samples(start: datetime.date, end: datetime.date, unit_id: int | None) -> tuple[list[dict], list[dict]]:
    samples = ControlSample.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    if unit_id is not None:
        samples = samples.filter(unit_id=unit_id)
    per_unit = [
        {"unit": r["unit__name"], "samples": r["samples"], "cases": r["cases"] or 0}
        for r in samples.values("unit__name").annotate(samples=Count("pk"), cases=Sum("size")).order_by("unit__name")
    ]
    counted = {
        r["question"]: r
        for r in ChecklistAnswer.objects.filter(item__sample__in=samples).values("question").annotate(**value_counts())
    }
    per_question = []
    for q in QUESTIONS:
        r = counted.get(q.code, {})
        total = r.get("total", 0)
        # The share of yes is of the cases where the question applies (the auditors' "ej aktuellt"
        # is neither yes nor no).
        applicable = total - r.get("not_applicable", 0)
        per_question.append({
            "question": q.text, "total": total,
            **{k: r.get(k, 0) for k in ("yes", "no", "not_applicable", "unknown", "reviewed")},
            "share_yes": round(100 * r.get("yes", 0) / applicable, 1) if applicable else None,
        })
    return per_unit, per_question


def build(params: ReportParams) -> ReportData:
    start, end = params.period.start, params.period.end
    as_of = min(end, params.today or end)
    scope = params.extra.get("unit_name") or WHOLE_AREA
    runs = _rule_runs(start, end)
    params.step(25)
    flags = _flags(start, end, params.unit_id)
    params.step(50)
    actions = _actions(start, end, as_of, params.unit_id)
    params.step(75)
    sample_units, questions = _samples(start, end, params.unit_id)
    between = f"{start} – {end}"
    tables = [
        Table(
            key="rule_runs",
            title="Regelkörningar per månad",
            columns=[Column("month", "Månad"), Column("runs", "Körningar", "int"), Column("succeeded", "Klara", "int"),
                     Column("failed", "Misslyckade", "int"), Column("examined", "Granskade objekt", "int"),
                     Column("opened", "Nya flaggor", "int"), Column("resolved", "Lösta flaggor", "int"),
                     Column("avg_seconds", "Medeltid (sekunder)", "int")],
            rows=runs,
            definition=(
                f"Körningar av egenkontrollens regler som startade {between}, per kontrollmånad. En körning gäller "
                "alla enheter samtidigt och redovisas därför inte per enhet. Nya och lösta flaggor är körningarnas "
                "egna summor."
            ),
        ),
        Table(
            key="flags",
            title="Flaggor per regel och enhet",
            columns=[Column("title", "Regel"), Column("source", "Källa"), Column("unit", "Enhet"),
                     Column("opened", "Öppnade", "int"), Column("resolved", "Lösta", "int"),
                     Column("closed", "Avslutade", "int"), Column("escalated", "Eskalerade", "int"),
                     Column("live_at_end", "Öppna vid periodens slut", "int")],
            rows=flags,
            definition=(
                f"Öppnade: flaggor först upptäckta {between}. Lösta: flaggor vars villkor upphörde att gälla "
                "(löst-datum i perioden). Avslutade: flaggor som en medarbetare avslutade i perioden. Eskalerade: "
                "flaggor som gick till enhetschefen i perioden efter regelns eskaleringstid. Öppna vid periodens slut: "
                f"upptäckta senast {end}, inte lösta då och inte avslutade. Enhet: {scope}."
            ),
        ),
        Table(
            key="actions",
            title="Åtgärder per enhet",
            columns=[Column("unit", "Enhet"), Column("created", "Nya", "int"), Column("completed", "Genomförda", "int"),
                     Column("planned", "Pågående vid periodens slut", "int"),
                     Column("overdue", "Varav försenade", "int"), Column("followed_up", "Följdes upp", "int")],
            rows=actions,
            definition=(
                f"Åtgärder planerade efter en flagga eller ett stickprovsfynd. Nya: planerade {between}. Genomförda: "
                f"avslutade i perioden. Pågående: planerade senast {end} och inte avslutade då. Försenade: pågående "
                f"vars sista datum passerats per {as_of}. Enhet: flaggans eller stickprovets enhet."
            ),
        ),
        Table(
            key="samples",
            title="Stickprov per enhet",
            columns=[Column("unit", "Enhet"), Column("samples", "Stickprov", "int"),
                     Column("cases", "Granskade ärenden", "int")],
            rows=sample_units,
            definition=f"Stickprov dragna {between}, och antalet ärenden i dem.",
        ),
        Table(
            key="sample_questions",
            title="Stickprovens resultat per fråga",
            columns=[Column("question", "Fråga"), Column("total", "Ärenden", "int"), Column("yes", "Ja", "int"),
                     Column("no", "Nej", "int"), Column("not_applicable", "Ej aktuellt", "int"),
                     Column("unknown", "Kan inte avgöras", "int"),
                     Column("reviewed", "Granskade av handläggare", "int"), Column("share_yes", "Andel ja", "percent")],
            rows=questions,
            definition=(
                f"Svaren på kontrollfrågorna för ärendena i stickprov dragna {between}. Granskarens svar gäller; "
                "där det saknas räknas det förifyllda svaret ur data. Ej aktuellt: frågan kan inte gälla ärendet "
                "(med skäl), varken ja eller nej. Andel ja i procent av ärendena där frågan är aktuell."
            ),
        ),
    ]
    charts = [
        Chart("Flaggor öppnade och lösta per regel", "flags", "title", ["opened", "resolved", "escalated"]),
        Chart("Åtgärder per enhet", "actions", "unit", ["completed", "planned", "overdue"]),
        Chart("Andel ja per kontrollfråga (procent)", "sample_questions", "question", ["share_yes"]),
    ]
    params.step(90)
    return ReportData(code=REPORT.code, title=REPORT.title, params=params, tables=tables, charts=charts)


REPORT = ReportDefinition(
    code="internal_control",
    title="Intern kontroll",
    number="6",
    audience=BOARD_AND_MANAGERS,
    personal_data=False,
    period_kind="period",
    covers=(
        "Egenkontrollen under perioden: avvikelser som egenkontrollens regler hittat och hur de hanterats, "
        "åtgärder och om de genomförts i tid, kontrollkörningar och stickprovens resultat per kontrollfråga."
    ),
    build=build,
)

"""Report 5: decisions taken under delegation between two board meetings (DOMAIN.md 5).

The board is told what its delegates decided in its name: per delegation point and decision
maker, how many decisions, with which outcome, for how much. Decision makers are staff and are
named (the delegation order names them by role; the board needs to know who used it); the
persons decided about never appear, not even as a count small enough to single one out,
because nothing here is broken down by anything about the applicant.

Two sources: ekonomiskt bistånd decisions (cases.Decision, each under a DelegationPoint) and
decisions on insatser (insatser.InsatsDecision, SoL 12 kap. 4 §), which carry no delegation
point in this system; they are listed under their legal basis with the point shown as missing.
"""

from __future__ import annotations

from django.db.models import Count, F, Min, Q, Sum, Value
from django.db.models.functions import Coalesce

from audit.reports.base import BOARD_AND_MANAGERS, Chart, Column, ReportData, ReportDefinition, ReportParams, Table
from cases.finance_models import Decision, DecisionOutcome
from cases.models import Role
from insatser.models import InsatsDecision

NO_POINT = "Ingen delegationspunkt registrerad"
ROLE_LABELS = dict(Role.choices)


def _maker(row: dict) -> str:
    """The decision maker's name in a grouped row (maker_first_name, maker_last_name, maker_username)."""
    name = f"{row['maker_first_name']} {row['maker_last_name']}".strip()
    return name or row["maker_username"]


# The names of a group's delegation point and decision maker: the same in every row of the group.
NAMED_BY_KEY = {
    "point_code": "delegation_point__code", "point_description": "delegation_point__description",
    "maker_first_name": "decided_by__first_name", "maker_last_name": "decided_by__last_name",
    "maker_username": "decided_by__username",
}


def _finance_rows(params: ReportParams) -> list[dict]:
    qs = Decision.objects.filter(decided_on__gte=params.date_from, decided_on__lte=params.date_to)
    if params.unit_id:
        qs = qs.filter(application__case__unit_id=params.unit_id)
    # Grouped by the keys alone (point, decision maker, role), the names carried as MIN: grouped by
    # the names' text, PostgreSQL sorted every decision of the period on it (a year at 1 000 000
    # persons: 2.6 million decisions into 10 000 groups, 15 of the report's 23 s; bench/README.md).
    rows = (
        qs.values("delegation_point_id", "decided_by_id", "decided_by_role")
        .annotate(
            **{name: Min(field) for name, field in NAMED_BY_KEY.items()},
            count=Count("pk"),
            granted=Count("pk", filter=Q(outcome__in=[DecisionOutcome.GRANTED, DecisionOutcome.PARTLY_GRANTED])),
            refused=Count("pk", filter=Q(outcome=DecisionOutcome.REFUSED)),
            corrections=Count("pk", filter=Q(replaces__isnull=False)),
            amount=Coalesce(Sum("amount"), Value(0)),
        )
        .order_by("point_code", "maker_last_name", "maker_first_name", "decided_by_id", "decided_by_role")
    )
    return [
        {
            "point": r["point_code"],
            "description": r["point_description"],
            "maker": _maker(r),
            "role": ROLE_LABELS.get(r["decided_by_role"], r["decided_by_role"]),
            "count": r["count"],
            "granted": r["granted"],
            "refused": r["refused"],
            "corrections": r["corrections"],
            "amount": r["amount"],
        }
        for r in rows
    ]


def _insats_rows(params: ReportParams) -> list[dict]:
    """Start decisions and end decisions (upphörande) taken in the period, per decision maker."""
    base = InsatsDecision.objects.all()
    if params.unit_id:
        base = base.filter(case__unit_id=params.unit_id)
    fields = ("first_name", "last_name", "username", "role")

    def per_maker(decisions, maker: str):
        # Grouped by the keys, the names carried as MIN (as in _finance_rows).
        return decisions.values("legal_basis", maker_id=F(f"{maker}_id")).annotate(
            **{f"maker_{f}": Min(f"{maker}__{f}") for f in fields}, count=Count("pk")).order_by()

    started = per_maker(base.filter(decided_on__gte=params.date_from, decided_on__lte=params.date_to), "decided_by")
    ended = per_maker(base.filter(end_decided_on__gte=params.date_from, end_decided_on__lte=params.date_to),
                      "end_decided_by")
    out: dict[tuple, dict] = {}
    for rows, column in ((started, "granted"), (ended, "ended")):
        for r in rows:
            key = (r["legal_basis"], r["maker_id"])
            row = out.setdefault(key, {
                "legal_basis": r["legal_basis"], "maker": _maker(r),
                "role": ROLE_LABELS.get(r["maker_role"], r["maker_role"]), "granted": 0, "ended": 0,
            })
            row[column] += r["count"]
    result = [{**row, "count": row["granted"] + row["ended"]} for row in out.values()]
    return sorted(result, key=lambda r: (r["legal_basis"], r["maker"]))


def _per_point(rows: list[dict]) -> list[dict]:
    """Totals per delegation point, summed from the grouped rows (no further query)."""
    points: dict[str, dict] = {}
    for r in rows:
        p = points.setdefault(r["point"], {"point": r["point"], "description": r["description"], "count": 0,
                                           "granted": 0, "refused": 0, "amount": 0})
        for key in ("count", "granted", "refused", "amount"):
            p[key] += r[key]
    return list(points.values())


def build(params: ReportParams) -> ReportData:
    period = f"beslutsdatum från och med {params.date_from} till och med {params.date_to}"
    finance = _finance_rows(params)
    params.step(50)
    insats = _insats_rows(params)
    tables = [
        Table(
            key="per_point",
            title="Delegationsbeslut per delegationspunkt (ekonomiskt bistånd)",
            columns=[Column("point", "Punkt"), Column("description", "Beslut som delegeras"),
                     Column("count", "Antal beslut", "int"), Column("granted", "Bifall (helt eller delvis)", "int"),
                     Column("refused", "Avslag", "int"), Column("amount", "Beviljat belopp", "kr")],
            rows=_per_point(finance),
            definition=(
                f"Alla beslut om ekonomiskt bistånd med {period}, per delegationspunkt i delegationsordningen. "
                "Ett beslut som ersätter ett tidigare (rättelse) räknas som ett eget beslut. Beviljat belopp är "
                "summan av beviljade belopp i hela kronor."
            ),
        ),
        Table(
            key="per_maker",
            title="Delegationsbeslut per delegationspunkt och beslutsfattare",
            columns=[Column("point", "Punkt"), Column("maker", "Beslutsfattare"), Column("role", "Roll"),
                     Column("count", "Antal beslut", "int"), Column("granted", "Bifall (helt eller delvis)", "int"),
                     Column("refused", "Avslag", "int"), Column("corrections", "Varav rättelser", "int"),
                     Column("amount", "Beviljat belopp", "kr")],
            rows=[{k: v for k, v in r.items() if k != "description"} for r in finance],
            definition=(
                f"Samma beslut som ovan ({period}), per delegationspunkt och den medarbetare som fattade beslutet, "
                "med medarbetarens roll vid beslutet. Rättelser är beslut som ersätter ett tidigare beslut. "
                "Inga uppgifter om de enskilda som besluten gäller."
            ),
        ),
        Table(
            key="insats_decisions",
            title="Beslut om insats (praktik och kompetenshöjande verksamhet)",
            columns=[Column("legal_basis", "Lagrum"), Column("maker", "Beslutsfattare"), Column("role", "Roll"),
                     Column("granted", "Beslut om insats", "int"), Column("ended", "Beslut om upphörande", "int"),
                     Column("count", "Antal beslut", "int")],
            rows=insats,
            definition=(
                f"Beslut om att delta i insats enligt SoL 12 kap. 4 § med {period}, och beslut om att insatsen "
                f"upphör med beslutsdatum i samma period, per beslutsfattare. {NO_POINT} för dessa beslut i "
                "systemet; de redovisas därför per lagrum."
            ),
        ),
    ]
    charts = [Chart("Antal delegationsbeslut per delegationspunkt", "per_point", "point", ["granted", "refused"])]
    return ReportData(code=REPORT.code, title=REPORT.title, params=params, tables=tables, charts=charts)


REPORT = ReportDefinition(
    code="delegated_decisions",
    title="Delegationsbeslut",
    number="5",
    audience=BOARD_AND_MANAGERS,
    personal_data=False,
    period_kind="date_range",
    covers=(
        "Beslut som fattats med stöd av delegation mellan två nämndsammanträden: per delegationspunkt och "
        "beslutsfattare hur många beslut, med vilket utfall och till vilket belopp. Inga uppgifter om de "
        "personer besluten gäller."
    ),
    build=build,
)

"""Report 4: unexecuted decisions for a quarter (issue 7; DOMAIN.md 5; 003:304-338).

4a, for IVO and the auditors: one row per reportable decision (decision date, type of bistånd,
reason for the delay, execution date when it came, new this quarter or reported before).
4b, for kommunfullmäktige: statistics only, one-way tables with small cells suppressed.

Which decisions: cases.execution_selectors is the one definition (shared with rule 10). Only
decisions on ekonomiskt bistånd (cases.Decision, SoL 12 kap. 1 §, old 4 kap. 1 §) are covered:
SoL 34 kap. (old 16 kap. 6 f §) concerns decisions on bistånd under 4 kap. 1 § (003:304). The
insats decisions (insatser.InsatsDecision, SoL 12 kap. 4 §, old 4 kap. 4 §) require the person to
take part in an activity; they grant no bistånd and have no execution, so they are not reported.

4a names no person: 003:306-308 asks for decision date, type of bistånd and the reason, and the
execution date; the decision number lets the unit find the case when IVO asks.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case as DbCase
from django.db.models import CharField, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from audit import sources
from audit.reports import norms
from audit.reports.base import (
    BOARD_AND_MANAGERS,
    MANAGERS_ONLY,
    Chart,
    Column,
    ReportData,
    ReportDefinition,
    ReportParams,
    Table,
)
from audit.reports.disclosure import suppress
from cases import execution_selectors as ex
from cases import norms as cases_norms
from cases.expressions import AddMonths
from cases.finance_models import DecisionItemKind
from cases.models import LegalGender, Unit

IVO_CODE = "unexecuted_decisions_ivo"
STATISTICS_CODE = "unexecuted_decisions_statistics"

MONTHS = cases_norms.UNEXECUTED_REPORT_AFTER_MONTHS

EPISODE_LABELS = {
    ex.EPISODE_UNEXECUTED: f"Ej verkställt inom {MONTHS} månader från beslutet",
    ex.EPISODE_INTERRUPTED: f"Verkställigheten avbruten och inte återupptagen inom {MONTHS} månader",
}
CLOSED_LABELS = {
    ex.CLOSED_EXECUTED: "Verkställt",
    ex.CLOSED_RESUMED: "Återupptaget",
    ex.CLOSED_REPLACED: "Ersatt av nytt beslut",
}
NEW, BEFORE = "Ny detta kvartal", "Rapporterad tidigare kvartal"
OPEN = "open"
NO_REASON = "Skäl ej dokumenterat"
UNKNOWN_GENDER = "unknown"

DEFINITION_COMMON = (
    "Beviljade beslut (bifall eller delvis bifall, belopp över 0 kr) om ekonomiskt bistånd "
    "(SoL 12 kap. 1 §, tidigare 4 kap. 1 §). Redovisas enligt SoL 34 kap. (tidigare 16 kap. 6 f–h §§), "
    f"{sources.minutes(35)}. "
    f"Ett beslut är ej verkställt när det inte verkställts {MONTHS} månader efter beslutsdagen: "
    f"verkställighet senast samma datum {MONTHS} månader senare (eller månadens sista dag om den "
    "dagen saknas) räknas som i tid, dagen efter är beslutet rapporteringspliktigt. På samma sätt "
    f"ett beslut vars verkställighet avbrutits och inte återupptagits inom {MONTHS} månader från "
    "avbrottet. Beslutet redovisas det kvartal det blir rapporteringspliktigt, varje följande "
    "kvartal och en sista gång det kvartal det verkställs eller återupptas (med datum). Ett beslut "
    "som ersätts av ett nytt beslut (rättelse eller omprövning) räknas till och med dagen det nya "
    "beslutet fattades; därefter räknas det nya beslutet från sitt eget beslutsdatum. Avslag "
    "redovisas aldrig. Endast händelser och beslut daterade till och med kvartalets sista dag (eller "
    "dagens datum om kvartalet pågår) räknas, så en ny rapport för samma kvartal ger samma svar. "
    "\"Rapporterad tidigare kvartal\" betyder att beslutet var rapporteringspliktigt redan före "
    "kvartalets början (beräknat ur uppgifterna, inte ur tidigare rapporter). Beslut om insats "
    "(SoL 12 kap. 4 §) är inte bistånd och ingår inte."
)


def _validate(params: ReportParams) -> tuple[datetime.date, datetime.date]:
    period = params.period
    if period is None or period.kind != "quarter":
        raise ValidationError({"period": ValidationError(
            "Ej verkställda beslut redovisas per kvartal; välj ett kvartal.", code="quarter_required")})
    if params.unit_id is not None and not Unit.objects.filter(pk=params.unit_id).exists():
        raise ValidationError({"unit": ValidationError("Okänd enhet.", code="unknown_unit")})
    today = params.today or timezone.localdate()
    return period.start, min(period.end, today)


def _cited_legal_basis(prefix: str):
    """The provision as in force on the decision date (LegalBasis.in_force_on, in SQL): the old
    law's row for a decision dated before the row's period."""
    basis = f"{prefix}legal_basis__"

    def text(p: str):
        return Concat(F(f"{p}reference"), Value(" "), F(f"{p}law"))

    return DbCase(
        When(Q(**{f"{basis}valid_from__gt": F(f"{prefix}decided_on"), f"{basis}replaces__isnull": False}),
             then=text(f"{basis}replaces__")),
        default=text(basis), output_field=CharField(),
    )


def _uniform(qs: QuerySet, prefix: str, end: datetime.date) -> QuerySet:
    """The same names on both kinds of episode (decision rows and interruption-event rows)."""
    to_date = Coalesce(F("closed_on"), Value(end))
    low, high = norms.UNEXECUTED_ELAPSED_BANDS_MONTHS
    return qs.annotate(elapsed_to=to_date).annotate(
        decision_ref=F(f"{prefix}pk"),
        decision_date=F(f"{prefix}decided_on"),
        item=F(f"{prefix}item_kind"),
        cost_type_name=F(f"{prefix}cost__cost_type__name"),
        legal=_cited_legal_basis(prefix),
        unit_name=F(f"{prefix}application__case__unit__name"),
        gender=Subquery(
            ex.household_applicant(f"{prefix}application__case__household_id").values("applicant__legal_gender")[:1]
        ),
        person_id=Subquery(
            ex.household_applicant(f"{prefix}application__case__household_id").values("applicant_id")[:1]
        ),
        elapsed=ExpressionWrapper(F("elapsed_to") - F("started_on"), output_field=DurationField()),
        band=DbCase(
            When(Q(elapsed_to__lt=AddMonths(F("started_on"), low)), then=Value("low")),
            When(Q(elapsed_to__lt=AddMonths(F("started_on"), high)), then=Value("mid")),
            default=Value("high"),
        ),
        status=Coalesce(F("closed_how"), Value(OPEN)),
    )


def episodes(params: ReportParams) -> list[QuerySet]:
    """The two episode querysets of the quarter, with the report's uniform annotations."""
    start, end = _validate(params)
    common = {"start": start, "end": end, "months": MONTHS, "unit_id": params.unit_id}
    return [
        _uniform(ex.unexecuted_episodes(**common), "", end),
        _uniform(ex.interruption_episodes(**common), "decision__", end),
    ]


def _band_labels() -> dict[str, str]:
    low, high = norms.UNEXECUTED_ELAPSED_BANDS_MONTHS
    return {"low": f"Mer än {MONTHS} men mindre än {low} månader", "mid": f"{low} till {high} månader",
            "high": f"{high} månader eller mer"}


def _assistance(item: str, cost_type_name: str | None) -> str:
    label = DecisionItemKind(item).label
    return f"{label}: {cost_type_name}" if cost_type_name else label


# --- 4a: per decision, for IVO and the auditors -------------------------------------------------

IVO_COLUMNS = [
    Column("decision", "Beslut nr", "int"),
    Column("unit", "Enhet"),
    Column("decided_on", "Beslutsdatum", "date"),
    Column("assistance", "Typ av bistånd"),
    Column("legal_basis", "Lagrum"),
    Column("concerns", "Avser"),
    Column("interrupted_on", "Avbrott den", "date"),
    Column("due_on", "Skulle verkställas senast", "date"),
    Column("delay_reason", "Skäl till dröjsmål"),
    Column("executed_on", "Verkställt/återupptaget den", "date"),
    Column("closed_how", "Avslut"),
    Column("days_elapsed", "Dagar sedan beslut/avbrott", "days"),
    Column("reported", "Ny eller tidigare rapporterad"),
]

_ROW_FIELDS = (
    "decision_ref", "unit_name", "decision_date", "item", "cost_type_name", "legal", "episode", "interrupted_on",
    "due_on", "delay_reason", "closed_on", "closed_how", "elapsed", "reported_before", "person_id",
)


def _ivo_found(params: ReportParams) -> list[dict]:
    found = [row for qs in episodes(params) for row in qs.values(*_ROW_FIELDS)]
    found.sort(key=lambda r: (r["decision_date"], r["decision_ref"], r["episode"]))
    return found


def ivo_rows(params: ReportParams, found: list[dict] | None = None) -> list[dict]:
    """One row per reportable decision (two queries: decisions, interruptions)."""
    found = _ivo_found(params) if found is None else found
    return [
        {
            "decision": r["decision_ref"],
            "unit": r["unit_name"],
            "decided_on": r["decision_date"],
            "assistance": _assistance(r["item"], r["cost_type_name"]),
            "legal_basis": r["legal"],
            "concerns": EPISODE_LABELS[r["episode"]],
            "interrupted_on": r["interrupted_on"],
            "due_on": r["due_on"],
            "delay_reason": r["delay_reason"] or NO_REASON,
            "executed_on": r["closed_on"] if r["closed_how"] != ex.CLOSED_REPLACED else None,
            "closed_how": CLOSED_LABELS.get(r["closed_how"], ""),
            "days_elapsed": r["elapsed"].days,
            "reported": BEFORE if r["reported_before"] else NEW,
        }
        for r in found
    ]


def build_ivo(params: ReportParams) -> ReportData:
    found = _ivo_found(params)
    rows = ivo_rows(params, found)
    table = Table(
        key="decisions",
        title="Ej verkställda beslut, per beslut",
        columns=IVO_COLUMNS,
        rows=rows,
        definition=(
            DEFINITION_COMMON + " En rad per beslut. \"Dagar sedan beslut/avbrott\" räknas till "
            "verkställigheten om den kom under kvartalet, annars till kvartalets sista dag. \"Skäl till "
            "dröjsmål\" är anteckningen på verkställighets- eller avbrottshändelsen. Namn och "
            "personnummer anges inte (protokoll 003 rad 306–308 begär beslutsdatum, typ av bistånd, "
            "skäl och datum för verkställighet); beslutsnumret leder till ärendet."
        ),
    )
    # The persons behind the rows are not shown, but every read of this report is logged per
    # person (audit.report_selectors), so the report carries who each decision concerns.
    return ReportData(code=IVO_CODE, title=REPORTS[IVO_CODE].title, params=params, tables=[table],
                      notes=_notes(params),
                      subjects=[(r["decision_ref"], r["person_id"]) for r in found])


def _notes(params: ReportParams) -> list[str]:
    today = params.today or timezone.localdate()
    if params.period and params.period.end > today:
        return [f"Kvartalet pågår; uppgifterna gäller till och med {today.isoformat()}."]
    return []


# --- 4b: statistics only, for kommunfullmäktige -------------------------------------------------

DIMENSIONS = ("episode", "item", "band", "gender", "reported", "status")


def _categories() -> dict[str, dict[str, str]]:
    """Every category of every table, fixed, so a table's shape never depends on the data."""
    return {
        "episode": dict(EPISODE_LABELS),
        "item": {k: v for k, v in DecisionItemKind.choices},
        "band": _band_labels(),
        "gender": {LegalGender.FEMALE: "Kvinnor", LegalGender.MALE: "Män", UNKNOWN_GENDER: "Uppgift saknas"},
        "reported": {"new": NEW, "before": BEFORE},
        "status": {OPEN: "Inte verkställt vid kvartalets slut", **CLOSED_LABELS},
    }


def statistics_counts(params: ReportParams) -> dict[str, dict[str, int]]:
    """Counts per category of each dimension, before suppression. The database groups and
    counts (one query per kind of episode); the grouped counts are added up here."""
    counts = {dim: dict.fromkeys(cats, 0) for dim, cats in _categories().items()}
    for qs in episodes(params):
        grouped = qs.values("episode", "item", "band", "gender", "reported_before", "status").annotate(n=Count("pk"))
        for row in grouped.order_by():
            keys = {
                "episode": row["episode"], "item": row["item"], "band": row["band"],
                "gender": row["gender"] or UNKNOWN_GENDER, "reported": "before" if row["reported_before"] else "new",
                "status": row["status"],
            }
            for dim, key in keys.items():
                counts[dim][key] += row["n"]
    return counts


STATISTICS_TABLES = {
    "episode": ("Vad som inte verkställts", "Om beslutet inte verkställts alls eller avbrutits och inte återupptagits."),
    "item": ("Typ av bistånd", "Beslutspost: försörjningsstöd eller livsföring i övrigt."),
    "band": ("Tid sedan beslut eller avbrott",
             "Tid från beslutsdagen (vid avbrott: avbrottsdagen) till verkställigheten om den kom under "
             "kvartalet, annars till kvartalets sista dag. Indelningen är kommunens val."),
    "gender": ("Kvinnor och män",
               "Juridiskt kön för hushållets sökande (i första hand sökande, annars medsökande); "
               "protokoll 003 rad 320–322."),
    "reported": ("Nya och tidigare rapporterade", "Om beslutet var rapporteringspliktigt redan före kvartalet."),
    "status": ("Läge vid kvartalets slut", "Verkställt, återupptaget eller ersatt under kvartalet, eller inte verkställt."),
}


def build_statistics(params: ReportParams) -> ReportData:
    counts = statistics_counts(params)
    threshold = norms.suppression_threshold()
    categories = _categories()
    tables = []
    for dim in DIMENSIONS:
        title, what = STATISTICS_TABLES[dim]
        shown = suppress(counts[dim], threshold=threshold)
        total = sum(counts[dim].values())
        rows = [
            {"category": categories[dim][key], "count": n, "share": _share(n, total)} for key, n in shown.items()
        ]
        rows.append({"category": "Totalt", "count": total, "share": _share(total, total)})
        tables.append(Table(
            key=dim,
            title=title,
            columns=[Column("category", "Kategori"), Column("count", "Antal beslut", "int"),
                     Column("share", "Andel", "percent")],
            rows=rows,
            definition=(
                f"{what} {DEFINITION_COMMON} Endast antal; inga namn, personnummer, beslutsnummer, datum "
                "eller skäl per beslut, och inga tabeller som kombinerar två indelningar (förarbetena: det "
                f"ska inte gå att härleda vilka personer besluten gäller). Antal 1–{threshold - 1} visas "
                "inte (tom cell); är bara en cell dold döljs även den minsta andra cellen, så att den inte "
                "kan räknas fram ur totalen. Totalen visas alltid."
            ),
        ))
    charts = [Chart("Kvinnor och män", "gender", "category", ["count"]),
              Chart("Tid sedan beslut eller avbrott", "band", "category", ["count"])]
    return ReportData(code=STATISTICS_CODE, title=REPORTS[STATISTICS_CODE].title, params=params, tables=tables,
                      charts=charts, notes=_notes(params))


def _share(n: int | None, total: int) -> Decimal | None:
    """Percent with one decimal; None when the count is hidden or there is nothing to share."""
    if n is None or not total:
        return None
    return (Decimal(100 * n) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


REPORTS = {
    IVO_CODE: ReportDefinition(
        code=IVO_CODE,
        title="Ej verkställda beslut – individrapporter till IVO och revisorerna",
        number="4a",
        audience=MANAGERS_ONLY,
        personal_data=True,
        period_kind="quarter",
        covers=(
            "Beviljade beslut om ekonomiskt bistånd som inte verkställts inom tre månader, ett per rad, med "
            "beslutsdatum, typ av bistånd, skäl till dröjsmålet och datum för verkställighet. Underlag för "
            "rapporten till IVO och revisorerna varje kvartal."
        ),
        build=build_ivo,
    ),
    STATISTICS_CODE: ReportDefinition(
        code=STATISTICS_CODE,
        title="Ej verkställda beslut – statistik till kommunfullmäktige",
        number="4b",
        audience=BOARD_AND_MANAGERS,
        personal_data=False,
        period_kind="quarter",
        covers=(
            "Statistik över beviljade beslut om ekonomiskt bistånd som inte verkställts inom tre månader: antal, "
            "typ av bistånd, hur lång tid som gått och fördelning på kvinnor och män. Små tal döljs så att "
            "ingen person kan pekas ut. Underlag till kommunfullmäktige varje kvartal."
        ),
        build=build_statistics,
    ),
}

"""The summary page every board report opens with (issue 13): the municipality, the period, what the
report covers, the figures that changed most against the same period a year before, and, while the
period has not ended, that its figures may still change.

It is built once, into ReportData (ReportDefinition.make), so the web page, the PDF, the XLSX and
the CSV files all show the same summary from the stored report.

Which figures changed most: every compared figure (a table's `compare` columns; in a table by
group its Totalt row) is ranked by its change in percent of the value the year before. A figure
that was 0 the year before and is not now has no such percentage: it ranks first (it is new), in
the report's order. A figure without a value either year (a share of nobody), or 0 both years, is
left out. A share (percent) is ranked the same way; its change is shown in percentage points.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from audit.reports.base import ReportData, ReportDefinition, Table

MOST, LEAST = 5, 3  # the issue asks for "the three to five figures that changed most"
PENDING_MARK = " (pågående)"

RULE = (
    "Talen som ändrats mest: de jämförda talen (i tabeller per grupp raden Totalt), ordnade efter hur mycket "
    "de ändrats i procent av värdet samma period året före. Ett tal som var 0 året före men inte är det nu "
    "räknas först (nytt). Tal som saknar värde något av åren, eller är 0 båda åren, tas inte med. Högst fem tal "
    "visas; har färre än tre ändrats visas också oförändrade tal. Andelar jämförs på samma sätt, och deras "
    "förändring visas i procentenheter."
)
NO_COMPARISON = (
    "Rapporten jämförs inte med samma period året före, så sammanfattningen har inga förändringstal. "
    "Talen finns i tabellerna nedan."
)


def _rows_compared(table: Table) -> list[tuple[str, dict]]:
    title = table.compare_title or table.title
    if table.compare_label:
        return [(f"{title}: {row.get(table.compare_label)}", row) for row in table.rows]
    if any(c.key == "group" for c in table.columns):
        return [(title, row) for row in table.rows if row.get("group") == "Totalt"]
    return [(title, row) for row in table.rows]


def _figure(title: str, row: dict, current: str, previous: str, kind: str) -> dict | None:
    now, before = row.get(current), row.get(previous)
    if now is None or before is None:
        return None
    now_d, before_d = Decimal(str(now)), Decimal(str(before))
    change = now_d - before_d
    if change == 0:
        relative = Decimal("0.0")
    elif before_d == 0:
        relative = None  # 0 -> n: no percentage of 0; ranked first as new
    else:
        relative = (change * 100 / abs(before_d)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {"title": title, "kind": kind, "current": now, "previous": before, "change": change,
            "relative": relative, "new": before_d == 0 and now_d != 0}


def candidates(tables: list[Table]) -> list[dict]:
    """Every compared figure of the report, in the report's order."""
    out = []
    for table in tables:
        if table.compare is None:
            continue
        current, previous = table.compare
        kind = next(c.kind for c in table.columns if c.key == current)
        for title, row in _rows_compared(table):
            figure = _figure(title, row, current, previous, kind)
            if figure is not None:
                out.append(figure)
    return out


def largest_changes(tables: list[Table]) -> list[dict]:
    """The three to five figures that changed most (the rule in the module docstring)."""
    figures = candidates(tables)
    changed = [f for f in figures if f["new"] or f["relative"] != 0]
    # sorted() keeps the report's order among equals (e.g. several new figures).
    ranked = sorted(changed, key=lambda f: (not f["new"], -abs(f["relative"] or 0)))[:MOST]
    unchanged = [f for f in figures if f not in changed]
    return ranked + unchanged[: max(0, LEAST - len(ranked))]


def unfinished_text(today: datetime.date) -> str:
    return f"Pågående period: perioden är inte slut. Siffrorna visar läget den {today:%Y-%m-%d} och kan ändras."


def _flag_columns(tables: list[Table], label: str) -> None:
    """Mark the columns of a period that has not ended: "mars 2025" becomes "mars 2025 (pågående)"."""
    from audit.reports.base import Column

    for table in tables:
        table.columns = [
            Column(c.key, c.label.replace(label, label + PENDING_MARK), c.kind) if label in c.label else c
            for c in table.columns
        ]


def summarise(definition: ReportDefinition, data: ReportData) -> ReportData:
    """Give `data` its summary and, for a period that has not ended, flag its period's columns."""
    params = data.params
    today = params.today or timezone.localdate()
    period = params.period
    end = period.end if period else params.date_to
    # The last day is not over either: its registrations are still being made.
    unfinished = end is not None and end >= today
    if unfinished and period is not None:
        _flag_columns(data.tables, period.label)
    comparable = any(t.compare for t in data.tables)
    if period is not None:
        label = period.label
    else:
        label = f"{params.date_from:%Y-%m-%d} – {params.date_to:%Y-%m-%d}" if params.date_from else ""
    data.summary = {
        "municipality": settings.MUNICIPALITY_NAME,
        "period": label,
        "previous_period": period.previous_year().label if period is not None and comparable else None,
        "unfinished": unfinished,
        "unfinished_text": unfinished_text(today) if unfinished else "",
        "covers": definition.covers,
        "rule": RULE if comparable else "",
        "no_comparison": "" if comparable else NO_COMPARISON,
        "figures": largest_changes(data.tables),
    }
    return data

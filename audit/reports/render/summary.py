"""The summary page of a stored report (data["summary"], audit/reports/summary.py) as every format
shows it: the same words and the same figures, formatted the Swedish way."""

from __future__ import annotations

from decimal import Decimal

from audit.reports.render import format_value
from config import swedish

# After each table's title while the period runs (web page, PDF, XLSX); the summary says it in full.
TABLE_MARK = "pågående period, siffrorna kan ändras"
FIGURE_COLUMNS = ("Tal", "Förändring", "Förändring i procent")
NEW_TEXT = "ny (0 året före)"


def summary_of(data: dict) -> dict | None:
    """The stored summary; None for a report stored before summaries existed."""
    return data.get("summary")


def is_pending(data: dict) -> bool:
    return bool((summary_of(data) or {}).get("unfinished"))


def period_labels(summary: dict) -> tuple[str, str]:
    """The figures' two column headings: this period (marked while it runs) and the year before."""
    current = summary["period"] + (" (pågående)" if summary.get("unfinished") else "")
    return current, summary.get("previous_period") or "Året före"


def _plus(value) -> str:
    return "+" if Decimal(str(value)) > 0 else ""


def change_text(figure: dict) -> str:
    change, kind = figure["change"], figure["kind"]
    if kind == "percent":
        return f"{_plus(change)}{swedish.number(change, 1)} procentenheter"
    return _plus(change) + format_value(change, kind)


def relative_text(figure: dict) -> str:
    if figure.get("new"):
        return NEW_TEXT
    return _plus(figure["relative"]) + swedish.percent(figure["relative"])


def figure_rows(summary: dict) -> list[list[str]]:
    """Each figure as the board reads it: title, this period, the year before, change, change in percent."""
    return [[f["title"], format_value(f["current"], f["kind"]), format_value(f["previous"], f["kind"]),
             change_text(f), relative_text(f)] for f in summary.get("figures") or []]


def summary_context(data: dict) -> dict | None:
    summary = summary_of(data)
    if summary is None:
        return None
    current, previous = period_labels(summary)
    return {**summary, "current_label": current, "previous_label": previous, "rows": figure_rows(summary)}

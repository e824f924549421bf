"""The body shared by the web page and the PDF: the summary, then per table its definition, its charts
and its rows."""

from __future__ import annotations

from audit.reports.render import period_text, table_rows, unit_text
from audit.reports.render.summary import TABLE_MARK, is_pending, summary_context
from audit.reports.render.svg import chart_svg


def report_sections(data: dict) -> list[dict]:
    tables = data.get("tables") or []
    by_key = {t["key"]: t for t in tables}
    charts: dict[str, list] = {}
    for i, chart in enumerate(data.get("charts") or []):
        table = by_key.get(chart["table_key"])
        if table is not None:
            charts.setdefault(table["key"], []).append(chart_svg(chart, table, f"diagram-{i + 1}"))
    sections = []
    for t in tables:
        numeric = [c["kind"] != "text" for c in t["columns"]]
        sections.append({
            "key": t["key"], "title": t["title"], "definition": t["definition"], "columns": t["columns"],
            "rows": [list(zip(row, numeric, strict=True)) for row in table_rows(t)],
            "charts": charts.get(t["key"], []),
        })
    return sections


def report_context(snapshot) -> dict:
    data = snapshot.data or {}
    return {
        "snapshot": snapshot,
        "data": data,
        "period": period_text(data),
        "unit_name": unit_text(data),
        "notes": data.get("notes") or [],
        "sections": report_sections(data),
        "summary": summary_context(data),
        "pending": is_pending(data),
        "table_mark": TABLE_MARK,
    }

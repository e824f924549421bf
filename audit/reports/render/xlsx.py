"""XLSX: the summary sheet first ("Sammanfattning"), then one sheet per table with its definition above
typed cells."""

from __future__ import annotations

import datetime
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from audit.reports.render import made_text, period_text, unit_text
from audit.reports.render.summary import NEW_TEXT, TABLE_MARK, is_pending, period_labels, summary_of
from audit.reports.render.xlsx_charts import add_charts

# Number formats (Excel shows them with the reader's separators: a decimal comma and a space in
# Swedish); the cell keeps its value. "number" shows up to two decimals, as the pages do.
FORMATS = {"int": "#,##0", "kr": '#,##0" kr"', "days": "#,##0", "percent": '0.0" %"', "date": "yyyy-mm-dd",
           "number": "#,##0.0#"}


def _cell(value, kind: str):
    if value is None:
        return None
    if kind == "date" and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def _sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", title)[:28] or "Tabell"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name.lower())
    return name


# The summary's change columns: a sign always, and a share's change in percentage points.
CHANGE_FORMATS = {"percent": '+0.0" procentenheter";-0.0" procentenheter";0.0" procentenheter"',
                  "kr": '+#,##0" kr";-#,##0" kr";0" kr"', "int": "+#,##0;-#,##0;0", "days": "+#,##0;-#,##0;0", "number": "+#,##0.0#;-#,##0.0#;0"}
RELATIVE_FORMAT = '+0.0" %";-0.0" %";0.0" %"'


def _summary_figures(ws, summary: dict) -> None:
    """The figures that changed most, as typed cells with number formats."""
    ws.append([])
    ws.append(["Störst förändring mot samma period året före"])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    current, previous = period_labels(summary)
    ws.append(["Tal", current, previous, "Förändring", "Förändring i procent"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for f in summary["figures"]:
        ws.append([f["title"], f["current"], f["previous"], f["change"], NEW_TEXT if f["new"] else f["relative"]])
        row = ws[ws.max_row]
        whole = all(isinstance(c.value, int) for c in row[1:4])  # a mean of days has decimals to show
        kind = f["kind"] if whole or f["kind"] in ("percent", "number") else "number"
        for cell in row[1:3]:
            cell.number_format = FORMATS.get(kind, FORMATS["number"])
        row[3].number_format = CHANGE_FORMATS.get(kind, CHANGE_FORMATS["number"])
        row[4].number_format = RELATIVE_FORMAT
    ws.append([])
    ws.append([summary["rule"]])


def _summary_sheet(wb, data: dict, snapshot) -> None:
    """The first sheet, "Sammanfattning": the report's facts, what it covers, the figures that changed most."""
    ws = wb.active
    ws.title = "Sammanfattning"
    summary = summary_of(data) or {}
    facts = [("Kommun", summary["municipality"])] if summary else []  # none in a report stored before summaries
    facts += [("Rapport", data.get("title", snapshot.title)), ("Period", period_text(data)),
              ("Enhet", unit_text(data)), ("Framtagen", made_text(snapshot))]
    if summary.get("unfinished"):
        facts.append(("Pågående period", summary["unfinished_text"]))
    facts += [("Anmärkning", n) for n in data.get("notes", [])]
    if summary:
        facts += [("Vad rapporten omfattar", summary["covers"])]
    for label, value in facts:
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    if summary.get("figures"):
        _summary_figures(ws, summary)
    elif summary.get("no_comparison"):
        ws.append([])
        ws.append([summary["no_comparison"]])
    ws.column_dimensions["A"].width = 48
    for column in "BCDE":
        ws.column_dimensions[column].width = 22


def render_xlsx(snapshot) -> bytes:
    data = snapshot.data or {}
    wb = Workbook()
    _summary_sheet(wb, data, snapshot)
    used = {"sammanfattning"}
    mark = f" ({TABLE_MARK})" if is_pending(data) else ""
    for table in data.get("tables", []):
        ws = wb.create_sheet(_sheet_name(table["title"], used))
        cols = table["columns"]
        ws.append([table["title"] + mark])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([f"Definition: {table['definition']}"])
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(len(cols), 1))
        ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[2].height = 15 * (1 + len(table["definition"]) // 90)
        ws.append([])
        ws.append([c["label"] for c in cols])
        for cell in ws[4]:
            cell.font = Font(bold=True)
        for row in table["rows"]:
            ws.append([_cell(row.get(c["key"]), c["kind"]) for c in cols])
            for cell, col in zip(ws[ws.max_row], cols, strict=True):
                if col["kind"] in FORMATS and cell.value is not None:
                    cell.number_format = FORMATS[col["kind"]]
                    if col["kind"] in ("int", "days") and isinstance(cell.value, float) and not cell.value.is_integer():
                        cell.number_format = FORMATS["number"]  # e.g. a mean of days: show its decimal
        for i, col in enumerate(cols, start=1):
            ws.column_dimensions[ws.cell(row=4, column=i).column_letter].width = max(12, min(50, len(col["label"]) + 4))
        ws.freeze_panes = "A5"
        add_charts(ws, table, [c for c in data.get("charts", []) if c["table_key"] == table["key"]], FORMATS)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

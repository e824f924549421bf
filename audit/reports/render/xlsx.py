"""XLSX: a cover sheet, then one sheet per table with its definition above typed cells."""

from __future__ import annotations

import datetime
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from audit.reports.render import made_text, period_text, unit_text
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


def render_xlsx(snapshot) -> bytes:
    data = snapshot.data or {}
    wb = Workbook()
    cover = wb.active
    cover.title = "Om rapporten"
    used = {"om rapporten"}
    for row in (("Rapport", data.get("title", snapshot.title)), ("Period", period_text(data)),
                ("Enhet", unit_text(data)), ("Framtagen", made_text(snapshot)), *(("Anmärkning", n) for n in data.get("notes", []))):
        cover.append(list(row))
    cover["A1"].font = cover["B1"].font = Font(bold=True)
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 14, 80
    for table in data.get("tables", []):
        ws = wb.create_sheet(_sheet_name(table["title"], used))
        cols = table["columns"]
        ws.append([table["title"]])
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

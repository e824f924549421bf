"""CSV: a zip with one file per table (header row = column labels, then values as stored: ISO
dates, whole numbers, a decimal point), plus definitioner.csv with each table's definition.

One file per table because each table has its own columns, and a CSV with several tables in it
cannot be read by a program; the zip keeps the set together with what each figure means.
"""

from __future__ import annotations

import csv
import io
import zipfile

from audit.reports.render import made_text, period_text, unit_text


def table_csv(table: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c["label"] for c in table["columns"]])
    for row in table["rows"]:
        writer.writerow(["" if row.get(c["key"]) is None else row.get(c["key"]) for c in table["columns"]])
    return out.getvalue()


def render_csv_zip(snapshot) -> bytes:
    data = snapshot.data or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        defs = io.StringIO()
        writer = csv.writer(defs, lineterminator="\r\n")
        writer.writerow(["fil", "tabell", "definition"])
        writer.writerow(["", "Rapport", f"{data.get('title', snapshot.title)}; {period_text(data)}; "
                                         f"{unit_text(data)}; framtagen {made_text(snapshot)}"])
        for i, table in enumerate(data.get("tables", []), start=1):
            name = f"{i:02d}_{table['key']}.csv"
            zf.writestr(name, table_csv(table).encode("utf-8"))
            writer.writerow([name, table["title"], table["definition"]])
        zf.writestr("definitioner.csv", defs.getvalue().encode("utf-8"))
    return buffer.getvalue()

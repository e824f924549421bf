"""CSV: a zip with one file per table (header row = column labels, then the values: ISO dates,
numbers with a decimal comma and no thousands separator, separated by semicolons, as a Swedish
spreadsheet reads them), plus definitioner.csv with each table's definition. Each file is named
after its table's Swedish title.

The summary comes first: 00-sammanfattning.csv holds the figures that changed most (a file of its
own, since its columns are not any table's), and definitioner.csv opens with the report's facts
(municipality, period, a period not ended) and what the report covers.

One file per table because each table has its own columns, and a CSV with several tables in it
cannot be read by a program; the zip keeps the set together with what each figure means.
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.utils.text import slugify

from audit.reports.render import made_text, period_text, unit_text
from audit.reports.render.summary import NEW_TEXT, period_labels, summary_of
from config.swedish import plain_number

# Swedish spreadsheets use the comma for decimals, so fields are separated by semicolons.
DELIMITER = ";"


def table_csv(table: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([c["label"] for c in table["columns"]])
    for row in table["rows"]:
        writer.writerow([plain_number(row.get(c["key"])) for c in table["columns"]])
    return out.getvalue()


def file_name(number: int, table: dict) -> str:
    """"03-hushall-med-forsorjningsstod-per-manad.csv": the table's Swedish title, in order."""
    title = slugify(table["title"].split(" (")[0], allow_unicode=True)[:60].strip("-") or "tabell"
    return f"{number:02d}-{title}.csv"


SUMMARY_FILE = "00-sammanfattning.csv"


def summary_csv(summary: dict) -> str:
    """The figures that changed most: one row each, values as a Swedish spreadsheet reads them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    current, previous = period_labels(summary)
    writer.writerow(["Tal", current, previous, "Förändring", "Förändring i procent"])
    for f in summary.get("figures") or []:
        writer.writerow([f["title"], *(plain_number(f[k]) for k in ("current", "previous", "change")),
                         NEW_TEXT if f["new"] else plain_number(f["relative"])])
    return out.getvalue()


def _facts(data: dict, snapshot) -> list[list[str]]:
    """definitioner.csv's first rows: the report, and what its summary file holds."""
    summary = summary_of(data) or {}
    about = [summary.get("municipality"), data.get("title", snapshot.title), period_text(data), unit_text(data),
             f"framtagen {made_text(snapshot)}", summary.get("unfinished_text")]
    rows = [["", "Rapport", "; ".join(part for part in about if part)]]
    if summary:
        held = summary["rule"] or summary["no_comparison"]
        rows.append([SUMMARY_FILE, "Sammanfattning", f"Vad rapporten omfattar: {summary['covers']} {held}"])
    return rows


def render_csv_zip(snapshot) -> bytes:
    data = snapshot.data or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        defs = io.StringIO()
        writer = csv.writer(defs, delimiter=DELIMITER, lineterminator="\r\n")
        writer.writerow(["fil", "tabell", "definition"])
        writer.writerows(_facts(data, snapshot))
        if summary_of(data):
            zf.writestr(SUMMARY_FILE, summary_csv(summary_of(data)).encode("utf-8"))
        for i, table in enumerate(data.get("tables", []), start=1):
            name = file_name(i, table)
            zf.writestr(name, table_csv(table).encode("utf-8"))
            writer.writerow([name, table["title"], table["definition"]])
        zf.writestr("definitioner.csv", defs.getvalue().encode("utf-8"))
    return buffer.getvalue()

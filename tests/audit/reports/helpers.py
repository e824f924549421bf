"""Reading the rendered files back: PDF text, XLSX cells, CSV tables."""

import csv
import io
import shutil
import subprocess
import zipfile

from openpyxl import load_workbook


def pdf_text(body: bytes, snapshot=None) -> str:
    """The PDF's text via pdftotext (poppler-utils, installed by .ci/run). Without it, the HTML
    WeasyPrint was given, which is everything the PDF shows."""
    assert body.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=body, capture_output=True,
                              check=True).stdout.decode("utf-8")
    from django.template.loader import render_to_string

    from audit.reports.render.html import report_context

    return render_to_string("audit/reports/pdf.html", report_context(snapshot))


def xlsx_sheets(body: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(body))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def csv_files(body: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        return {name: list(csv.reader(io.StringIO(zf.read(name).decode("utf-8")), delimiter=";")) for name in zf.namelist()}

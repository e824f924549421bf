"""A stored report as a file to download (PDF, XLSX or a zip of CSV files), for the page and the API."""

from __future__ import annotations

from django.http import HttpResponse

from audit.reports.render import file_stem
from audit.reports.render.csv import render_csv_zip
from audit.reports.render.pdf import render_pdf
from audit.reports.render.xlsx import render_xlsx

DOWNLOADS = {
    "pdf": (render_pdf, "application/pdf", "pdf"),
    "xlsx": (render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": (render_csv_zip, "application/zip", "zip"),
}


def download_response(snapshot, fmt: str) -> HttpResponse:
    render_file, content_type, ext = DOWNLOADS[fmt]
    response = HttpResponse(render_file(snapshot), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_stem(snapshot)}.{ext}"'
    return response

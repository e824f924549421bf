"""PDF for the board's papers: a title page (report, period, unit, date made), then per table its
definition, charts and rows. WeasyPrint renders the same HTML body as the web page."""

from __future__ import annotations

from django.template.loader import render_to_string

from audit.reports.render.html import report_context


def render_pdf(snapshot) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is only needed for PDFs

    html = render_to_string("audit/reports/pdf.html", report_context(snapshot))
    return HTML(string=html).write_pdf()

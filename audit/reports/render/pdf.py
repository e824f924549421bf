"""PDF for the board's papers: a title page (report, period, unit, date made), then per table its
definition, charts and rows. WeasyPrint renders the same HTML body as the web page.

Every PDF the system makes is PDF/A, so the municipality's e-archive can keep it: write_pdf_a in
config/pdf.py is the one way to make one.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from audit.reports.render.html import report_context
from config.pdf import write_pdf_a


def render_pdf(snapshot) -> bytes:
    context = report_context(snapshot)
    period, unit = context["period"], context["unit_name"]
    title = context["data"].get("title") or snapshot.title
    return write_pdf_a(render_to_string("audit/reports/pdf.html", context), title=title,
                       subject=f"{title}. Period: {period}. Enhet: {unit}.",
                       created=snapshot.made_at, keywords=[period, unit, "Underlag till nämnden"])

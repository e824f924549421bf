"""PDF for the board's papers: a title page (report, period, unit, date made), then per table its
definition, charts and rows. WeasyPrint renders the same HTML body as the web page.

Every PDF the system makes is PDF/A, so the municipality's e-archive can keep it: write_pdf_a is
the one way to make one (board reports here, the person's plan and follow-ups too).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils import timezone

from audit.reports.render.html import report_context

# PDF/A-2b: the level archives accept most widely (PDF/A-1 forbids transparency, PDF/A-3 allows
# attached files of any kind, which archives refuse). WeasyPrint embeds the fonts and the sRGB
# output intent and writes the XMP identification (pdfaid:part 2, conformance B).
PDF_VARIANT = "pdf/a-2b"


def write_pdf_a(html: str, *, title: str, subject: str, created: datetime.datetime,
                keywords: Sequence[str] = (), base_url: str | None = None) -> bytes:
    """The HTML as a PDF/A file whose metadata (document info and XMP alike) carry `title`,
    `subject` (e.g. the period), `keywords` and `created` (when the content was made, not when the
    file was: the same paper downloaded twice says the same). The language comes from <html lang>."""
    from weasyprint import HTML  # imported here: loading Pango is only needed for PDFs

    document = HTML(string=html, base_url=base_url).render()
    metadata = document.metadata
    metadata.title, metadata.description, metadata.keywords = title, subject, list(keywords)
    metadata.created = metadata.modified = timezone.localtime(created).isoformat(timespec="seconds")
    metadata.lang = metadata.lang or "sv"
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(snapshot) -> bytes:
    context = report_context(snapshot)
    period, unit = context["period"], context["unit_name"]
    title = context["data"].get("title") or snapshot.title
    return write_pdf_a(render_to_string("audit/reports/pdf.html", context), title=title,
                       subject=f"{title}. Period: {period}. Enhet: {unit}.",
                       created=snapshot.made_at, keywords=[period, unit, "Underlag till nämnden"])

"""HTML to an archivable PDF: PDF/A-2b, tagged. The one way the system makes a PDF (board reports,
the person's plan and follow-ups, the journal read-out), so each can go to the e-archive.

Any app may call it: it imports no app. Without explicit metadata the title and dates come from
the HTML's own <title> and <meta name="dcterms.created"> (WeasyPrint reads them into the PDF's
document info, and PDF/A repeats them in its XMP packet), so a document and its metadata agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone

# PDF/A-2b: the level archives accept most widely (PDF/A-1 forbids transparency, PDF/A-3 allows
# attached files of any kind, which archives refuse). WeasyPrint 70 embeds the fonts and the sRGB
# output intent and writes the XMP identification (pdfaid:part 2, conformance B). Tagged as well,
# so a screen reader reads it in order (the person may use one).
PDF_VARIANT = "pdf/a-2b"


def created_meta(when=None) -> str:
    """The value for <meta name="dcterms.created">: the local time, W3C format with offset."""
    return timezone.localtime(when).isoformat(timespec="seconds")


def write_pdf_a(html: str, *, title: str | None = None, subject: str | None = None,
                created: datetime.datetime | None = None, keywords: Sequence[str] = (),
                base_url: str | None = None) -> bytes:
    """The HTML as a PDF/A file. `title`, `subject` (e.g. the period), `keywords` and `created`
    (when the content was made, not when the file was: the same paper downloaded twice says the
    same), when given, replace what the HTML says; the language comes from <html lang>."""
    from weasyprint import HTML  # imported here: loading Pango is only needed for PDFs

    document = HTML(string=html, base_url=base_url).render()
    metadata = document.metadata
    if title is not None:
        metadata.title = title
    if subject is not None:
        metadata.description = subject
    if keywords:
        metadata.keywords = list(keywords)
    if created is not None:
        metadata.created = metadata.modified = timezone.localtime(created).isoformat(timespec="seconds")
    metadata.lang = metadata.lang or "sv"
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)

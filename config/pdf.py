"""HTML to an archivable PDF (PDF/A-3b, tagged), for the documents the services give out.

Any app may call it: it imports no app. The title and the dates come from the HTML's own
<title> and <meta name="dcterms.created"> (WeasyPrint reads them into the PDF's metadata, and
PDF/A repeats them in its XMP packet), so the document and its metadata cannot disagree.
"""

from __future__ import annotations

from django.utils import timezone

# PDF/A-3b: what an archive (e-arkiv) takes; WeasyPrint 70 embeds the fonts and the sRGB output
# intent it needs. Tagged as well, so a screen reader reads it in order (the person may use one).
PDF_VARIANT = "pdf/a-3b"


def created_meta(when=None) -> str:
    """The value for <meta name="dcterms.created">: the local time, W3C format with offset."""
    return timezone.localtime(when).isoformat(timespec="seconds")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is only needed for PDFs

    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)

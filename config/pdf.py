"""PDF/A documents from HTML: the archival form for what is kept or handed to a person.

WeasyPrint renders the HTML; PDF/A-3b ("b": the look is preserved, every font embedded) is what
archives (e.g. Riksarkivet's guidance for e-arkiv) accept for long-term keeping. Title, subject,
author and dates come from the document's <title> and <meta> tags (name="description", "author",
"dcterms.created"), which WeasyPrint writes into the PDF's metadata and XMP.
"""

from __future__ import annotations

PDF_VARIANT = "pdf/a-3b"


def pdf_a(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango is only needed for PDFs

    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant=PDF_VARIANT)

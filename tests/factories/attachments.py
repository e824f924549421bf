"""Small real files for attachments (made in memory) and stored attachments for tests."""

from __future__ import annotations

import hashlib
import io
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from cases.attachment_services import attachment_storage
from cases.models import Attachment

# The smallest well-formed PDF: a header, one empty page, a cross-reference table and %%EOF.
TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def png_bytes(size=(4, 4), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (20, 90, 200)).save(out, format="JPEG")
    return out.getvalue()


def stored_attachment(*, case, uploaded_by, content: bytes = TINY_PDF, content_type="application/pdf",
                      description="Hyreskontrakt", file_name="hyreskontrakt.pdf", **more) -> Attachment:
    """An attachment row with its file in the attachments storage, as the service leaves them."""
    name = attachment_storage().save(f"{case.pk}/{uuid.uuid4().hex}", ContentFile(content))
    return Attachment.objects.create(
        case=case, description=description, file_name=file_name, content_type=content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), stored_as=name, uploaded_by=uploaded_by,
        uploaded_at=timezone.now(), **more)


def application_for(case, month=None):
    """A received monthly application of `case` (no members or amounts: enough to attach to)."""
    import datetime

    from cases.models import Application

    return Application.objects.create(case=case, month=month or datetime.date(2025, 3, 1),
                                      received_on=datetime.date(2025, 3, 2), created_by=case.responsible_caseworker)

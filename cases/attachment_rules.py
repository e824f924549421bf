"""What a bilaga (attachment) may be: its types and size, in one place.

Documents handed in with an application or gathered in an investigation (bank statements, rental
contracts, certificates) arrive as PDF files or photographed pages; those are the types accepted.
The type is read from the file's content (its magic bytes, `filetype`; images are also opened by
Pillow), never from its name or the content type the client claims: a renamed program or an HTML
page sent as image/png is refused. The size bound is the municipality's (ATTACHMENT_MAX_BYTES).
"""

from __future__ import annotations

from dataclasses import dataclass

import filetype
from django.conf import settings
from PIL import Image, UnidentifiedImageError

# The storage (settings.STORAGES) the files are kept in: outside the database and never served.
ATTACHMENT_STORAGE = "attachments"
DESCRIPTION_MAX_LENGTH = 200
FILE_NAME_MAX_LENGTH = 200
WITHDRAWAL_REASON_MAX_LENGTH = 500
# Bytes read to recognise the type: every signature filetype knows lies within them.
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class AttachmentType:
    mime: str
    name: str  # as users read it
    extension: str
    pillow_format: str | None  # images: the format Pillow must read the whole file as


ATTACHMENT_TYPES = {
    t.mime: t for t in (
        AttachmentType("application/pdf", "PDF", "pdf", pillow_format=None),
        AttachmentType("image/png", "PNG-bild", "png", pillow_format="PNG"),
        AttachmentType("image/jpeg", "JPEG-bild", "jpg", pillow_format="JPEG"),
    )
}


def attachment_max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def accepted_types_text() -> str:
    return ", ".join(t.name for t in ATTACHMENT_TYPES.values())


def size_text(size: int) -> str:
    """A size as users read it: '2,4 MB', '12 kB'."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} kB"


def detect_type(file) -> AttachmentType | None:
    """The accepted type of this file by its content, or None. Reads from the start; leaves the
    file at its start."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    found = ATTACHMENT_TYPES.get(kind.mime) if kind else None
    if found is None or found.pillow_format is None:
        return found
    try:  # the signature is right; the rest must be a picture Pillow can read
        with Image.open(file) as image:
            if image.format != found.pillow_format:
                return None
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        file.seek(0)
    return found

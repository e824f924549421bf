"""Demo bilagor: a few small documents in case files, as the service stores them. A rental
contract (PDF) with the cases of coordinated persons and the first cases, a photographed
certificate (PNG) with a journal entry, a bank statement (PDF) with an application, and one
withdrawn because it belonged to another household.

Made in memory (the PDF once, with config/pdf.py; the PNG with Pillow) and stored through the
attachments storage. Its own seeded random source, so it shifts none of the other builders' data."""

from __future__ import annotations

import datetime
import hashlib
import io
import random
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from config.pdf import write_pdf_a

from .attachment_services import attachment_storage
from .models import Application, Attachment, Case, JournalEntry
from .selectors import open_assignments

FIRST_CASES = 8
PDF_HTML = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Hyreskontrakt</title></head>
<body style="font-family: 'DejaVu Sans', sans-serif"><h1>Hyreskontrakt</h1>
<p>Lägenhet 1102, 2 rum och kök. Hyra 7 450 kr per månad. (Exempeldokument.)</p></body></html>"""


def _png() -> bytes:
    image = Image.new("RGB", (240, 160), (250, 248, 240))
    ImageDraw.Draw(image).text((16, 16), "Läkarintyg (exempel)", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 40)))


def build(ctx) -> None:
    rng = random.Random(ctx.seed + 1414)
    pdf, png = write_pdf_a(PDF_HTML, title="Hyreskontrakt", created=_at(ctx.today, 9)), _png()
    storage = attachment_storage()
    coordinated = set(open_assignments().values_list("case_id", flat=True))
    cases = list(Case.objects.filter(household__members__applicant__isnull=False).distinct().order_by("pk"))
    chosen = [c for i, c in enumerate(cases) if i < FIRST_CASES or c.pk in coordinated]
    first_entry = {}
    for entry in JournalEntry.objects.filter(case__in=chosen).order_by("event_date", "pk"):
        first_entry.setdefault(entry.case_id, entry)
    latest_application = {}
    for application in Application.objects.filter(case__in=chosen[:FIRST_CASES]).order_by("month", "pk"):
        latest_application[application.case_id] = application
    rows = []

    def add(case, content, description, name, mime, day, **parent):
        author = parent.pop("author", None) or case.responsible_caseworker or ctx.staff["handlaggare"]
        stored = storage.save(f"{case.pk}/{uuid.UUID(int=rng.getrandbits(128)).hex}", ContentFile(content))
        rows.append(Attachment(
            case=case, description=description, file_name=name, content_type=mime, size=len(content),
            sha256=hashlib.sha256(content).hexdigest(), stored_as=stored, uploaded_by=author,
            uploaded_at=_at(min(day, ctx.today), 10), **parent))

    for case in chosen:
        day = case.opened_on + datetime.timedelta(days=rng.randint(2, 20))
        add(case, pdf, "Hyreskontrakt", "hyreskontrakt.pdf", "application/pdf", day)
        if (entry := first_entry.get(case.pk)) is not None and rng.random() < 0.6:
            add(case, png, "Foto av läkarintyg", "lakarintyg.png", "image/png", entry.event_date,
                journal_entry=entry, author=entry.author)
        if (application := latest_application.get(case.pk)) is not None:
            add(case, pdf, "Kontoutdrag för månaden", "kontoutdrag.pdf", "application/pdf", application.received_on,
                application=application)
    if rows:  # one handed in by mistake: withdrawn, and kept
        wrong = rows[0]
        wrong.withdrawn_at = wrong.uploaded_at + datetime.timedelta(hours=2)
        wrong.withdrawn_by, wrong.withdrawal_reason = wrong.uploaded_by, "Bilagan gällde ett annat hushåll."
    Attachment.objects.bulk_create(rows)

"""Demo journal entries: every case's file has a few, of several kinds, most written on the day of
the event, some later (and saying so), one correction and one noted view of the person.

Its own seeded random source, so adding the journal shifts none of the other builders' data."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from .models import Case, JournalEntry, JournalEntryKind

TEXTS = {
    "contact": "Första kontakt. Personen berättade om sin situation och fick information om ekonomiskt bistånd.",
    "visit": "Besök på kontoret. Gick igenom ansökan och vilka underlag som behövs.",
    "telephone": "Telefonsamtal. Personen meddelade att underlagen skickas in under veckan.",
    "investigation": "Utredning av behovet inför beslut. Inkomster och kostnader kontrollerade mot underlagen.",
    "implementation": "Samtal om planeringen och vilka insatser som kan bli aktuella.",
}
VIEW_TEXT = "Personen anser att uppgiften om hyreskostnaden i förra anteckningen är fel och vill att det noteras."
CORRECTION_TEXT = "Rättelse: besöket ägde rum på eftermiddagen, inte på förmiddagen som först skrevs."


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 15)))


def build(ctx) -> None:
    rng = random.Random(ctx.seed + 14)
    kinds = {k.code: k for k in JournalEntryKind.objects.filter(code__in=[*TEXTS, "other"])}
    cases = (Case.objects.filter(household__members__applicant__isnull=False)
             .select_related("responsible_caseworker").prefetch_related("household__members").distinct().order_by("pk"))
    entries = []
    for case in cases:
        author = case.responsible_caseworker or ctx.staff["handlaggare"]
        adults = [m.applicant_id for m in case.household.members.all() if m.applicant_id]
        day = case.opened_on
        for n, code in enumerate(["contact", *rng.sample(sorted(TEXTS), k=rng.randint(1, 3))]):
            day = min(day + datetime.timedelta(days=rng.randint(0 if n == 0 else 3, 40)), ctx.today)
            late = rng.random() < 0.2  # written a few days after the event, and the entry says so
            written = min(day + datetime.timedelta(days=rng.randint(1, 5) if late else 0), ctx.today)
            entries.append(JournalEntry(case=case, applicant_id=rng.choice([None, adults[0]]), kind=kinds[code],
                                        event_date=day, text=TEXTS[code], author=author,
                                        written_at=_at(written, 9 + n)))
    JournalEntry.objects.bulk_create(entries)
    # A correction and a noted view of the person in the first cases' files.
    firsts = {}
    for entry in entries:
        firsts.setdefault(entry.case_id, entry)
    follow = []
    for i, entry in enumerate(list(firsts.values())[:6]):
        follow.append(JournalEntry(
            case_id=entry.case_id, applicant_id=entry.applicant_id, kind=kinds["other"] if i % 2 else entry.kind,
            event_date=entry.event_date, text=VIEW_TEXT if i % 2 else CORRECTION_TEXT, author=entry.author,
            is_persons_view=bool(i % 2), corrects=None if i % 2 else entry,
            written_at=min(entry.written_at + datetime.timedelta(days=2), _at(ctx.today, 8)),
        ))
    JournalEntry.objects.bulk_create(follow)

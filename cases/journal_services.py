"""Writing the journal: an entry is signed when saved and never changes; a correction is a new
entry that points to the one it corrects (DOMAIN.md 8, SOSFS 2014:5)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from audit.recording.log import record_change, snapshot
from config.errors import field_error as _field_error

from .journal_selectors import journal_entries_for
from .models import Applicant, Case, HouseholdMember, JournalEntry, JournalEntryKind, Role, Staff
from .permissions import require_role
from .selectors import applicants_for, cases_for

# Who writes the journal: the caseworkers of the case's unit and the coordinators of its persons
# (DOMAIN.md 1 and 8). Unit managers read it; the board and administrators never see it.
JOURNAL_WRITERS = frozenset({Role.CASEWORKER, Role.COORDINATOR})
ENTRY_FIELDS = ("case_id", "applicant_id", "kind_id", "event_date", "text", "is_persons_view", "corrects_id", "author_id",
                "written_at")


@transaction.atomic
def journal_entry_create(
    *,
    actor: Staff,
    case: Case | int,
    kind: str,
    event_date: datetime.date,
    text: str,
    applicant: Applicant | int | None = None,
    is_persons_view: bool = False,
    corrects: JournalEntry | int | None = None,
) -> JournalEntry:
    """Write (and so sign) one entry. Case, person and the entry corrected must be in the actor's
    scope; the event cannot lie in the future (an entry written later says so itself)."""
    require_role(actor, JOURNAL_WRITERS, doing="skriva i journalen")
    case_id = case.pk if isinstance(case, Case) else case
    case = cases_for(actor).select_related("household").filter(pk=case_id).first()
    if case is None:
        raise _field_error("case", "Ärendet finns inte eller ligger utanför din behörighet.", "not_found")
    applicant_id = applicant.pk if isinstance(applicant, Applicant) else applicant
    if applicant_id is not None:
        if not applicants_for(actor).filter(pk=applicant_id).exists():
            raise _field_error("applicant", "Personen finns inte eller ligger utanför din behörighet.", "not_found")
        if not HouseholdMember.objects.filter(household_id=case.household_id, applicant_id=applicant_id).exists():
            raise _field_error("applicant", "Personen hör inte till ärendets hushåll.", "not_in_household")
    kind_row = JournalEntryKind.objects.filter(code=kind, is_active=True).first()
    if kind_row is None:
        raise _field_error("kind", f"Det finns inget slag av anteckning med koden {kind!r}.", "unknown_code")
    if event_date > timezone.localdate():
        raise _field_error("event_date", "Händelsedatum kan inte ligga i framtiden.", "in_future")
    original = None
    if corrects is not None:
        corrects_id = corrects.pk if isinstance(corrects, JournalEntry) else corrects
        original = journal_entries_for(actor).filter(pk=corrects_id).first()
        if original is None:
            raise _field_error("corrects", "Anteckningen som ska rättas finns inte eller ligger utanför din behörighet.",
                               "not_found")
        if original.case_id != case.pk:
            raise _field_error("corrects", "En rättelse skrivs i samma ärende som anteckningen den rättar.",
                               "other_case")
    entry = JournalEntry(
        case=case, applicant_id=applicant_id, kind=kind_row, event_date=event_date, text=(text or "").strip(),
        is_persons_view=is_persons_view, corrects=original, author=actor, written_at=timezone.now(),
    )
    entry.full_clean()
    entry.save()
    person_ids = [applicant_id] if applicant_id else [
        m.applicant_id for m in case.household.members.all() if m.applicant_id
    ] or [None]
    record_change(
        actor=actor,
        action="journal_entry.correct" if original else "journal_entry.create",
        instance=entry,
        person_ids=person_ids,
        after=snapshot(entry, ENTRY_FIELDS),
    )
    return entry

"""Every read of the journal, scoped like the cases it belongs to.

An entry is visible to a user who sees its case, and, when it is about one person of the
household, who sees that person too: a coordinator sees the entries about the persons assigned to
them and those about the whole case, not what is written about another member (need to know).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import JournalEntry, JournalEntryKind, Role, Staff
from .selectors import applicants_for, cases_for

# Who reads the journal: the writers (cases/journal_services.py) and the unit managers (DOMAIN.md 1
# and 8); the board and administrators never see it. The API and the pages both check this set.
JOURNAL_READERS = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.UNIT_MANAGER})


def journal_entries_for(user: Staff) -> QuerySet[JournalEntry]:
    visible_case = cases_for(user).filter(pk=OuterRef("case_id"))
    visible_person = applicants_for(user).filter(pk=OuterRef("applicant_id"))
    return JournalEntry.objects.filter(Exists(visible_case)).filter(
        Q(applicant__isnull=True) | Q(Exists(visible_person))
    )


def journal_entry_list(*, user: Staff) -> QuerySet[JournalEntry]:
    """Chronological (by the event, then by writing), with what a list shows, in a fixed number of queries."""
    return (
        journal_entries_for(user)
        .select_related("kind", "author", "applicant", "corrects", "corrects__author", "case")
        .prefetch_related("case__household__members")
        .order_by("event_date", "written_at", "pk")
    )


def journal_entry_kinds() -> QuerySet[JournalEntryKind]:
    return JournalEntryKind.objects.filter(is_active=True).order_by("sort_order", "name")


def journal_person_ids(entry: JournalEntry) -> list[int]:
    """Whom an entry concerns, for the access log: its person, else the case's adult members."""
    if entry.applicant_id:
        return [entry.applicant_id]
    return [m.applicant_id for m in entry.case.household.members.all() if m.applicant_id]

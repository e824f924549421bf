"""Every read of attachments, scoped like what they are attached to.

An attachment is visible to a user who sees its case; one on a journal entry only to those who
see that entry (a coordinator does not see what is written about another household member), one
on an application only to those who see the application (the caseworkers of the unit).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .finance_selectors import applications_for
from .journal_selectors import journal_entries_for
from .models import Attachment, Staff
from .selectors import cases_for


def attachments_for(user: Staff) -> QuerySet[Attachment]:
    visible_case = cases_for(user).filter(pk=OuterRef("case_id"))
    visible_entry = journal_entries_for(user).filter(pk=OuterRef("journal_entry_id"))
    visible_application = applications_for(user).filter(pk=OuterRef("application_id"))
    return Attachment.objects.filter(Exists(visible_case)).filter(
        Q(journal_entry__isnull=True) | Q(Exists(visible_entry)),
        Q(application__isnull=True) | Q(Exists(visible_application)),
    )


def attachment_list(*, user: Staff) -> QuerySet[Attachment]:
    """Newest first, with what a list shows, in a fixed number of queries."""
    return (
        attachments_for(user)
        .select_related("uploaded_by", "withdrawn_by", "journal_entry", "journal_entry__kind", "application")
        .prefetch_related("case__household__members")
        .order_by("-uploaded_at", "-pk")
    )


def attachment_person_ids(attachment: Attachment) -> list[int]:
    """Whom an attachment concerns, for the access log: the journal entry's person, else the
    case's adult members."""
    entry = attachment.journal_entry
    if entry is not None and entry.applicant_id:
        return [entry.applicant_id]
    return [m.applicant_id for m in attachment.case.household.members.all() if m.applicant_id]

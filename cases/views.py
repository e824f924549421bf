"""The journal for the coordinator: a person's entries, a form to write one (or a correction), and
the read-out of a case's journal as a PDF for when the person asks to see their file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.models import AccessAction
from audit.recording.log import record_access
from config.pdf import write_pdf_a
from config.web_auth import person_in_scope, role_required
from config.web_forms import run_service

from . import journal_selectors as js
from .attachment_services import ATTACHMENT_WRITERS
from .attachment_views import attachments_of_person, log_attachments, log_objects
from .journal_forms import JournalEntryForm
from .journal_services import JOURNAL_WRITERS, journal_entry_create
from .selectors import cases_for


def _entries_of_person(user, person):
    """The entries about the person, and those about the whole case of a household they are in."""
    return js.journal_entry_list(user=user).filter(
        Q(applicant_id=person.pk) | Q(applicant__isnull=True, case__household__members__applicant_id=person.pk)
    ).distinct().prefetch_related("corrections")


def _log(user, entries, action=AccessAction.READ):
    log_objects(user, entries, "cases.journalentry", js.journal_person_ids, action)


@login_required
@role_required(*js.JOURNAL_READERS)
@require_http_methods(["GET", "POST"])
def person_journal(request, pk: int):
    person = person_in_scope(request.user, pk)
    entries = list(_entries_of_person(request.user, person))
    cases = list(cases_for(request.user).filter(household__members__applicant_id=person.pk).distinct().order_by("-opened_on"))
    may_write = request.user.role in JOURNAL_WRITERS and bool(cases)
    form = None
    if may_write:
        initial = {}
        if request.GET.get("rattar", "").isdigit():
            initial["corrects"] = int(request.GET["rattar"])
        form = JournalEntryForm(request.POST or None, cases=cases, entries=entries, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            entry = run_service(form, lambda: journal_entry_create(
                actor=request.user, case=data["case"], applicant=person.pk, kind=data["kind"],
                event_date=data["event_date"], text=data["text"], is_persons_view=data["is_persons_view"],
                corrects=data["corrects"]))
            if entry is not None:
                messages.success(request, "Anteckningen är sparad och signerad.")
                return redirect("person-journal", pk=person.pk)
    elif request.method == "POST":
        raise Http404
    _log(request.user, entries)
    attachments = list(attachments_of_person(request.user, person, cases)) if cases else []
    log_attachments(request.user, attachments)
    return render(request, "cases/journal.html", {
        "person": person, "entries": entries, "cases": cases, "form": form, "nav": "caseload",
        "attachments": attachments, "may_attach": request.user.role in ATTACHMENT_WRITERS and bool(cases),
    })


@login_required
@role_required(*js.JOURNAL_READERS)
def case_journal_pdf(request, pk: int):
    """Journalutdrag: every entry of the case the user may read, chronological, corrections shown."""
    case = cases_for(request.user).select_related("unit").filter(pk=pk).first()
    if case is None:
        raise Http404
    entries = list(js.journal_entry_list(user=request.user).filter(case_id=case.pk).prefetch_related("corrections"))
    members = [m for m in case.household.members.select_related("applicant").order_by("valid_from", "pk") if m.applicant_id]
    html = render_to_string("cases/journal_pdf.html", {
        "case": case, "entries": entries, "members": members, "made": timezone.localtime(), "user": request.user,
    }, request=request)
    content = write_pdf_a(html, base_url=request.build_absolute_uri("/"))
    _log(request.user, entries, AccessAction.EXPORT)
    record_access(actor=request.user, action=AccessAction.EXPORT, object_type="cases.case",
                  subjects=[(case.pk, m.applicant_id) for m in members] or [(case.pk, None)])
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="journalutdrag-arende-{case.pk}.pdf"'
    return response

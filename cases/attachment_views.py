"""Bilagor on the person's journal page: the list (in cases/views.py's page), adding one, and the
download, which is scoped, checked against its SHA-256 and written to the access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.models import AccessAction
from audit.recording.log import record_access
from config.web_auth import person_in_scope, role_required
from config.web_forms import run_service

from . import attachment_selectors as selectors
from . import journal_selectors as js
from .api.attachments import attachment_response
from .attachment_forms import AttachmentForm
from .attachment_services import (
    ATTACHMENT_READERS,
    ATTACHMENT_WRITERS,
    AttachmentDamaged,
    AttachmentTooLarge,
    attachment_content,
    attachment_upload,
    refuse_oversized_body,
)
from .selectors import cases_for


def attachments_of_person(user, person, cases):
    """The attachments of the person's cases, but not those of another member's journal entries."""
    return selectors.attachment_list(user=user).filter(case__in=cases).filter(
        Q(journal_entry__isnull=True) | Q(journal_entry__applicant__isnull=True)
        | Q(journal_entry__applicant_id=person.pk)
    )


def log_objects(user, objects, object_type: str, person_ids, action=AccessAction.READ):
    """One access-log row per object shown and person it concerns (one INSERT for them all)."""
    record_access(actor=user, action=action, object_type=object_type,
                  subjects=[(o.pk, pid) for o in objects for pid in (person_ids(o) or [None])])


def log_attachments(user, attachments, action=AccessAction.READ):
    log_objects(user, attachments, "cases.attachment", selectors.attachment_person_ids, action)


@login_required
@role_required(*ATTACHMENT_WRITERS)
@require_http_methods(["GET", "POST"])
def attachment_new(request, pk: int):
    person = person_in_scope(request.user, pk)
    cases = list(cases_for(request.user).filter(household__members__applicant_id=person.pk).distinct()
                 .order_by("-opened_on"))
    if not cases:
        raise Http404
    entries = list(js.journal_entry_list(user=request.user).filter(case__in=cases).filter(
        Q(applicant_id=person.pk) | Q(applicant__isnull=True)))
    if request.method == "POST":
        try:
            refuse_oversized_body(request.META.get("CONTENT_LENGTH"))
        except AttachmentTooLarge as exc:  # the body is not read: the form starts again, saying why
            form = AttachmentForm(cases=cases, entries=entries)
            return render(request, "cases/attachment_new.html", {"person": person, "form": form, "nav": "caseload",
                                                                 "refused": exc.message}, status=exc.status)
    initial = {}
    if request.GET.get("anteckning", "").isdigit():
        initial["journal_entry"] = int(request.GET["anteckning"])
    form = AttachmentForm(request.POST or None, request.FILES or None, cases=cases, entries=entries, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attachment = run_service(form, lambda: attachment_upload(
            actor=request.user, case=data["case"], journal_entry=data["journal_entry"],
            description=data["description"], file=data["file"]))
        if attachment is not None:
            messages.success(request, "Bilagan är sparad.")
            return redirect("person-journal", pk=person.pk)
    # The form names the person and lists their journal entries: a read of both.
    record_access(actor=request.user, action=AccessAction.READ, object_type="cases.applicant",
                  subjects=[(person.pk, person.pk)])
    log_objects(request.user, entries, "cases.journalentry", js.journal_person_ids)
    return render(request, "cases/attachment_new.html", {"person": person, "form": form, "nav": "caseload"})


@login_required
@role_required(*ATTACHMENT_READERS)
def attachment_file(request, pk: int):
    attachment = selectors.attachment_list(user=request.user).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    try:
        content = attachment_content(attachment)
    except AttachmentDamaged as exc:
        return render(request, "cases/attachment_damaged.html", {"message": exc.message}, status=exc.status)
    log_attachments(request.user, [attachment], AccessAction.EXPORT)
    return attachment_response(attachment, content)

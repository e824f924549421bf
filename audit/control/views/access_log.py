"""Loggkontroll: who read a given person, what a given staff member read, in a period, channel and
action; for the administrator (every row) and the unit manager (their unit's staff's reads).

Thin: the rows are audit.control.selectors.access_log_review's, the same the API answers with. The
search is posted (a personnummer never in the address), the page buttons post it again. Reading
the page is logged like any read: one row per log entry shown, and the search for a person.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from audit.control.forms import AccessLogSearchForm
from audit.control.selectors import ACCESS_LOG_REVIEWERS, access_log_readers, access_log_review
from audit.models import AccessAction
from audit.recording.log import record_access
from cases.models import Applicant, Role
from config.web_auth import role_required

ROWS_PER_PAGE = 50
OBJECT_TYPE = "audit.accesslogentry"
# Log rows about something that is not one table row: what the reviewer sees instead.
OTHER_OBJECTS = {
    "route": "sida eller tjänst", "login": "inloggning", "cases.delegated_decision_list": "delegationslista",
    "insatser.full_time": "heltidsaktivering", "insatser.timeline": "tidslinje", "planning.timeline": "tidslinje",
}


@login_required
@role_required(*ACCESS_LOG_REVIEWERS)
@require_http_methods(["GET", "POST"])
def access_log_review_page(request):
    user = request.user
    readers = list(access_log_readers(user=user))
    form = AccessLogSearchForm(request.POST if request.method == "POST" else None, readers=readers)
    context = {"form": form, "nav": "access-log", "searched": False}
    if form.is_bound and form.is_valid():
        context.update(_search(request, form.cleaned_data), searched=True)
    return render(request, "audit/access_log.html", context, status=400 if form.errors else 200)


def _search(request, data: dict) -> dict:
    user, person = request.user, data["person"]
    if isinstance(person, str):
        # A personnummer: the person's id, or none. An unknown number finds no rows, and the page
        # says no more than that (whether someone is known to the social services is secret too).
        person = Applicant.objects.filter(personal_identity_number=person).values_list("pk", flat=True).first() or -1
    rows = access_log_review(
        user=user, person=person, actor=data["actor"], date_from=data["date_from"], date_to=data["date_to"],
        channel=data["channel"] or None, action=data["action"] or None,
    )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.POST.get("sida"))
    entries = list(page.object_list)
    record_access(actor=user, action=AccessAction.LIST, object_type=OBJECT_TYPE,
                  subjects=[(e.pk, e.person_id) for e in entries])
    if person is not None and person > 0 and not entries:
        record_access(actor=user, action=AccessAction.SEARCH, object_type=OBJECT_TYPE, subjects=[("", person)])
    return {"page": page, "rows": _rows(entries)}


def _rows(entries) -> list[dict]:
    """What the table shows of each entry; the persons named with one query for the page."""
    ids = {e.person_id for e in entries if e.person_id is not None}
    shown = ("first_name", "last_name", "personal_identity_number", "reserve_number", "is_coordination_number")
    persons = {p.pk: p for p in Applicant.objects.filter(pk__in=ids).only(*shown)} if ids else {}
    return [
        {"entry": e, "role": _role(e.actor_role), "object": _object(e.object_type), "person": persons.get(e.person_id)}
        for e in entries
    ]


def _role(value: str) -> str:
    return Role(value).label if value in Role.values else ""


def _object(object_type: str) -> str:
    if object_type in OTHER_OBJECTS:
        return OTHER_OBJECTS[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return "övrigt"

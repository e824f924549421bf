"""The UI's start page and the pages that compose every app: a coordinator's caseload and a
person's page. They live in config because they show audit's flags next to planning and
insatser data, and only config and audit's control layer may read every app (ARCHITECTURE.md).
The forms that change data live in each app's views.py.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.control.models import LIVE_FLAG_STATUSES, Severity
from audit.control.selectors import flags_for
from audit.models import AccessAction
from audit.recording.log import record_access
from cases import identity
from cases.models import Role
from cases.selectors import open_assignments
from insatser import full_time
from insatser import selectors as insatser_selectors
from insatser.models import ParticipationStatus
from insatser.timeline import Event, person_timeline
from planning import bip
from planning import selectors as planning_selectors
from planning.models import PlanStatus
from planning.selectors import current_plan

from . import caseload as shared_caseload
from .web_auth import person_in_scope, role_required

SEARCH_SESSION_KEY = "caseload_search"


@login_required
def home(request):
    if request.user.role == Role.COORDINATOR:
        return redirect("caseload")
    return render(request, "home.html")


class CaseloadFilterForm(forms.Form):
    visa = forms.ChoiceField(label="Visa", choices=list(shared_caseload.FILTERS.items()), required=False)
    sortera = forms.ChoiceField(
        label="Sortera efter",
        required=False,
        choices=[(key, shared_caseload.SORT_LABELS[key]) for key in shared_caseload.SORTS],
    )


# Text made of digits (with a dash, plus or spaces) is a personnummer search, never a name: a
# number that is not valid is said so, with why, instead of answering "0 personer".
NUMBER_SEARCH = re.compile(r"^[\d\s+-]*\d[\d\s+-]*$")


class CaseloadSearchForm(forms.Form):
    sok = forms.CharField(label="Sök på namn eller personnummer", required=False, max_length=100)

    def clean_sok(self) -> str:
        text = self.cleaned_data["sok"].strip()
        if NUMBER_SEARCH.match(text):
            try:
                identity.parse(text.replace(" ", ""))
            except ValidationError as exc:
                raise forms.ValidationError(f"{exc.messages[0]} Kontrollera numret och sök igen.",
                                            code=exc.code) from exc
        return text


@login_required
@role_required(*shared_caseload.CASELOAD_ROLES)
@require_http_methods(["GET", "POST"])
def caseload(request):
    # The search text may be a personnummer: it comes by POST and is kept in the session,
    # never in the URL (no personal data in URLs, logs or browser history).
    # An invalid number is answered on the POST itself (the number stays in the field, in the
    # page's body only), and the list shows what it showed before.
    search = request.session.get(SEARCH_SESSION_KEY, "")
    if request.method == "POST":
        search_form = CaseloadSearchForm(request.POST)
        if search_form.is_valid():
            request.session[SEARCH_SESSION_KEY] = search_form.cleaned_data["sok"]
            return redirect(f"{request.path}?{request.GET.urlencode()}" if request.GET else request.path)
    else:
        search_form = CaseloadSearchForm(initial={"sok": search})
    filter_form = CaseloadFilterForm(request.GET or None)
    show, sort = "", "namn"
    if filter_form.is_valid():
        show = filter_form.cleaned_data["visa"] or ""
        sort = filter_form.cleaned_data["sortera"] or "namn"
    today = timezone.localdate()
    persons = shared_caseload.caseload_persons(user=request.user, search=search, show=show, sort=sort, on=today)
    rows = shared_caseload.caseload_rows(user=request.user, persons=persons, on=today)
    record_access(
        actor=request.user,
        action=AccessAction.SEARCH if search else AccessAction.LIST,
        object_type="cases.applicant",
        subjects=[(r.person.pk, r.person.pk) for r in rows],
    )
    return render(request, "web/caseload.html", {
        "rows": rows, "search_form": search_form, "filter_form": filter_form, "search": search, "today": today,
        "search_text": search_form["sok"].value() if search_form.is_bound else search,
        "week_start": full_time.week_of(today),
        "severities": list(reversed(Severity.choices)), "nav": "caseload",
    })


def _timeline(user, person_id: int) -> list:
    """insatser's timeline plus what planning alone knows (kartläggning, BIP), newest first."""
    events = list(person_timeline(user=user, applicant_id=person_id))
    for a in planning_selectors.assessment_list(user=user).filter(applicant_id=person_id):
        events.append(Event(a.assessed_on, "assessment", "planning.assessment", a.pk,
                            f"Kartläggning av {a.made_by.get_full_name()}"))
    for b in planning_selectors.bip_assessment_list(user=user).filter(applicant_id=person_id):
        rows = list(b.answers.all())
        if bip.is_licensed(x.indicator for x in rows):
            detail, title = "; ".join(f"{x.indicator.name}: {x.value}" for x in rows), f"BIP-skattning ({b.instrument.name})"
        else:  # placeholder names are not shown (planning/bip.py)
            detail, title = bip.missing_text(x.indicator for x in rows), "BIP-skattning"
        events.append(Event(b.assessed_on, "bip", "planning.bipassessment", b.pk, title, detail))
    return sorted(events, key=lambda e: (e.date, e.object_id), reverse=True)


@login_required
@role_required(Role.COORDINATOR, Role.CASEWORKER, Role.UNIT_MANAGER)
def person_detail(request, pk: int):
    person = person_in_scope(request.user, pk)  # scoping first: the timeline itself is unscoped
    today = timezone.localdate()
    plans = list(planning_selectors.plans_for(request.user).filter(applicant_id=person.pk).order_by("-version"))
    plan = current_plan(person.pk, on=today)
    draft = next((p for p in plans if p.status == PlanStatus.DRAFT), None)
    participations = list(
        insatser_selectors.participation_list(user=request.user).filter(
            applicant_id=person.pk, status=ParticipationStatus.ACTIVE)
    )
    flags = list(
        flags_for(request.user).filter(person_id=person.pk, status__in=LIVE_FLAG_STATUSES)
        .select_related("rule").order_by("-rule__severity", "first_seen")
    )
    assignment = (
        open_assignments(on=today).filter(applicant_id=person.pk).select_related("coordinator", "case")
        .order_by("-start_date").first()
    )
    pending = {c.participation_id: c for c in insatser_selectors.closings_pending(user=request.user)
               .filter(participation__applicant_id=person.pk)}
    for p in participations:
        p.pending_closing = pending.get(p.pk)
    record_access(actor=request.user, action=AccessAction.READ, object_type="cases.applicant",
                  subjects=[(person.pk, person.pk)])
    return render(request, "web/person.html", {
        "person": person, "timeline": _timeline(request.user, person.pk), "plan": plan, "draft": draft,
        "latest_plan": plans[0] if plans else None, "participations": participations, "flags": flags,
        "assignment": assignment, "today": today, "is_coordinator": request.user.role == Role.COORDINATOR,
        "nav": "caseload",
    })

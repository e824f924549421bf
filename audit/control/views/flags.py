"""The flags worklist and one flag's page: acknowledge, plan a corrective action, follow it up, close.

Every step is a call to audit.control.services; a refused step shows the service's message by its field
and writes nothing (the services are atomic).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from audit.control import reevaluation, services
from audit.control.forms import AcknowledgeForm, CloseFlagForm, CompleteForm, CorrectiveActionForm, FollowUpForm
from audit.control.models import (
    LIVE_FLAG_STATUSES,
    ActionStatus,
    CorrectiveAction,
    FlagStatus,
    FlagTransition,
    Severity,
)
from audit.control.selectors import flag_worklist, flags_for
from audit.control.subjects import causes
from audit.control.views.common import WORKLIST_ROLES, error_status, log_persons, owners_for
from config.web_auth import role_required
from config.web_forms import run_service

_ACTIONS = Prefetch(
    "actions", queryset=CorrectiveAction.objects.select_related("owner", "followed_up_by").order_by("due_date", "pk")
)


# Rows per page of the worklist.
WORKLIST_PAGE_SIZE = 50


@login_required
@role_required(*WORKLIST_ROLES)
def flag_list(request):
    """Live flags the user may handle, most severe and oldest first; filtered by rule, severity,
    age and responsible person; paginated, with the counts per severity of the filtered list.

    A fixed number of queries whatever the number of flags: the counts, the rules and the
    responsible people offered by the filters, the page's count and rows, and their actions."""
    today = timezone.localdate()
    rule = request.GET.get("regel") or None
    severity = _number(request.GET.get("allvarlighet"))
    responsible = _number(request.GET.get("ansvarig"))
    # Age limits (days since first seen), e.g. from a cell of the unit manager's overview.
    min_age, max_age = (_number(request.GET.get(k)) for k in ("min_dagar", "max_dagar"))
    filtered = flag_worklist(
        user=request.user, rule=rule, responsible=responsible, status=list(LIVE_FLAG_STATUSES),
        min_age_days=min_age, max_age_days=max_age, today=today,
    )
    by_severity = dict(
        filtered.order_by().values_list("rule__severity").annotate(n=Count("pk")).values_list("rule__severity", "n")
    )
    counts = [{"severity": s, "label": s.label, "count": by_severity.get(s.value, 0)}
              for s in sorted(Severity, reverse=True)]
    if severity is not None:
        filtered = filtered.filter(rule__severity=severity)
    page = Paginator(filtered.prefetch_related(_ACTIONS), WORKLIST_PAGE_SIZE).get_page(request.GET.get("sida"))
    flags = list(page.object_list)
    for flag in flags:
        flag.days_open = (today - flag.first_seen).days
    log_persons(request.user, "audit.flag", flags, lambda f: f.person_id)
    live = flags_for(request.user).filter(status__in=LIVE_FLAG_STATUSES).order_by()
    rules = list(live.values_list("rule__code", "rule__title").distinct().order_by("rule__title"))
    owners = [
        (pk, f"{first} {last}")
        for pk, first, last in live.exclude(responsible=None)
        .values_list("responsible_id", "responsible__first_name", "responsible__last_name")
        .distinct().order_by("responsible__first_name", "responsible__last_name")
    ]
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "flags": flags, "page": page, "counts": counts, "total": sum(by_severity.values()),
        "rule": rule, "rules": rules, "severity": severity, "severities": sorted(Severity, reverse=True),
        "responsible": responsible, "owners": owners, "min_age": min_age, "max_age": max_age,
        "query": query.urlencode(), "nav": "flags",
    }
    return render(request, "audit/flag_list.html", context)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _forms(user, data=None, step=None, action_id=None):
    """Blank forms for every step, with the posted one bound to the data."""

    def bound(name, cls, **kw):
        return cls(data if step == name else None, **kw)

    return {
        "acknowledge": bound("kvittera", AcknowledgeForm, prefix="kvittera"),
        "action": bound("atgard", CorrectiveActionForm, prefix="atgard", owners=owners_for(user)),
        "close": bound("avsluta", CloseFlagForm, prefix="avsluta"),
        "bound_action_id": action_id,
        "follow_up": FollowUpForm(data if step == "uppfoljning" else None, prefix="uppfoljning"),
        "complete": CompleteForm(data if step == "klar" else None, prefix="klar"),
    }


def _run_step(user, flag, step, forms, data):
    """Run the posted step through its service; True when it was done."""
    if step == "kvittera" and forms["acknowledge"].is_valid():
        form = forms["acknowledge"]
        return run_service(form, lambda: services.flag_transition(
            actor=user, flag=flag, event="acknowledge", comment=form.cleaned_data["comment"]))
    if step == "avsluta" and forms["close"].is_valid():
        form = forms["close"]
        return run_service(form, lambda: services.flag_transition(
            actor=user, flag=flag, event="close", comment=form.cleaned_data["comment"]))
    if step == "atgard" and forms["action"].is_valid():
        form, cd = forms["action"], forms["action"].cleaned_data
        return run_service(form, lambda: services.corrective_action_create(
            actor=user, flag=flag, description=cd["description"], owner=cd["owner"], due_date=cd["due_date"]))
    action = flag.actions.filter(pk=forms["bound_action_id"]).first() if forms["bound_action_id"] else None
    if step == "uppfoljning" and action and forms["follow_up"].is_valid():
        form = forms["follow_up"]
        return run_service(form, lambda: services.corrective_action_follow_up(
            actor=user, action=action, note=form.cleaned_data["note"]))
    if step == "klar" and action and forms["complete"].is_valid():
        form = forms["complete"]
        return run_service(form, lambda: services.corrective_action_complete(
            actor=user, action=action, outcome=form.cleaned_data["outcome"]))
    return None


DONE = {
    "kvittera": "Flaggan är kvitterad.",
    "avsluta": "Flaggan är avslutad.",
    "atgard": "Åtgärden är sparad.",
    "uppfoljning": "Uppföljningen är sparad.",
    "klar": "Åtgärden är avslutad med sitt resultat.",
}


@login_required
@role_required(*WORKLIST_ROLES)
def flag_detail(request, pk: int):
    scope = flags_for(request.user).select_related("rule", "person", "responsible", "unit", "escalated_to")
    flag = get_object_or_404(
        scope.prefetch_related(_ACTIONS, Prefetch("transitions", queryset=FlagTransition.objects.select_related("actor"))),
        pk=pk,
    )
    status = 200
    step = request.POST.get("steg") if request.method == "POST" else None
    action_id = request.POST.get("atgard_id") if step in ("uppfoljning", "klar") else None
    forms = _forms(request.user, request.POST if step else None, step, action_id)
    if step:
        if _run_step(request.user, flag, step, forms, request.POST):
            messages.success(request, DONE[step])
            return redirect("flag-detail", pk=flag.pk)
        status = error_status(request)
    log_persons(request.user, "audit.flag", [flag], lambda f: f.person_id)
    context = {
        "flag": flag, "forms": forms, "step": step, "nav": "flags",
        "can_acknowledge": flag.status == FlagStatus.OPEN,
        "can_plan": flag.status in LIVE_FLAG_STATUSES,
        "can_close": flag.status in (FlagStatus.ACKNOWLEDGED, FlagStatus.ACTION_PLANNED),
        "planned": ActionStatus.PLANNED,
        "rechecked_when": reevaluation.facts_in_words(flag.rule.code),
        "causes": causes(flag),
        "days_open": (timezone.localdate() - flag.first_seen).days,
    }
    return render(request, "audit/flag_detail.html", context, status=status)

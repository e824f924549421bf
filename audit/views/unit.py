"""The unit manager's overview: flags by rule and age, escalations, corrective actions due."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from audit.control_models import LIVE_FLAG_STATUSES, ActionStatus
from audit.selectors import actions_for, flags_for
from config.web_auth import role_required

from .common import MANAGER_ROLES, log_persons

# Age bands of a live flag, in days since first seen: (label, lowest, highest or None).
AGE_BANDS = (("0–7 dagar", 0, 7), ("8–30 dagar", 8, 30), ("31–90 dagar", 31, 90), ("över 90 dagar", 91, None))
# Corrective actions due within this many days are listed with the overdue ones.
ACTIONS_DUE_WITHIN_DAYS = 14


def _by_rule_and_age(user, today: datetime.date) -> list[dict]:
    """Counts only, one query: per rule, how many live flags fall in each age band."""
    bands = {}
    for i, (_, low, high) in enumerate(AGE_BANDS):
        condition = Q(first_seen__lte=today - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(first_seen__gte=today - datetime.timedelta(days=high))
        bands[f"band{i}"] = Count("pk", filter=condition)
    rows = (
        flags_for(user).filter(status__in=LIVE_FLAG_STATUSES)
        .values("rule__code", "rule__title", "rule__severity")
        .annotate(total=Count("pk"), **bands)
        .order_by("-rule__severity", "rule__code")
    )
    return [
        {**row, "bands": [(row[f"band{i}"], low, high) for i, (_, low, high) in enumerate(AGE_BANDS)]} for row in rows
    ]


@login_required
@role_required(*MANAGER_ROLES)
def unit_overview(request):
    user, today = request.user, timezone.localdate()
    escalated = list(
        flags_for(user).filter(escalated_at__isnull=False, status__in=LIVE_FLAG_STATUSES)
        .select_related("rule", "person", "responsible").order_by("escalated_at", "pk")
    )
    due = list(
        actions_for(user).filter(status=ActionStatus.PLANNED, due_date__lte=today + datetime.timedelta(days=ACTIONS_DUE_WITHIN_DAYS))
        .select_related("flag__rule", "flag__person", "sample_answer__item__person", "sample_answer__item__sample")
    )
    log_persons(user, "audit.flag", escalated, lambda f: f.person_id)
    log_persons(
        user, "audit.correctiveaction", due,
        lambda a: a.flag.person_id if a.flag_id else a.sample_answer.item.person_id,
    )
    context = {
        "by_rule": _by_rule_and_age(user, today), "bands": [b[0] for b in AGE_BANDS], "escalated": escalated,
        "due": due, "today": today, "due_days": ACTIONS_DUE_WITHIN_DAYS, "nav": "unit",
    }
    return render(request, "audit/unit_overview.html", context)

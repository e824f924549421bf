"""The unit manager's overview: flags by rule and age, escalations, corrective actions due.

Thin: the reads are audit.control.selectors'; the bands and the due window are how the page presents them."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from audit.control.selectors import actions_due, flag_counts_by_rule_and_age, flags_escalated
from audit.control.views.common import MANAGER_ROLES, log_persons
from config.web_auth import role_required

# Age bands of a live flag, in days since first seen: (label, lowest, highest or None).
AGE_BANDS = (("0–7 dagar", 0, 7), ("8–30 dagar", 8, 30), ("31–90 dagar", 31, 90), ("över 90 dagar", 91, None))
# Corrective actions due within this many days are listed with the overdue ones.
ACTIONS_DUE_WITHIN_DAYS = 14


def _by_rule_and_age(user, today: datetime.date) -> list[dict]:
    rows = flag_counts_by_rule_and_age(user=user, today=today, bands=[(low, high) for _, low, high in AGE_BANDS])
    return [
        {**row, "bands": [(row[f"band{i}"], low, high) for i, (_, low, high) in enumerate(AGE_BANDS)]} for row in rows
    ]


@login_required
@role_required(*MANAGER_ROLES)
def unit_overview(request):
    user, today = request.user, timezone.localdate()
    escalated = list(flags_escalated(user=user))
    due = list(actions_due(user=user, by=today + datetime.timedelta(days=ACTIONS_DUE_WITHIN_DAYS)))
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

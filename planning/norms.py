"""The planning norms, in one place. Each can be overridden from Django settings:

    PLANNING_NORMS = {"plan_validity_months": 12, "required_checkpoints": [...]}

Read at call time (not import time), so a changed setting applies at once.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings

DEFAULTS = {
    # Plan validity: a genomförandeplan is valid 6 months (DOMAIN.md section 3; seed 004:524-527).
    "plan_validity_months": 6,
    # Follow-up interval: every participant is followed up once a month (DOMAIN.md section 3;
    # seed 004:347-349 and 004:478). Used as the default next follow-up date.
    "follow_up_interval_months": 1,
    # The auditors' check "followed up within 6 months?" (seed 004:620-623, 004:864-933) is
    # judged against each plan's own validity (valid_until, fixed at signing from the norm above).
    # Checkpoints a plan must pass before it can be signed (DOMAIN.md sections 2.4 and 4;
    # the plan routine, seed 004:527-537: time-bound, who is responsible for what, measurable
    # goals, who took part, the person's views, the latest follow-up date). Codes are those of
    # planning.quality.CHECKPOINTS; "followed_up_within_6_months" can only be judged later.
    "required_checkpoints": [
        "time_bound",
        "follow_up_date",
        "responsible_named",
        "participation_recorded",
        "long_term_goal",
        "sub_goals",
        "activities",
    ],
}


def norm(name: str):
    overrides = getattr(settings, "PLANNING_NORMS", None) or {}
    return overrides.get(name, DEFAULTS[name])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def plan_valid_until(made_on: datetime.date) -> datetime.date:
    return add_months(made_on, norm("plan_validity_months"))


def default_next_follow_up(followed_up_on: datetime.date) -> datetime.date:
    return add_months(followed_up_on, norm("follow_up_interval_months"))


def required_checkpoints() -> frozenset[str]:
    return frozenset(norm("required_checkpoints"))

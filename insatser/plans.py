"""The one place insatser asks planning for a person's current genomförandeplan."""

from __future__ import annotations

import datetime

from planning.selectors import current_plan as _planning_current_plan


def current_plan(*, applicant_id: int, on: datetime.date):
    """The person's signed plan in force on `on`, or None (planning decides what 'current' means)."""
    return _planning_current_plan(applicant_id, on)

"""Checks on a participation's weekly schedule against the person's other participations.

Pure functions over rows already loaded (one query by the caller), so services stay short.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from .models import WEEKDAY_FIELDS


def weekly_total(hours: dict) -> Decimal:
    return sum((Decimal(hours.get(name) or 0) for name in WEEKDAY_FIELDS), Decimal(0))


def overlaps(start: datetime.date, end: datetime.date, other_start: datetime.date, other_end: datetime.date) -> bool:
    return start <= other_end and other_start <= end


def peak_concurrent_hours(
    *, start: datetime.date, end: datetime.date, own_hours: Decimal, others: Iterable[tuple[datetime.date, datetime.date, Decimal]]
) -> Decimal:
    """The largest weekly total the person would have on any day of [start, end].

    `others` are (start, last day, weekly hours) of the person's other active participations.
    The total only changes where some period starts, so checking those days is enough.
    """
    others = [o for o in others if overlaps(start, end, o[0], o[1])]
    checkpoints = {start} | {max(o[0], start) for o in others}
    peak = own_hours
    for day in checkpoints:
        total = own_hours + sum((h for s, e, h in others if s <= day <= e), Decimal(0))
        peak = max(peak, total)
    return peak

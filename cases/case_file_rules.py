"""Rules of the case file that a municipality may set differently: transfers and reserve numbers.

Read at call time from settings (config/settings/base.py, environment variables), so a changed
setting applies at once; nothing copies them into module constants elsewhere.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def transfer_max_days_ahead() -> int:
    """How far ahead a transfer (överflyttning) may be planned, in days. A case moves to another
    caseworker or unit on a date, and who was responsible when must stay visible (DOMAIN.md 8);
    a move agreed for next week is recorded now, but a date far ahead is a typing error.
    CASE_TRANSFER_MAX_DAYS_AHEAD, 14 by default; 0 allows no planned transfers."""
    return int(settings.CASE_TRANSFER_MAX_DAYS_AHEAD)


def reserve_number_format() -> str:
    """The pattern of a reservnummer (DOMAIN.md 8: its format differs between organisations).

    RESERVE_NUMBER_FORMAT, a Python format string with {year} (optional) and {sequence} (required),
    "R{year}{sequence:06d}" by default (R2026000001). The sequence counts per value of everything
    but the sequence (so per year when {year} is used). Every number made is checked never to be a
    valid personnummer or samordningsnummer (cases.reserve_number_services), so the two cannot
    collide; a pattern of only digits is allowed but that check then refuses the numbers it would
    collide with.
    """
    pattern = str(settings.RESERVE_NUMBER_FORMAT)
    if "{sequence" not in pattern:
        raise ImproperlyConfigured("RESERVE_NUMBER_FORMAT must contain {sequence}.")
    return pattern


# A reservnummer is stored as issued; this is the column's width (the default pattern makes 11).
RESERVE_NUMBER_MAX_LENGTH = 20

"""Limits of the access-log review (loggkontroll), in one place. DOMAIN.md 7: everything about a
person is secret, every read is logged and the logs are reviewed systematically; how much
reading is unusual and what working hours are is the municipality's choice (the defaults below
are a starting point, not law). Override with AUDIT_LOG_REVIEW_NORMS in settings; an
administrator changes each rule's value as a rule parameter.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # Days back from the run date that the review rules look at (the nightly run covers yesterday
    # with a margin, so a missed night is still reviewed).
    "LOOKBACK_DAYS": 7,
    # A staff member reading more distinct persons than this in one day is flagged.
    "MAX_DISTINCT_PERSONS_PER_DAY": 60,
    # Working hours, local time (Europe/Stockholm): reads before the first or from the second hour
    # on, or on Saturday and Sunday, are flagged.
    "WORK_START_HOUR": 7,
    "WORK_END_HOUR": 19,
    # A staff member refused (401/403/404 on a personal route) more often than this in a day.
    "MAX_REFUSED_PER_DAY": 10,
}


def norm(key: str) -> int:
    return int({**DEFAULTS, **getattr(settings, "AUDIT_LOG_REVIEW_NORMS", {})}[key])


# Gallring (DOMAIN.md 7, SoL 16 kap.): a person's records are purged this many years after the
# last entry in their file, by the end of the following calendar year. The yearly run in January
# purges every file whose last entry is before 1 January of (this year - RETENTION_YEARS): those
# reached their five years during last year at the latest, so each goes within its deadline.
RETENTION_YEARS = 5

"""The egenkontroll norms that a municipality may set, in one place. Override in settings:

    AUDIT_CONTROL_NORMS = {"CONTROL_OWNER_UNIT": "kvalitet", "MAX_DISTINCT_PERSONS_PER_DAY": 80}

Read at call time (never copied into module constants elsewhere), so a changed setting applies at once.
The access-log review limits can also be set apart as AUDIT_LOG_REVIEW_NORMS; an administrator
changes each review rule's value as a rule parameter.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Every finding has someone who must act on it (DOMAIN.md 4; 004:89-90, 652-657). The
    # ownership chain (audit/control/rules/ownership.py) ends with the manager of the unit that
    # registered the person; a finding the chain still cannot place goes to the manager of this
    # unit (its code), the municipality's owner of the egenkontroll. None: no such unit, and
    # such a finding stays with its unit and is shown as having no responsible person.
    "CONTROL_OWNER_UNIT": None,
    # Access-log review (loggkontroll), DOMAIN.md 7: everything about a person is secret, every
    # read is logged and the logs are reviewed systematically; how much reading is unusual and
    # what working hours are is the municipality's choice (these are a starting point, not law).
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


def norm(name: str):
    if name not in DEFAULTS:
        raise KeyError(f"Okänd norm: {name}")
    overrides = {
        **(getattr(settings, "AUDIT_LOG_REVIEW_NORMS", None) or {}),
        **(getattr(settings, "AUDIT_CONTROL_NORMS", None) or {}),
    }
    return overrides.get(name, DEFAULTS[name])


# Gallring (DOMAIN.md 7, SoL 16 kap.): a person's records are purged this many years after the
# last entry in their file, by the end of the following calendar year. The yearly run in January
# purges every file whose last entry is before 1 January of (this year - RETENTION_YEARS): those
# reached their five years during last year at the latest, so each goes within its deadline.
RETENTION_YEARS = 5

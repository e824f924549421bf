"""Thresholds the board reports 1-3 count by, in one place (DOMAIN.md section 5).

Each can be overridden from settings, read at call time:

    AUDIT_REPORT_NORMS = {"LONG_TERM_MIN_MONTHS": 10}
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Long-term recipients: försörjningsstöd in 10-12 of the last 12 months (DOMAIN.md 5;
    # annual report 000:2777, "52 % of adult recipients in 2023").
    "LONG_TERM_MIN_MONTHS": 10,
    "LONG_TERM_WINDOW_MONTHS": 12,
    # The Insats & Matchning unit whose participants are a key figure (DOMAIN.md 5; 004:336-346).
    # Unit codes are data; a municipality naming the unit differently changes it here.
    "INSATS_MATCHNING_UNIT_CODE": "insats-matchning",
    # Exemption (avsteg) length bands in days, upper bounds inclusive; the last band is open.
    # Not in the seeds: chosen to match the decision period (6 months, DOMAIN.md 3, 004:567).
    "EXEMPTION_LENGTH_BANDS_DAYS": [31, 92, 183],
}


def norm(name: str):
    overrides = getattr(settings, "AUDIT_REPORT_NORMS", None) or {}
    if name not in DEFAULTS:
        raise KeyError(f"Okänd rapportnorm: {name}")
    return overrides.get(name, DEFAULTS[name])

"""Choices of the board reports that a municipality may set differently, in one place.

The legal time limit of the unexecuted-decision report (3 months) is a rule of law and lives
with the decisions: cases.norms.UNEXECUTED_REPORT_AFTER_MONTHS (DOMAIN.md 3; 003:304-314).
"""

from __future__ import annotations

from django.conf import settings

# Small-cell suppression in statistics for the board and kommunfullmäktige. 003:320-322 (the
# preparatory works of SoL 16 kap. 6 h §, now 34 kap.): the report to fullmäktige must not make it
# possible to work out which persons the decisions concern. The method is the threshold rule of
# statistical disclosure control for frequency tables: a count of 1..threshold-1 is not shown,
# and a second cell is hidden when otherwise the first could be computed from the total. The
# value is a municipal choice (no figure in the seeds or DOMAIN.md); 5 is a common choice in
# Swedish public statistics. Set BOARD_REPORT_SUPPRESSION_THRESHOLD in settings to change it.
DEFAULT_SUPPRESSION_THRESHOLD = 5


def suppression_threshold() -> int:
    value = int(getattr(settings, "BOARD_REPORT_SUPPRESSION_THRESHOLD", DEFAULT_SUPPRESSION_THRESHOLD))
    if value < 2:
        raise ValueError("BOARD_REPORT_SUPPRESSION_THRESHOLD must be at least 2 (1 would hide nothing).")
    return value


# Time elapsed since the decision (or the interruption), in months, for the fullmäktige report
# (003:316-318 asks "hur lång tid som har förflutit från dagen för respektive beslut"; the bands
# are a municipal choice). The first band starts at the legal limit; the last is open-ended.
UNEXECUTED_ELAPSED_BANDS_MONTHS = (6, 12)

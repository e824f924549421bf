"""Small-cell suppression for one-way frequency tables shown with their total.

Why two cells: a table shows its total, so one hidden cell could be computed as the total minus
the cells shown. When exactly one cell is below the threshold, the smallest other cell is hidden
too (complementary suppression). Zeros are not hidden on their own: "no decision" identifies no
one. The threshold lives in audit/reports/norms.py.
"""

from __future__ import annotations


def suppress(counts: dict[str, int], *, threshold: int) -> dict[str, int | None]:
    """The counts with cells that must not be shown replaced by None (order kept)."""
    hidden = {key for key, n in counts.items() if 0 < n < threshold}
    if len(hidden) == 1 and len(counts) > 1:
        order = list(counts)
        partner = min((k for k in counts if k not in hidden), key=lambda k: (counts[k], order.index(k)))
        hidden.add(partner)
    return {key: (None if key in hidden else n) for key, n in counts.items()}

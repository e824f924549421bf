"""Numbers and counts as Swedish readers expect them, for pages, PDFs and CSV files.

Decimal comma, a (non-breaking) space between thousands, "kr" after amounts, percentages with one
decimal, and the singular after 1 ("1 dag", "2 dagar"). Spreadsheets keep the value and get a
number format instead (audit/reports/render/xlsx.py).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def number(value, decimals: int | None = None) -> str:
    """12345.5 -> "12 345,5"; `decimals` fixes the number of decimals (None: as many as the value has,
    at most two, without trailing zeros)."""
    if value is None or value == "":
        return "–"
    d = Decimal(str(value))
    if decimals is None:
        d = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        decimals = max(0, -d.as_tuple().exponent)
    d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "−" if d < 0 else ""
    whole, _, fraction = f"{abs(d):f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = NBSP.join([whole, *groups])
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def kr(value) -> str:
    return "–" if value is None or value == "" else f"{number(value, 0)}{NBSP}kr"


def percent(value) -> str:
    return "–" if value is None or value == "" else f"{number(value, 1)}{NBSP}%"


def count(n, singular: str, plural: str) -> str:
    """count(1, "dag", "dagar") -> "1 dag"; count(3, ...) -> "3 dagar"."""
    return f"{number(n)} {singular if n == 1 else plural}"


def plain_number(value) -> str:
    """For CSV: a decimal comma, no thousands separator (what a Swedish spreadsheet reads as a number)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    return number(value).replace(NBSP, "")

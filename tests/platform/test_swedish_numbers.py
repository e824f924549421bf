"""Swedish numbers (config.swedish): decimal comma, space between thousands, kr, one-decimal percent."""

from decimal import Decimal

import pytest

from config import swedish


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (12345.5, None, "12\u00a0345,5"), (1.25, None, "1,25"), (3, None, "3"), (0.8, None, "0,8"),
    (Decimal("1234567.891"), 1, "1\u00a0234\u00a0567,9"), (-1500, 0, "−1\u00a0500"), (999, None, "999"),
])
def test_number(value, decimals, text):
    assert swedish.number(value, decimals) == text


def test_kr_percent_count_and_csv():
    assert swedish.kr(9800) == "9\u00a0800\u00a0kr"
    assert swedish.percent(52) == "52,0\u00a0%"
    assert swedish.count(1, "aktivitet", "aktiviteter") == "1 aktivitet"
    assert swedish.count(2, "aktivitet", "aktiviteter") == "2 aktiviteter"
    assert swedish.plain_number(1234.5) == "1234,5"
    assert swedish.plain_number(None) == ""
    assert swedish.number(None) == "–"

"""insatser.norms: the matching group of an arbetsmarknadsanställning (004:289-293)."""

import datetime

from insatser import norms


def test_matching_starts_two_months_into_an_employment_and_follows_the_override(settings):
    start = datetime.date(2026, 1, 31)
    assert norms.matching_from_for(start, insats_type="labour_market_employment") == datetime.date(2026, 3, 31)
    assert norms.matching_from_for(start, insats_type="temporary") is None
    settings.INSATSER_NORMS = {"EMPLOYMENT_MATCHING_AFTER_MONTHS": 1}
    assert norms.matching_from_for(start, insats_type="labour_market_employment") == datetime.date(2026, 2, 28)

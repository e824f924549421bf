import datetime

from planning import norms

D = datetime.date


def test_add_months_clamps_to_month_end():
    assert norms.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert norms.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert norms.add_months(D(2024, 9, 30), 6) == D(2025, 3, 30)
    assert norms.add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)


def test_defaults_follow_domain_and_settings_override(settings):
    assert norms.plan_valid_until(D(2025, 3, 1)) == D(2025, 9, 1)
    assert norms.default_next_follow_up(D(2025, 3, 1)) == D(2025, 4, 1)
    assert "followed_up_within_6_months" not in norms.required_checkpoints()
    settings.PLANNING_NORMS = {"follow_up_interval_months": 2, "required_checkpoints": ["sub_goals"]}
    assert norms.default_next_follow_up(D(2025, 3, 1)) == D(2025, 5, 1)
    assert norms.required_checkpoints() == {"sub_goals"}

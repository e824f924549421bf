"""Loading a year's riksnorm from JSON, and the demo's unofficial norm."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import ChangeEvent
from cases import calculation, demo, demo_finance, demo_finance_history
from cases import finance_selectors as fs
from cases.finance_models import Application, Decision, RiksnormHouseholdAmount, RiksnormPersonalAmount, RiksnormTable

pytestmark = pytest.mark.django_db


def table_json(**overrides):
    data = {
        "name": "Riksnorm 2030", "valid_from": "2030-01-01", "valid_to": "2030-12-31", "is_official": True,
        "source": "SFS 2029:000", "single_adult": 5000, "cohabiting_couple": 9000, "shared_per_member_beyond_7": 200,
        "personal_amounts": [{"age_from": a, "age_to": b, "amount": 3000 + a} for a, b in
                             [(0, 0), (1, 2), (3, 3), (4, 6), (7, 10), (11, 14), (15, 18), (19, 20)]],
        "household_amounts": [1500, 1600, 1900, 2100, 2400, 2700, 2900],
    }
    data.update(overrides)
    return data


def load(tmp_path, data, actor="admin"):
    path = tmp_path / "norm.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_riksnorm", str(path), "--actor", actor)


def test_an_administrator_loads_a_year_and_it_is_used(tmp_path, administrator):
    load(tmp_path, table_json())
    table = fs.norm_table_for(datetime.date(2030, 6, 1))
    assert table.name == "Riksnorm 2030" and table.is_official
    assert fs.norm_data(table).shared[7][1] == 2900
    assert ChangeEvent.objects.filter(action="riksnorm.load", actor_id=administrator.pk).exists()


@pytest.mark.parametrize(
    "override",
    [
        {"personal_amounts": [{"age_from": 0, "age_to": 10, "amount": 1}]},  # does not reach 20
        {"household_amounts": [1, 2, 3]},
        {"single_adult": "5000.50"},
        {"valid_from": "2023-06-01"},  # overlaps the shipped official 2023 table
    ],
)
def test_a_bad_table_is_refused_and_nothing_written(tmp_path, administrator, override):
    before = (RiksnormTable.objects.count(), RiksnormPersonalAmount.objects.count(), RiksnormHouseholdAmount.objects.count())
    with pytest.raises(CommandError):
        load(tmp_path, table_json(**override))
    assert before == (RiksnormTable.objects.count(), RiksnormPersonalAmount.objects.count(),
                      RiksnormHouseholdAmount.objects.count())


def test_only_an_administrator_loads_norms(tmp_path, caseworker):
    with pytest.raises(CommandError, match="administratör"):
        load(tmp_path, table_json(), actor=caseworker.username)
    assert not RiksnormTable.objects.filter(name="Riksnorm 2030").exists()


def test_shipped_years_are_2019_and_2023_only():
    assert set(RiksnormTable.objects.filter(is_official=True).values_list("valid_from__year", flat=True)) == {2019, 2023}
    assert fs.norm_table_for(datetime.date(2024, 1, 1)) is None


def test_demo_adds_an_unofficial_norm_and_decisions_that_say_so():
    ctx = demo.DemoContext(seed=7, today=datetime.date(2026, 3, 15))
    demo.build(ctx)
    demo_finance.build(ctx)
    # Through the services: at most the chosen cases' last months; before them, the set-based
    # history, bounded by its number of cases (neither grows with the municipality).
    service_from = calculation.add_months(ctx.today.replace(day=1), -demo_finance.MONTHS_BACK)
    months = demo_finance.MONTHS_BACK + 1
    service_built = Application.objects.filter(case__in=ctx.extra["finance_cases"], month__gte=service_from)
    assert 0 < service_built.count() <= demo_finance.CASES_WITH_APPLICATIONS * months
    history_months = calculation.months_between(demo.history_start(ctx.today), ctx.today) + 1
    assert Application.objects.count() <= service_built.count() + demo_finance_history.HISTORY_CASES * history_months
    assert Application.objects.filter(month__lt=service_from).exists()
    assert Application.objects.filter(status="received").count() >= 1  # this month's, not yet decided
    assert fs.unexecuted_decisions(as_of=ctx.today).exists()
    assert fs.interrupted_not_resumed(as_of=ctx.today).exists()
    table = RiksnormTable.objects.get(is_official=False)
    assert "EJ OFFICIELL" in table.name and "EJ OFFICIELL" in table.source
    decisions = Decision.objects.filter(item_kind="income_support")
    assert decisions.exists()
    assert not decisions.filter(norm_is_official=True).exists()

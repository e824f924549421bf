"""A cost applied for counts in the calculation only once it is approved (README: "approved
reasonable costs"); what was applied for is kept beside it and gives the requested amount."""

import datetime

import pytest

from cases import calculation as calc
from cases import finance_selectors as fs

pytestmark = pytest.mark.django_db


def _calculate(costs):
    return calc.calculate(
        month=datetime.date(2019, 3, 1), norm=fs.norm_data(fs.norm_table_for(datetime.date(2019, 3, 1))),
        members=[calc.MemberInput(member_id=1, role="applicant", birth_date=datetime.date(1985, 6, 1))],
        household_size=1, incomes=[], costs=costs,
    )


def _cost(applied, approved, name):
    return calc.CostInput(cost_type_id=None, type_name=name, counts=True, amount_applied=applied,
                          amount_approved=approved)


def test_an_applied_cost_not_yet_approved_does_not_count():
    # Riksnorm 2019, single adult: 3 090 + 990 = 4 080. Housing 6 000 applied, not yet approved;
    # electricity 300 applied and approved 250.
    result = _calculate([_cost(6000, None, "Boendekostnad"), _cost(300, 250, "Hushållsel")])
    assert result.costs_total == 250
    assert result.result_amount == 4080 + 250
    assert result.requested_amount == 4080 + 6000 + 300
    housing, electricity = [line for line in result.lines if line.kind == "cost"]
    assert (housing.amount, housing.basis) == (0, {"applied": 6000, "approved": None})
    assert "inte prövad" in housing.description
    assert (electricity.amount, electricity.basis) == (250, {"applied": 300, "approved": 250})


def test_a_cost_approved_at_zero_counts_nothing():
    result = _calculate([_cost(6000, 0, "Boendekostnad")])
    assert (result.costs_total, result.result_amount) == (0, 4080)

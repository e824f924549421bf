import datetime

import pytest

from cases.finance_models import (
    Application,
    ApplicationCost,
    ApplicationIncome,
    ApplicationMember,
    Calculation,
    CalculationLine,
    Decision,
    DecisionExecutionEvent,
)
from cases.letter_models import Communication, DecisionDelivery, DecisionLetter
from tests.factories.finance import family_case

WRITTEN = (Application, ApplicationMember, ApplicationIncome, ApplicationCost, Calculation, CalculationLine, Decision,
           DecisionExecutionEvent, Communication, DecisionLetter, DecisionDelivery)


@pytest.fixture
def family(caseworker):
    """Applicant, co-applicant and a child born 2016-10-10, case opened 2019-01-01."""
    return family_case(unit=caseworker.unit)


@pytest.fixture
def counts():
    """Row counts of everything this part writes, plus change events, to assert nothing was written."""
    from audit.models import ChangeEvent

    def take():
        return {model.__name__: model.objects.count() for model in (*WRITTEN, ChangeEvent)}

    return take


@pytest.fixture
def march_2019():
    return datetime.date(2019, 3, 1)

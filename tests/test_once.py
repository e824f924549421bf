"""`tests.once.built_once`: rows built once per module, yet each test sees them as built."""

import pytest

from cases.models import Unit
from tests.factories.cases import UnitFactory
from tests.once import built_once

pytestmark = pytest.mark.django_db


def _two_units():
    return [UnitFactory(code="delad-1").pk, UnitFactory(code="delad-2").pk]


units = built_once(_two_units, name="units")


@pytest.mark.parametrize("run", ["first", "second"])
def test_what_a_test_writes_is_gone_before_the_next(units, run):
    # Both runs find the module's rows as built, then write: were the writes not rolled back per
    # test, the second run would find the first run's changes.
    assert sorted(Unit.objects.filter(code__startswith="delad").values_list("pk", flat=True)) == units
    Unit.objects.filter(pk=units[0]).delete()
    UnitFactory(code="delad-3")
    assert Unit.objects.filter(code__startswith="delad").count() == 2

"""Transactional tests start from the migrations' reference data even when the thread has an event
loop marked running, as Playwright's sync API leaves it in the main thread for the rest of the
session once the browser tests have started (issue 16: every transactional test after them ran on
a database the previous test's flush had emptied).

The two tests run in this order: the first empties the database when it ends (as every
transactional test does), the second must find the reference data reloaded. Both run with the
loop marked running, from before the harness's reset of the first to after the reset of the last.
"""

from __future__ import annotations

import asyncio

import pytest
from django.db import connections

from cases.finance_models import CostType, DelegationPoint, LegalBasis, RiksnormTable

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def event_loop_marked_running(django_db_setup):
    """What Playwright's sync API does between its calls (playwright/_impl/_greenlets.py), with the
    ORM allowed in it as tests/e2e/conftest.py allows it. After the test database is set up, as in
    a whole run, where the browser starts long after."""
    loop = asyncio.new_event_loop()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        asyncio._set_running_loop(loop)
        try:
            yield loop
        finally:
            connections.close_all()  # the connections made in the loop's context, not the thread's
            asyncio._set_running_loop(None)
            loop.close()


def test_a_transactional_test_empties_the_database_when_it_ends():
    assert asyncio.get_running_loop() is not None
    assert CostType.objects.exists()


def test_the_next_one_starts_from_the_reference_data_again():
    assert asyncio.get_running_loop() is not None
    assert CostType.objects.filter(code="housing").exists()
    assert RiksnormTable.objects.exists()
    assert LegalBasis.objects.exists() and DelegationPoint.objects.exists()

"""Fixtures for the control layer: a way to run rules in-process and read the flags back."""

import datetime

import pytest

from audit.control import engine
from audit.control.models import Flag, FlagStatus
from audit.control.rules import REGISTRY

# The cases API fixtures (world, client_for) are used here too.
from tests.cases.conftest import client_for, world  # noqa: F401


@pytest.fixture
def run_rule(db):
    """Run one rule over every subject, in-process, as of a date; returns the live flags' subject ids."""

    def run(code: str, as_of: datetime.date, chunk_size: int = 1000) -> set[int]:
        engine.rules_sync()
        for lo, hi in engine.plan_chunks(REGISTRY[code], chunk_size):
            engine.run_chunk(rule_code=code, lower=lo, upper=hi, as_of=as_of)
        return set(
            Flag.objects.filter(rule__code=code)
            .exclude(status__in=[FlagStatus.RESOLVED, FlagStatus.CLOSED])
            .values_list("subject_id", flat=True)
        )

    return run

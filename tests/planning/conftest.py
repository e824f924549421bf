"""Fixtures for planning: a coordinator with one assigned person, and one person of someone else's."""

import datetime

import pytest
from django.utils import timezone

from tests.factories.cases import CoordinatorAssignmentFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def assignment(coordinator, eb_unit, today):
    return CoordinatorAssignmentFactory(
        coordinator=coordinator, case__unit=eb_unit, start_date=today - datetime.timedelta(days=200)
    )


@pytest.fixture
def person(assignment):
    return assignment.applicant


@pytest.fixture
def other_person(today):
    """Assigned to another coordinator, in another unit's case."""
    return CoordinatorAssignmentFactory(
        case__unit__code="annan-enhet", start_date=today - datetime.timedelta(days=200)
    ).applicant


@pytest.fixture
def browser_client(client, coordinator):
    """The coordinator signed in to the web pages."""
    client.force_login(coordinator)
    return client


@pytest.fixture
def as_coordinator(api_as, coordinator):
    return api_as(coordinator)

"""Helpers shared by the cases API tests."""

from __future__ import annotations

import datetime

from audit.models import AccessLogEntry, ChangeEvent
from cases.models import Applicant, Case, CaseSupportBarrier, CoordinatorAssignment, Household, HouseholdMember
from tests.factories.cases import valid_pnr

ROLES = ("caseworker", "coordinator", "insats_staff", "unit_manager", "board", "administrator", "anonymous")
WRITTEN_MODELS = (
    Applicant, Household, HouseholdMember, Case, CaseSupportBarrier, CoordinatorAssignment, ChangeEvent, AccessLogEntry,
)


def new_pnr(serial: int) -> str:
    """A valid 12-digit personnummer that no factory uses (factories use 1990-05-17)."""
    return valid_pnr(datetime.date(1985, 3, 14), serial)


def row_counts() -> dict[str, int]:
    """Rows per model, to assert that a refused request wrote nothing."""
    return {model.__name__: model.objects.count() for model in WRITTEN_MODELS}


def error_fields(response) -> dict:
    return response.json()["error"].get("fields", {})

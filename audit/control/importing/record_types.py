"""The record types of the import file (format: README, "Import från tidigare verksamhetssystem").

Each type names the fields a record may have, which of them refer to other records (by their
external id, resolved to the row they became), and the app service that writes a batch of them.
They are processed in this order within a batch, so a record may refer to any record on an
earlier line.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from cases.decision_import_services import decisions_import
from cases.import_services import applicants_import, assignments_import, cases_import, households_import
from insatser.import_services import participations_import
from planning.import_services import plans_import


@dataclass(frozen=True)
class Reference:
    """`path` is a field ("person") or a field of each item of a list ("members[].person")."""

    path: str
    kind: str
    required: bool = True

    @property
    def list_name(self) -> str | None:
        return self.path.split("[].")[0] if "[]." in self.path else None

    @property
    def field(self) -> str:
        return self.path.split("[].")[-1]


@dataclass(frozen=True)
class RecordType:
    kind: str
    label: str  # Swedish, for messages
    model: str  # app_label.ModelName of the row a record becomes
    fields: frozenset[str]
    references: tuple[Reference, ...]
    service: Callable


RECORD_TYPES: dict[str, RecordType] = {t.kind: t for t in (
    RecordType("person", "person", "cases.Applicant", frozenset({
        "personal_identity_number", "first_name", "last_name", "street_address", "postal_code", "city", "phone",
        "email", "protected_identity", "unit"}), (), applicants_import),
    RecordType("household", "hushåll", "cases.Household", frozenset({"members"}),
               (Reference("members[].person", "person", required=False),), households_import),
    RecordType("case", "ärende", "cases.Case", frozenset({
        "household", "unit", "caseworker", "opened_on", "opening_way", "closed_on", "closing_reason",
        "support_barriers"}),
        (Reference("household", "household"), Reference("support_barriers[].person", "person")), cases_import),
    RecordType("coordinator_assignment", "koordinatortilldelning", "cases.CoordinatorAssignment", frozenset({
        "case", "person", "coordinator", "start_date", "end_date"}),
        (Reference("case", "case"), Reference("person", "person")), assignments_import),
    RecordType("plan", "genomförandeplan", "planning.ImplementationPlan", frozenset({
        "person", "case", "made_on", "status", "made_by", "valid_until", "areas_to_maintain", "areas_to_change",
        "long_term_goal", "participants", "participation_recorded", "person_views", "latest_follow_up_on",
        "follow_up_method", "subgoals", "activities", "follow_ups"}),
        (Reference("person", "person"), Reference("case", "case", required=False)), plans_import),
    RecordType("decision", "beslut", "cases.Decision", frozenset({
        "case", "month", "received_on", "item_kind", "cost_type", "outcome", "amount_applied", "amount",
        "legal_basis", "delegation_point", "decided_by", "decided_on", "reasoning", "execution_events"}),
        (Reference("case", "case"),), decisions_import),
    RecordType("participation", "deltagande", "insatser.Participation", frozenset({
        "person", "plan", "insats", "referred_on", "start_date", "decision_period_end", "end_date",
        "closing_reason", "closing_text", "hours", "referred_by", "closed_by", "confirmed_by"}),
        (Reference("person", "person"), Reference("plan", "plan")), participations_import),
)}

# Fields holding a date (YYYY-MM-DD), at any depth; `month` also takes YYYY-MM.
DATE_FIELDS = frozenset({
    "opened_on", "closed_on", "valid_from", "valid_to", "start_date", "end_date", "birth_date", "made_on",
    "latest_follow_up_on", "valid_until", "target_date", "starts_on", "ends_on", "followed_up_on",
    "next_follow_up_on", "decided_on", "received_on", "occurred_on", "referred_on", "decision_period_end", "month",
})


class BadDate(ValueError):
    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def _date(name: str, value, path: str) -> datetime.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadDate(path)
    try:
        if name == "month" and len(value) == 7:
            return datetime.date.fromisoformat(f"{value}-01")
        if len(value) != 10:
            raise ValueError(value)
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadDate(path) from None


def parse_dates(value, path: str = ""):
    """A copy of a record with every date field a date; BadDate names the first field that is not one."""
    if isinstance(value, dict):
        return {k: _date(k, v, f"{path}{k}") if k in DATE_FIELDS else parse_dates(v, f"{path}{k}.")
                for k, v in value.items()}
    if isinstance(value, list):
        base = path[:-1] if path.endswith(".") else path
        return [parse_dates(v, f"{base}[{i}].") for i, v in enumerate(value)]
    return value

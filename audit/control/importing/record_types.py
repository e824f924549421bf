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


# Fields of other JSON types; every other field is text (a string or null).
LIST_FIELDS = frozenset({"members", "support_barriers", "subgoals", "activities", "follow_ups", "execution_events"})
BOOL_FIELDS = frozenset({"protected_identity", "participation_recorded", "follows_plan"})
NUMBER_FIELDS = frozenset({"amount_applied", "amount", "subgoal_index"})
REFERENCE_FIELDS = frozenset({"person", "household", "case", "plan"})


class BadValue(ValueError):
    """A field of the wrong JSON type: `path` names it (e.g. "subgoals[0].target_date")."""

    def __init__(self, path: str, code: str, message: str):
        super().__init__(path)
        self.path, self.code, self.message = path, code, message


def _date(name: str, value, path: str) -> datetime.date | None:
    if value is None:
        return None
    bad = BadValue(path, "invalid_date", "Ange datum som ÅÅÅÅ-MM-DD.")
    if not isinstance(value, str):
        raise bad
    try:
        if name == "month" and len(value) == 7:
            return datetime.date.fromisoformat(f"{value}-01")
        if len(value) != 10:
            raise ValueError(value)
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise bad from None


def _value(name: str, value, path: str):
    if name in DATE_FIELDS:
        return _date(name, value, path)
    if value is None:
        return None
    if name in LIST_FIELDS:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise BadValue(path, "invalid", "Ange en lista av objekt.")
        return [{k: _value(k, v, f"{path}[{i}].{k}") for k, v in item.items()} for i, item in enumerate(value)]
    if name == "partners":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadValue(path, "invalid", "Ange en lista av koder.")
        return value
    if name == "hours":
        if not isinstance(value, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                  for v in value.values()):
            raise BadValue(path, "invalid", "Ange timmar per veckodag, t.ex. {\"monday\": 8}.")
        return value
    if name in BOOL_FIELDS:
        if not isinstance(value, bool):
            raise BadValue(path, "invalid", "Ange true eller false.")
        return value
    if name in NUMBER_FIELDS:
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadValue(path, "invalid", "Ange ett heltal.")
        return value
    if name in REFERENCE_FIELDS and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # an external id may be a number, as `external_id` itself
    if not isinstance(value, str):
        raise BadValue(path, "invalid", "Ange text.")
    return value


def parse_values(record: dict) -> dict:
    """A copy of a record with every date a date and every field of its JSON type; BadValue names the first
    field that is not."""
    return {k: _value(k, v, k) for k, v in record.items()}

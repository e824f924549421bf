"""Bad input in an import file: each is refused naming the line, the record and the field, and
nothing is written (unless the caller asks to import the valid records)."""

from __future__ import annotations

import copy

import pytest

from audit.control.importing.models import ImportedRecord
from audit.recording.models import AccessLogEntry, ChangeEvent
from cases.finance_models import Decision
from cases.models import Applicant, Case, Household
from planning.models import ImplementationPlan

from .conftest import example_records, jsonl

pytestmark = pytest.mark.django_db


def _with(line: int, path: str, value):
    """The example file with one value changed (line is 1-based, path like 'members.0.role')."""
    records = copy.deepcopy(example_records())
    target = records[line - 1]
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return records


def _nothing_written():
    return not any(m.objects.exists() for m in (Applicant, Household, Case, ImplementationPlan, ImportedRecord,
                                                 ChangeEvent, AccessLogEntry))


BAD = [
    pytest.param(_with(1, "personal_identity_number", example_records()[0]["personal_identity_number"][:-1] + "0"),
                 1, "P-1", "personal_identity_number", "invalid_checksum", id="personnummer failing Luhn"),
    pytest.param(_with(5, "support_barriers.0.barrier", "arbetslos"), 5, "C-1", "support_barriers[0].barrier",
                 "unknown_code", id="unknown barrier"),
    pytest.param(_with(9, "legal_basis", "sol-99-1"), 9, "B-1", "legal_basis", "unknown_code",
                 id="unknown legal basis"),
    pytest.param(_with(10, "insats", "Okänd insats"), 10, "D-1", "insats", "unknown_code", id="unknown insats"),
    pytest.param(_with(5, "closing_reason", "vann-pa-lotto"), 5, "C-1", "closing_reason", "unknown_code",
                 id="unknown closing reason"),
    pytest.param(_with(10, "closing_reason", "lottery"), 10, "D-1", "closing_reason", "unknown_code",
                 id="unknown participation closing reason"),
    pytest.param(_with(9, "delegation_point", "EB-99"), 9, "B-1", "delegation_point", "unknown_code",
                 id="unknown delegation point"),
    pytest.param(_with(4, "members.0.role", "grandparent"), 4, "H-1", "members[0].role", "unknown_code",
                 id="unknown member role"),
    pytest.param(_with(8, "activities.0.partners", ["nasa"]), 8, "GP-2", "activities[0].partners", "unknown_code",
                 id="unknown partner"),
    pytest.param(_with(5, "closed_on", "2022-12-31"), 5, "C-1", "closed_on", "period_backwards",
                 id="case closed before opened"),
    pytest.param(_with(4, "members.1.valid_to", "2022-01-01"), 4, "H-1", "members[1].valid_to", "period_backwards",
                 id="member period backwards"),
    pytest.param(_with(6, "end_date", "2023-01-01"), 6, "A-1", "end_date", "period_backwards",
                 id="assignment backwards"),
    pytest.param(_with(8, "latest_follow_up_on", "2023-01-01"), 8, "GP-2", "latest_follow_up_on",
                 "period_backwards", id="plan follow-up date before plan"),
    pytest.param(_with(9, "execution_events.0.occurred_on", "2023-01-01"), 9, "B-1",
                 "execution_events[0].occurred_on", "period_backwards", id="executed before decided"),
    pytest.param(_with(10, "end_date", "2023-08-01"), 10, "D-1", "end_date", "period_backwards",
                 id="participation ends before start"),
    pytest.param(_with(7, "person", "P-99"), 7, "GP-1", "person", "not_found", id="plan for a person not in the file"),
    pytest.param(_with(2, "external_id", "P-1"), 2, "P-1", "external_id", "duplicate", id="duplicate external id"),
    pytest.param(_with(3, "personal_identity_number", example_records()[0]["personal_identity_number"]), 3, "P-3",
                 "personal_identity_number", "duplicate", id="duplicate personnummer"),
    pytest.param(_with(8, "made_on", "2023-13-01"), 8, "GP-2", "made_on", "invalid_date", id="not a date"),
    pytest.param(_with(10, "plan", "GP-9"), 10, "D-1", "plan", "not_found", id="participation on a plan not in the file"),
    pytest.param(_with(8, "subgoals.0.measure", ""), 8, "GP-2", "subgoals[0].measure", "required",
                 id="sub-goal that cannot be measured"),
    pytest.param(_with(9, "amount", 500), 9, "B-1", "amount", "amount_outcome", id="amount not matching outcome"),
    pytest.param(_with(4, "members", "P-1"), 4, "H-1", "members", "invalid", id="members not a list"),
    pytest.param(_with(1, "first_name", 42), 1, "P-1", "first_name", "invalid", id="a name that is not text"),
    pytest.param(_with(8, "follow_ups.0.follows_plan", "ja"), 8, "GP-2", "follow_ups[0].follows_plan", "invalid",
                 id="follows_plan not true or false"),
    pytest.param(_with(8, "subgoals.0.target_date", "20-12-2023"), 8, "GP-2", "subgoals[0].target_date",
                 "invalid_date", id="a nested date in another format"),
    pytest.param(_with(1, "colour", "blue"), 1, "P-1", "colour", "unknown_field", id="unknown field"),
    pytest.param(_with(1, "type", "pet"), 1, "P-1", "type", "unknown_code", id="unknown record type"),
]


@pytest.mark.parametrize(("records", "line", "external_id", "field", "code"), BAD)
def test_bad_input_is_refused_naming_line_record_and_field_and_nothing_is_written(
        run_import, records, line, external_id, field, code):
    result = run_import(records)
    assert not result.written and _nothing_written()
    first = result.refusals[0]
    assert (first.line, first.external_id, first.field, first.code) == (line, external_id, field, code), \
        result.refusals
    assert first.message and not first.message.startswith("[")


def test_a_record_refers_only_to_earlier_lines(run_import):
    records = example_records()
    records.insert(0, records.pop(6))  # the first plan before its person
    result = run_import(records, batch_size=100)
    plan = next(r for r in result.refusals if r.external_id == "GP-1")
    assert (plan.line, plan.field, plan.code) == (1, "person", "not_found")


def test_every_refusal_is_reported_not_only_the_first(run_import):
    records = _with(1, "personal_identity_number", "19850314-0000")
    records[2]["unit"] = "okand-enhet"
    result = run_import(records)
    by_id = {}
    for r in result.refusals:
        by_id.setdefault(r.external_id, set()).add((r.field, r.code))
    assert ("personal_identity_number", "invalid_checksum") in by_id["P-1"] and ("unit", "unknown_code") in by_id["P-3"]
    # What depended on the refused person is refused too, naming the reference.
    assert by_id["GP-1"] == {("person", "not_found"), ("case", "not_found")}


def test_accept_valid_imports_the_valid_records_and_reports_the_refused(run_import):
    records = _with(9, "legal_basis", "sol-99-1")
    result = run_import(records, accept_valid=True)
    assert result.written and result.refused == 1
    assert result.refusals[0].external_id == "B-1"
    assert ImplementationPlan.objects.count() == 2
    assert not ImportedRecord.objects.filter(external_id="B-1").exists()


def test_a_line_that_is_not_json_is_refused_by_its_number(import_world):
    from audit.control.importing.runner import import_records

    lines = jsonl(example_records()[:1]) + ["{not json\n"]
    result = import_records(actor=import_world["admin"], lines=lines, source="gamla-systemet")
    assert (result.refusals[0].line, result.refusals[0].field, result.refusals[0].code) == (
        2, "__line__", "invalid_json")
    assert not Applicant.objects.exists()


def test_a_decision_may_name_either_laws_code_and_cites_the_one_in_force_on_its_date(run_import):
    records = _with(9, "legal_basis", "sol-2001-4-1")
    records[8]["decided_on"] = "2025-09-01"
    records[8]["execution_events"] = []
    result = run_import(records)
    # sol-2001-4-1 names the provision, and SoL (2025:400) 12 kap. 1 § replaces it from 1 July 2025.
    assert result.written, result.refusals
    assert Decision.objects.get().legal_basis.code == "sol-12-1"

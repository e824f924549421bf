"""A small file from a previous system, as the README describes it, and a way to import it."""

from __future__ import annotations

import datetime
import json

import pytest
from stdnum import luhn

from audit.control.importing.runner import import_records
from cases.models import Role
from tests.factories.cases import StaffFactory, UnitFactory, valid_pnr
from tests.factories.insatser import InsatsFactory

PNR_ANNA = valid_pnr(datetime.date(1985, 3, 14), 246)
PNR_BO = valid_pnr(datetime.date(1983, 11, 2), 135)
# A samordningsnummer: day of birth + 60.
SAMORDNING = "19900375123" + luhn.calc_check_digit("900375123")


def example_records() -> list[dict]:
    """One household of two adults and a child; a case opened and closed; a coordinator; two plans
    (the first without sub-goals or a named responsible, as the auditors found them); a decision
    with its execution; a closed participation."""
    return [
        {"type": "person", "external_id": "P-1", "personal_identity_number": PNR_ANNA, "first_name": "Anna",
         "last_name": "Berg", "unit": "ekonomiskt-bistand"},
        {"type": "person", "external_id": "P-2", "personal_identity_number": PNR_BO, "first_name": "Bo",
         "last_name": "Berg", "unit": "ekonomiskt-bistand"},
        {"type": "person", "external_id": "P-3", "personal_identity_number": SAMORDNING, "first_name": "Cem",
         "last_name": "Ay", "unit": "ekonomiskt-bistand"},
        {"type": "household", "external_id": "H-1", "members": [
            {"person": "P-1", "role": "applicant", "valid_from": "2023-01-01"},
            {"person": "P-2", "role": "co_applicant", "valid_from": "2023-01-01", "valid_to": "2024-06-30"},
            {"role": "child", "first_name": "Ella", "last_name": "Berg", "birth_date": "2016-04-01",
             "valid_from": "2023-01-01"}]},
        {"type": "case", "external_id": "C-1", "household": "H-1", "unit": "ekonomiskt-bistand",
         "caseworker": "hl-import", "opened_on": "2023-01-10", "opening_way": "application",
         "closed_on": "2024-08-31", "closing_reason": "work",
         "support_barriers": [{"person": "P-1", "barrier": "arbetslos-ingen-ersattning", "valid_from": "2023-01-10"}]},
        {"type": "coordinator_assignment", "external_id": "A-1", "case": "C-1", "person": "P-1",
         "coordinator": "ko-import", "start_date": "2023-02-01", "end_date": "2024-08-31"},
        {"type": "plan", "external_id": "GP-1", "person": "P-1", "case": "C-1", "made_on": "2023-02-15",
         "made_by": "ko-import", "long_term_goal": "Arbete inom vården.",
         "activities": [{"description": "Språkpraktik"}]},
        {"type": "plan", "external_id": "GP-2", "person": "P-1", "case": "C-1", "made_on": "2023-08-15",
         "long_term_goal": "Arbete inom vården.", "latest_follow_up_on": "2023-09-15", "participation_recorded": True,
         "subgoals": [{"description": "Godkänd SFI C", "measure": "kursbetyg", "target": "E",
                       "target_date": "2023-12-20"}],
         "activities": [{"description": "SFI", "responsible": "Anna och koordinatorn", "partners": ["region"],
                         "subgoal_index": 0}],
         "follow_ups": [{"followed_up_on": "2023-09-14", "method": "meeting", "follows_plan": False,
                         "plan_deviation": "Sjuk två veckor."}]},
        {"type": "decision", "external_id": "B-1", "case": "C-1", "month": "2023-02", "received_on": "2023-01-28",
         "item_kind": "income_support", "outcome": "granted", "amount_applied": 120000, "legal_basis": "sol-12-1",
         "delegation_point": "EB-1", "decided_by": "hl-import", "decided_on": "2023-02-03",
         "reasoning": "Behov enligt riksnormen.",
         "execution_events": [{"kind": "executed", "occurred_on": "2023-02-25"}]},
        {"type": "participation", "external_id": "D-1", "person": "P-1", "plan": "GP-2", "insats": "SFI-praktik",
         "start_date": "2023-09-01", "end_date": "2024-02-29", "closing_reason": "work",
         "hours": {"monday": 8, "tuesday": 8, "wednesday": 8, "thursday": 8, "friday": 8}, "closed_by": "ko-import"},
    ]


def jsonl(records) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) + "\n" for r in records]


@pytest.fixture
def import_world(db):
    eb = UnitFactory(code="ekonomiskt-bistand", name="Ekonomiskt bistånd")
    ko = UnitFactory(code="koordinator", name="Koordinator")
    StaffFactory(role=Role.CASEWORKER, unit=eb, username="hl-import")
    StaffFactory(role=Role.COORDINATOR, unit=ko, username="ko-import")
    InsatsFactory(name="SFI-praktik", provider_unit=eb)
    return {"admin": StaffFactory(role=Role.ADMINISTRATOR, unit=None, username="admin-import")}


@pytest.fixture
def run_import(import_world):
    def run(records, **kwargs):
        kwargs.setdefault("source", "gamla-systemet")
        return import_records(actor=import_world["admin"], lines=jsonl(records), **kwargs)

    return run

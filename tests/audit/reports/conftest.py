"""A small world for the board reports, with figures counted by hand in the tests.

Applicants get distinctive names, personnummer and addresses so the no-personal-data test can
look for them in every board output.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from audit import report_services
from audit.control.models import (
    ActionStatus,
    ChecklistAnswer,
    ControlSample,
    ControlSampleItem,
    FlagStatus,
    FlagTransition,
    RuleRun,
    RunStatus,
    RunTrigger,
)
from cases.models import Applicant, Role
from tests.factories.audit import CorrectiveActionFactory, FlagFactory, RuleFactory
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.finance import family_case, granted_month
from tests.factories.insatser import InsatsDecisionFactory


def aware(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass
class ReportWorld:
    unit: object
    other_unit: object
    caseworker: object
    unit_manager: object
    board: object
    administrator: object
    coordinator: object
    applicants: list


@pytest.fixture
def report_world(db) -> ReportWorld:
    unit = UnitFactory(code="ekonomiskt-bistand", name="Ekonomiskt bistånd")
    other_unit = UnitFactory(code="insats-matchning", name="Insats & Matchning")
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit, username="hl", first_name="Hanna", last_name="Handläggare")
    manager = StaffFactory(role=Role.UNIT_MANAGER, unit=unit, username="ec", first_name="Erik", last_name="Chef",
                           email="chef@kommun.example")
    board = StaffFactory(role=Role.BOARD, unit=None, username="nd", email="namnd@kommun.example")
    admin = StaffFactory(role=Role.ADMINISTRATOR, unit=None, username="adm")
    coordinator = StaffFactory(role=Role.COORDINATOR, unit=other_unit, username="ko")

    case, members = family_case(unit=unit)
    applicants = [m.applicant for m in members if m.applicant_id]
    for i, person in enumerate(applicants):
        Applicant.objects.filter(pk=person.pk).update(
            first_name=f"Zlatana{i}", last_name=f"Quistberg{i}", street_address=f"Hemliga gränd {i + 7}",
            postal_code="99999", city="Okändby")
    applicants = list(Applicant.objects.filter(pk__in=[p.pk for p in applicants]))

    # Report 5: two decisions by the caseworker (EB-1) in Jan-Feb 2019, one by the manager in March.
    for month in (1, 2):
        granted_month(actor=caseworker, case=case, month=datetime.date(2019, month, 1), members=members)
    granted_month(actor=caseworker, decider=manager, case=case, month=datetime.date(2019, 3, 1), members=members)
    InsatsDecisionFactory(case=case, applicant=applicants[0], decided_by=caseworker,
                          decided_on=datetime.date(2019, 2, 10), valid_from=datetime.date(2019, 2, 11))

    # Report 6, first quarter 2019: two flags opened, one resolved, one escalated and closed.
    rule = RuleFactory(code="test_manual_rule", title="Testregel")
    f1 = FlagFactory(rule=rule, person=applicants[0], responsible=caseworker, unit=unit,
                     first_seen=datetime.date(2019, 2, 1), subject_id=1)
    FlagFactory(rule=rule, person=applicants[0], responsible=caseworker, unit=unit,
                first_seen=datetime.date(2019, 1, 5), subject_id=2, status=FlagStatus.RESOLVED,
                resolved_on=datetime.date(2019, 3, 1))
    f3 = FlagFactory(rule=rule, person=applicants[-1], responsible=caseworker, unit=unit,
                     first_seen=datetime.date(2018, 12, 1), subject_id=3, status=FlagStatus.CLOSED,
                     escalated_at=aware(datetime.date(2019, 1, 20)))
    FlagTransition.objects.create(flag=f3, from_status=FlagStatus.OPEN, to_status=FlagStatus.CLOSED, event="close",
                                  actor=manager, occurred_at=aware(datetime.date(2019, 2, 2)))
    # Outside the quarter: opened in April.
    FlagFactory(rule=rule, person=applicants[0], responsible=caseworker, unit=unit,
                first_seen=datetime.date(2019, 4, 2), subject_id=4)
    action = CorrectiveActionFactory(flag=f1, owner=caseworker, created_by=manager, due_date=datetime.date(2019, 3, 1))
    type(action).objects.filter(pk=action.pk).update(created_at=aware(datetime.date(2019, 2, 3)))
    done = CorrectiveActionFactory(flag=f1, owner=caseworker, created_by=manager, due_date=datetime.date(2019, 3, 30),
                                   status=ActionStatus.COMPLETED, completed_on=datetime.date(2019, 3, 10),
                                   outcome="Genomfört samtal")
    type(done).objects.filter(pk=done.pk).update(created_at=aware(datetime.date(2019, 2, 4)))
    RuleRun.objects.create(as_of=datetime.date(2019, 2, 5), rule_codes=["test_manual_rule"], trigger=RunTrigger.SCHEDULE,
                           status=RunStatus.SUCCEEDED, started_at=aware(datetime.date(2019, 2, 5), 1),
                           finished_at=aware(datetime.date(2019, 2, 5), 2), duration_ms=4000, subjects_examined=10,
                           flags_opened=1)
    sample = ControlSample.objects.create(unit=unit, period_start=datetime.date(2019, 1, 1),
                                          period_end=datetime.date(2019, 1, 31), size=1, seed=7, population_size=3,
                                          drawn_by=manager)
    ControlSample.objects.filter(pk=sample.pk).update(created_at=aware(datetime.date(2019, 2, 15)))
    item = ControlSampleItem.objects.create(sample=sample, case=case, person=applicants[0], position=1)
    ChecklistAnswer.objects.create(item=item, question="plan_made", prefilled="yes", answer="")
    ChecklistAnswer.objects.create(item=item, question="follow_up_stated", prefilled="yes", answer="no",
                                   overridden=True, comment="Ingen uppföljning angiven")
    return ReportWorld(unit, other_unit, caseworker, manager, board, admin, coordinator, applicants)


@pytest.fixture
def make_snapshot(django_capture_on_commit_callbacks):
    """Order a report through the service and build it in-process (the task's work, no worker)."""

    def make(actor, code, **params):
        with django_capture_on_commit_callbacks(execute=False):
            snap = report_services.report_request(actor=actor, code=code, **params)
        report_services.snapshot_build(snapshot_id=snap.pk)
        snap.refresh_from_db()
        return snap

    return make


Q1_2019 = {"period_kind": "quarter", "year": 2019, "number": 1}
BOARD_MEETINGS = {"date_from": datetime.date(2019, 1, 1), "date_to": datetime.date(2019, 2, 28)}

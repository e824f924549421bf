"""Fifty conflicting requests at once on PostgreSQL: no server error, no lost update, no duplicate.

Each request runs in a thread of its own with its own database connection, started together at a
barrier, against committed data (transactional tests). Services lock rows in one order (the
insats before its referrals, the application before its decisions, the plan alone), so the
requests queue behind each other instead of deadlocking; the losers get a 409 naming the field.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import ChangeEvent
from cases.finance_models import Decision
from insatser.models import Participation, ParticipationStatus, Referral, ReferralStatus
from tests.factories.cases import CaseFactory, CoordinatorAssignmentFactory
from tests.factories.insatser import InsatsFactory, ParticipationFactory, ReferralFactory
from tests.factories.planning import PlanFactory, SignedPlanFactory

PARALLEL = 50

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and deadlocks need PostgreSQL"),
]


def in_parallel(user, requests: list[tuple[str, str, dict]]) -> Counter:
    """Send each (method, url, body) from its own thread and connection at once; count the statuses
    (an exception raised by the view counts as 500)."""
    barrier = threading.Barrier(len(requests))
    statuses: list[int] = []
    errors: list[str] = []

    def send(method, url, body):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            statuses.append(getattr(client, method)(url, body, format="json").status_code)
        except Exception as exc:  # noqa: BLE001 - a server error, counted
            errors.append(repr(exc)[:300])
            statuses.append(500)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=r) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        print("server errors:", Counter(errors).most_common(3))
    return Counter(statuses)


def _person(caseworker, coordinator):
    case = CaseFactory(unit=caseworker.unit, opened_on=datetime.date(2024, 1, 1))
    return CoordinatorAssignmentFactory(case=case, coordinator=coordinator, start_date=datetime.date(2024, 1, 1)).applicant


def test_fifty_starts_of_the_last_place_in_an_insats(caseworker, coordinator):
    insats = InsatsFactory(capacity=2)
    ParticipationFactory(insats=insats)  # one of two places taken
    today = timezone.localdate()
    queued = []
    for position in range(1, PARALLEL + 1):
        person = _person(caseworker, coordinator)
        SignedPlanFactory(applicant=person, created_by=coordinator, made_on=today - datetime.timedelta(days=20))
        queued.append(ReferralFactory(applicant=person, insats=insats, referred_by=coordinator, status=ReferralStatus.QUEUED,
                                      queue_position=position, queued_on=today - datetime.timedelta(days=10),
                                      started_on=None))
    statuses = in_parallel(coordinator, [
        ("post", f"/api/v1/referrals/{r.pk}/start/", {"started_on": today.isoformat(), "hours_monday": 8})
        for r in queued
    ])
    assert statuses == Counter({201: 1, 409: PARALLEL - 1}), statuses
    assert Participation.objects.filter(insats=insats, status=ParticipationStatus.ACTIVE).count() == 2
    waiting = Referral.objects.filter(insats=insats, status=ReferralStatus.QUEUED)
    # Everyone behind the one who started moved up one place: positions 1..49, none lost or doubled.
    assert sorted(waiting.values_list("queue_position", flat=True)) == list(range(1, PARALLEL))


def test_fifty_edits_of_the_same_draft_plan(caseworker, coordinator):
    plan = PlanFactory(applicant=_person(caseworker, coordinator), created_by=coordinator)
    statuses = in_parallel(coordinator, [
        ("patch", f"/api/v1/plans/{plan.pk}/", {"long_term_goal": f"Mål {i}"}) for i in range(PARALLEL)
    ])
    assert statuses == Counter({200: PARALLEL}), statuses
    events = list(ChangeEvent.objects.filter(action="plan.update", object_id=str(plan.pk)).order_by("pk"))
    assert len(events) == PARALLEL
    # Each edit saw the one before it (no lost update): the events form one chain of values.
    goals = [e.changes["long_term_goal"] for e in events]
    assert all(later[0] == earlier[1] for earlier, later in zip(goals, goals[1:], strict=False)), goals
    plan.refresh_from_db()
    assert plan.long_term_goal == goals[-1][1]
    assert sorted(new for _, new in goals) == sorted(f"Mål {i}" for i in range(PARALLEL))


def test_fifty_decisions_on_the_same_application(caseworker, family_application):
    application = family_application
    statuses = in_parallel(caseworker, [
        ("post", "/api/v1/decisions/", {
            "application": application.pk, "item_kind": "income_support", "outcome": "granted",
            "legal_basis": "sol-12-1", "delegation_point": "EB-1", "reasoning": f"Behovet är styrkt ({i}).",
        }) for i in range(PARALLEL)
    ])
    assert statuses == Counter({201: 1, 409: PARALLEL - 1}), statuses
    assert Decision.objects.filter(application=application).count() == 1


@pytest.fixture
def family_application(caseworker):
    from cases.application_services import application_calculate
    from tests.factories.finance import family_case, make_application

    case, members = family_case(unit=caseworker.unit)
    application = make_application(actor=caseworker, case=case, month=datetime.date(2019, 3, 1), members=members,
                                   costs=[{"cost_type": "housing", "amount_applied": 7000}])
    application_calculate(actor=caseworker, application=application)
    return application

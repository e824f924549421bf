"""A plan belongs to the case it is made in, and stays readable (read-only, logged) to the case's
unit and the coordinator unit's manager after the case has closed."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from cases.models import CaseStatus, Role
from cases.services import case_close
from planning import services
from planning.models import ImplementationPlan
from tests.factories.cases import CaseFactory, CoordinatorAssignmentFactory, StaffFactory
from tests.factories.planning import SignedPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_manager(coordinator_unit):
    return StaffFactory(role=Role.UNIT_MANAGER, unit=coordinator_unit, username="chef-koordinator")


def _made_on():
    return timezone.localdate() - datetime.timedelta(days=3)


def test_api_create_sets_the_persons_open_case_and_shows_it(as_coordinator, person, assignment):
    response = as_coordinator.post("/api/v1/plans/", {"applicant": person.pk, "made_on": _made_on()}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["case"] == assignment.case_id
    assert body["case_summary"] == {
        "id": assignment.case_id, "unit": assignment.case.unit_id, "unit_name": assignment.case.unit.name,
        "status": "active", "status_display": "Pågående", "opened_on": assignment.case.opened_on.isoformat(),
        "closed_on": None,
    }
    assert ImplementationPlan.objects.get(pk=body["id"]).case_id == assignment.case_id


def test_api_refuses_a_case_that_is_not_the_persons(as_coordinator, person, other_person):
    other_case = other_person.memberships.first().household.cases.first()
    response = as_coordinator.post(
        "/api/v1/plans/", {"applicant": person.pk, "made_on": _made_on(), "case": other_case.pk}, format="json"
    )
    assert response.status_code == 400
    assert "case" in response.json()["error"]["fields"]
    assert not ImplementationPlan.objects.exists()


def test_create_refused_when_the_persons_case_is_closed(coordinator, person, assignment):
    # The assignment is still open, but the case is closed: there is no case to make the plan in.
    type(assignment.case).objects.filter(pk=assignment.case_id).update(
        status=CaseStatus.CLOSED, closed_on=timezone.localdate(), closing_reason="work")
    with pytest.raises(Exception) as exc:
        services.plan_create(actor=coordinator, applicant=person, made_on=_made_on())
    assert "case" in exc.value.message_dict
    assert not ImplementationPlan.objects.exists()


def test_ui_new_plan_sets_the_case_and_the_page_shows_it(client, coordinator, person, assignment):
    client.force_login(coordinator)
    client.post(reverse("plan_new", args=[person.pk]))
    plan = ImplementationPlan.objects.get(applicant=person)
    assert plan.case_id == assignment.case_id
    SignedPlanFactory(applicant=person, case=assignment.case, version=2, created_by=coordinator)
    html = client.get(reverse("plan_detail", args=[plan.pk])).content.decode()
    assert f"Ärende {assignment.case_id}, {assignment.case.unit.name}, pågående" in html


def test_after_the_case_closes_the_plan_stays_readable_and_logged(
    api_as, client, coordinator, coordinator_manager, caseworker, person, assignment, other_person
):
    plan = SignedPlanFactory(applicant=person, case=assignment.case, created_by=coordinator)
    case_close(actor=caseworker, case=assignment.case, closing_reason="work",
               closed_on=timezone.localdate() - datetime.timedelta(days=1))

    # The coordinator's assignment ended with the case: the coordinator no longer sees the person.
    assert api_as(coordinator).get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    # The coordinator unit's manager and the case's unit still read it, and the read is logged.
    for reader in (coordinator_manager, caseworker):
        before = AccessLogEntry.objects.filter(actor_id=reader.pk, object_id=str(plan.pk)).count()
        response = api_as(reader).get(f"/api/v1/plans/{plan.pk}/")
        assert response.status_code == 200, reader.role
        assert response.json()["case_summary"]["status"] == "closed"
        assert AccessLogEntry.objects.filter(actor_id=reader.pk, object_id=str(plan.pk)).count() == before + 1
    client.force_login(coordinator_manager)
    response = client.get(reverse("plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ärendet är avslutat" in html and "Gör en ny version" not in html
    # Its follow-ups too; a manager of another unit does not see it.
    assert api_as(coordinator_manager).get("/api/v1/follow-ups/", {"plan": plan.pk}).status_code == 200
    stranger = StaffFactory(role=Role.UNIT_MANAGER, unit=other_person.memberships.first().household.cases.first().unit)
    assert api_as(stranger).get(f"/api/v1/plans/{plan.pk}/").status_code == 404


def test_a_plan_in_a_closed_case_is_not_changed(coordinator, person, assignment):
    """Even when the coordinator still sees the person through another open case."""
    second = CoordinatorAssignmentFactory(coordinator=coordinator, applicant=person,
                                          case=CaseFactory(household=assignment.case.household))
    draft = services.plan_create(actor=coordinator, applicant=person, made_on=_made_on(), case=assignment.case)
    type(assignment.case).objects.filter(pk=assignment.case_id).update(
        status=CaseStatus.CLOSED, closed_on=timezone.localdate(), closing_reason="work")
    with pytest.raises(Exception) as exc:
        services.plan_update(actor=coordinator, plan=draft, long_term_goal="Nytt mål")
    assert getattr(exc.value, "field", None) == "case"
    draft.refresh_from_db()
    assert draft.long_term_goal != "Nytt mål"
    assert second.case_id != draft.case_id


def test_migration_backfills_the_case_a_plan_was_made_in(coordinator, person, assignment):
    import importlib

    backfill = importlib.import_module("planning.migrations.0003_plan_case_backfill").backfill
    made = assignment.start_date + datetime.timedelta(days=5)
    plan = SignedPlanFactory(applicant=person, case=None, created_by=coordinator, made_on=made)
    # A person with no assignment: the case of the household they belong to.
    lone_case = CaseFactory(opened_on=made - datetime.timedelta(days=30))
    lone_person = lone_case.household.members.filter(applicant__isnull=False).first().applicant
    lone = SignedPlanFactory(applicant=lone_person, case=None, made_on=made)
    backfill(apps, None)
    plan.refresh_from_db()
    lone.refresh_from_db()
    assert plan.case_id == assignment.case_id
    assert lone.case_id == lone_case.pk

"""GET /api/v1/caseload/: the same persons and facts as the page "Mina personer", a fixed number
of queries whatever the caseload, every person served in the access log, coordinators only."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AccessLogEntry
from cases.models import Role
from tests.conftest import api_token_headers
from tests.factories.cases import CoordinatorAssignmentFactory, StaffFactory

from .test_views_caseload import _busy_person

pytestmark = pytest.mark.django_db
URL = "/api/v1/caseload/"


def _get(client, url=URL, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    return len(ctx.captured_queries), response


def test_the_route_is_named_and_under_the_api():
    assert reverse("caseload-list") == URL


def test_a_row_shows_what_the_page_shows(api_as, coordinator, caseworker, labour_market_barrier):
    person = _busy_person(coordinator, caseworker, labour_market_barrier, 2)
    plan = person.plans.get()
    follow_up = plan.follow_ups.get()
    response = api_as(coordinator).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["count_is_exact"], body["next"]) == (1, True, None)
    [row] = body["results"]
    assert row["id"] == person.pk and row["last_name"] == person.last_name
    assert row["plan"] == plan.pk and row["plan_valid_to"] == f"{plan.valid_until:%Y-%m-%d}"
    assert row["next_follow_up_on"] == f"{follow_up.next_follow_up_on:%Y-%m-%d}"
    assert row["follow_up_passed"] is (follow_up.next_follow_up_on < timezone.localdate())
    assert row["has_draft_plan"] is False
    assert row["open_flags"] == {"high": 1, "medium": 0, "low": 1, "total": 2}
    assert row["queued_referrals"] == 1 and row["queue_position"] == 3
    assert row["active_participations"] == 1
    assert row["week_hours"]["norm_hours"] == "40.00"  # the heltidsaktivering norm
    assert row["week_hours"]["under_norm"] is (float(row["week_hours"]["scheduled_hours"]) < 40)


def test_a_person_without_plan_or_labour_market_barrier(api_as, coordinator, caseworker):
    idle = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    [row] = api_as(coordinator).get(URL).json()["results"]
    assert row["id"] == idle.pk
    assert (row["plan"], row["plan_valid_to"], row["next_follow_up_on"], row["queue_position"]) == (
        None, None, None, None)
    assert row["follow_up_passed"] is False and row["week_hours"] is None
    assert row["open_flags"]["total"] == 0


def test_same_persons_as_the_page_and_only_ones_own(api_as, client, coordinator, caseworker, labour_market_barrier):
    mine = [_busy_person(coordinator, caseworker, labour_market_barrier, n) for n in range(3)]
    other = StaffFactory(role=Role.COORDINATOR, unit=coordinator.unit)
    theirs = CoordinatorAssignmentFactory(coordinator=other, case__unit=caseworker.unit).applicant
    ids = [r["id"] for r in api_as(coordinator).get(URL).json()["results"]]
    assert sorted(ids) == sorted(p.pk for p in mine) and theirs.pk not in ids
    client.force_login(coordinator)
    html = client.get(reverse("caseload")).content.decode()
    assert all(reverse("person", args=[pk]) in html for pk in ids)
    assert reverse("person", args=[theirs.pk]) not in html


def test_fixed_number_of_queries_for_one_and_for_many(api_as, coordinator, caseworker, labour_market_barrier,
                                                      django_assert_max_num_queries):
    client = api_as(coordinator)
    _busy_person(coordinator, caseworker, labour_market_barrier, 0)
    one, response = _get(client)
    assert response.json()["count"] == 1
    for n in range(1, 25):
        _busy_person(coordinator, caseworker, labour_market_barrier, n)
    with django_assert_max_num_queries(one):
        response = client.get(URL)
    assert response.json()["count"] == 25 and len(response.json()["results"]) == 25
    with django_assert_max_num_queries(one):
        response = client.get(URL, {"page_size": 10, "page": 2})
    assert [r["open_flags"]["high"] for r in response.json()["results"]] == [1] * 10


def test_every_person_served_is_logged(api_as, coordinator, caseworker, labour_market_barrier):
    persons = [_busy_person(coordinator, caseworker, labour_market_barrier, n) for n in range(3)]
    before = AccessLogEntry.objects.count()
    response = api_as(coordinator).get(URL, {"page_size": 2})
    served = [r["id"] for r in response.json()["results"]]
    entries = AccessLogEntry.objects.order_by("pk")[before:]
    assert len(served) == 2
    assert sorted(e.person_id for e in entries) == sorted(served)
    assert {(e.action, e.channel, e.actor_id) for e in entries} == {("list", "api", coordinator.pk)}
    assert {p.pk for p in persons} > set(served)


def test_filter_and_sort_as_on_the_page(api_as, coordinator, caseworker, labour_market_barrier):
    busy = _busy_person(coordinator, caseworker, labour_market_barrier, 0)
    idle = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit).applicant
    client = api_as(coordinator)
    assert [r["id"] for r in client.get(URL, {"show": "utan_plan"}).json()["results"]] == [idle.pk]
    assert [r["id"] for r in client.get(URL, {"show": "i_ko"}).json()["results"]] == [busy.pk]
    assert [r["id"] for r in client.get(URL, {"sort": "ko"}).json()["results"]][0] == busy.pk


@pytest.mark.parametrize("param", ["show", "sort"])
def test_an_unknown_filter_or_sort_names_the_field_and_logs_nothing(api_as, coordinator, caseworker, param):
    CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit)
    before = AccessLogEntry.objects.count()
    response = api_as(coordinator).get(URL, {param: "allt"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [param]
    assert AccessLogEntry.objects.count() == before


def test_an_integration_token_works(coordinator, caseworker):
    CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit)
    response = APIClient().get(URL, headers=api_token_headers(coordinator))
    assert response.status_code == 200 and response.json()["count"] == 1


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.UNIT_MANAGER, Role.INSATS_STAFF, Role.BOARD,
                                  Role.ADMINISTRATOR])
def test_roles_without_a_caseload_are_refused_as_on_the_page(api_as, client, coordinator, caseworker, role):
    """The page serves coordinators only (their own persons); so does the API, whatever the unit."""
    CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit)
    user = StaffFactory(role=role, unit=None if role in (Role.BOARD, Role.ADMINISTRATOR) else caseworker.unit)
    before = AccessLogEntry.objects.filter(action="list").count()
    assert api_as(user).get(URL).status_code == 403
    client.force_login(user)
    assert client.get(reverse("caseload")).status_code == 403
    assert AccessLogEntry.objects.filter(action="list").count() == before


def test_anonymous_and_inactive_are_refused(api_as, coordinator):
    assert APIClient().get(URL).status_code in (401, 403)
    coordinator.is_active = False
    coordinator.save()
    assert api_as(coordinator).get(URL).status_code in (401, 403)


def test_an_ended_assignment_leaves_the_caseload(api_as, coordinator, caseworker):
    assignment = CoordinatorAssignmentFactory(coordinator=coordinator, case__unit=caseworker.unit)
    assignment.end_date = timezone.localdate() - datetime.timedelta(days=1)
    assignment.save()
    assert api_as(coordinator).get(URL).json()["results"] == []

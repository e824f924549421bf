"""List endpoints run a fixed number of SQL queries whatever the number of rows."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseSupportBarrier, MemberRole, SupportBarrier
from tests.factories.cases import ApplicantFactory, CaseFactory, CoordinatorAssignmentFactory, HouseholdMemberFactory

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/applicants/", "/api/v1/households/", "/api/v1/cases/"]
# Count, page, prefetches (household members, support barriers, coordinator assignments), and one
# access-log INSERT (measured: applicants 3, households 4, cases 6; force_authenticate, no session).
MAX_QUERIES = 6


def _make_cases(n, world):
    """n more cases at the caseworker's unit, each with two adults, a child, a barrier, an assignment."""
    unit = world.case.unit
    barrier = SupportBarrier.objects.get(code="arbetslos-ingen-ersattning")
    for _ in range(n):
        applicant = ApplicantFactory(registered_unit=unit)
        case = CaseFactory(unit=unit, with_applicant=applicant, responsible_caseworker=world.users["caseworker"])
        partner = ApplicantFactory(registered_unit=unit)
        HouseholdMemberFactory(household=case.household, applicant=partner, role=MemberRole.CO_APPLICANT)
        HouseholdMemberFactory(household=case.household, applicant=None, role=MemberRole.CHILD, first_name="Barn",
                               birth_date=datetime.date(2018, 1, 1))
        CaseSupportBarrier.objects.create(case=case, applicant=applicant, barrier=barrier, valid_from=case.opened_on)
        CoordinatorAssignmentFactory(case=case, applicant=applicant, coordinator=world.users["coordinator"])


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response.json()["count"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("role", ["caseworker", "coordinator", "unit_manager"])
def test_list_runs_the_same_number_of_queries_for_2_and_30_rows(world, client_for, django_assert_max_num_queries,
                                                                 url, role):
    client = client_for(world.users[role])
    few_queries, few = _count(client, url)
    _make_cases(30, world)
    with django_assert_max_num_queries(few_queries):
        many_response = client.get(url)
    assert many_response.json()["count"] >= few + 30
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url)

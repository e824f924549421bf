"""The control layer's list filters (issue 15, one vocabulary): FilterSets with the API's names,
narrowing the caller's scope and never widening it, bad values a 400 naming the parameter."""

import datetime

import pytest
from django.utils import timezone

from audit.control.models import ActionStatus, FlagStatus
from cases.models import Role
from tests.factories.audit import CorrectiveActionFactory, FlagFactory, RuleFactory
from tests.factories.cases import StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

FLAGS = "/api/v1/control/flags/"
ACTIONS = "/api/v1/control/corrective-actions/"


def _ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    return {row["id"] for row in (body["results"] if isinstance(body, dict) else body)}


def _fields(response):
    assert response.status_code == 400, response.content
    return set(response.json()["error"]["fields"])


def test_flags_filter_by_unit_code_rule_code_and_several_statuses(api_as, unit_manager):
    colleague = StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit)
    other = RuleFactory(code="other_rule", title="Annan regel")
    open_flag = FlagFactory(responsible=colleague)
    acknowledged = FlagFactory(responsible=colleague, status=FlagStatus.ACKNOWLEDGED)
    closed = FlagFactory(responsible=colleague, status=FlagStatus.CLOSED, rule=other)
    client = api_as(unit_manager)

    assert _ids(client.get(FLAGS, {"unit": unit_manager.unit.code})) == {open_flag.pk, acknowledged.pk, closed.pk}
    assert _ids(client.get(FLAGS, {"unit": "ingen-sadan"})) == set()
    assert _ids(client.get(FLAGS, {"rule": "other_rule"})) == {closed.pk}
    assert _ids(client.get(FLAGS, {"status": "open,acknowledged"})) == {open_flag.pk, acknowledged.pk}
    assert _fields(client.get(FLAGS, {"status": "open,gone"})) == {"status"}
    assert _fields(client.get(FLAGS, {"responsible": "x"})) == {"responsible"}
    assert _fields(client.get(FLAGS, {"max_age_days": -1})) == {"max_age_days"}
    # Each flag names its person as an applicant, the API's one word for the person.
    assert {f["applicant"] for f in client.get(FLAGS).json()["results"]} == {
        open_flag.person_id, acknowledged.person_id, closed.person_id}


def test_filters_narrow_the_scope_and_never_widen_it(api_as, caseworker):
    elsewhere = StaffFactory(role=Role.CASEWORKER, unit=UnitFactory(code="annan", name="Annan enhet"))
    theirs = FlagFactory(responsible=elsewhere, person__registered_unit=elsewhere.unit)
    mine = FlagFactory(responsible=caseworker)
    client = api_as(caseworker)

    assert _ids(client.get(FLAGS)) == {mine.pk}
    # Naming the other unit, its staff member or its rule brings none of its flags in.
    assert _ids(client.get(FLAGS, {"unit": "annan"})) == set()
    assert _ids(client.get(FLAGS, {"responsible": elsewhere.pk})) == set()
    assert theirs.pk not in _ids(client.get(FLAGS, {"rule": theirs.rule.code}))


def test_flag_counts_take_a_unit_code(api_as, board_member, caseworker):
    FlagFactory(responsible=caseworker)
    client = api_as(board_member)
    assert client.get("/api/v1/control/flag-counts/", {"unit": caseworker.unit.code}).json()[0]["count"] == 1
    assert _fields(client.get("/api/v1/control/flag-counts/", {"unit": "ingen-sadan"})) == {"unit"}


def test_corrective_actions_filter_by_status_owner_and_due_range(api_as, caseworker):
    today = timezone.localdate()
    soon = CorrectiveActionFactory(flag=FlagFactory(responsible=caseworker), due_date=today)
    later = CorrectiveActionFactory(flag=FlagFactory(responsible=caseworker),
                                    due_date=today + datetime.timedelta(days=30), status=ActionStatus.COMPLETED,
                                    completed_on=today, outcome="Samtalet hölls")
    client = api_as(caseworker)

    assert _ids(client.get(ACTIONS)) == {soon.pk, later.pk}
    assert _ids(client.get(ACTIONS, {"status": "completed"})) == {later.pk}
    assert _ids(client.get(ACTIONS, {"owner": caseworker.pk, "due_to": today.isoformat()})) == {soon.pk}
    assert _ids(client.get(ACTIONS, {"due_from": (today + datetime.timedelta(days=1)).isoformat()})) == {later.pk}
    assert _fields(client.get(ACTIONS, {"due_from": "2026-13-01"})) == {"due_from"}
    backwards = client.get(ACTIONS, {"due_from": today.isoformat(), "due_to": "2000-01-01"})
    assert _fields(backwards) == {"due_to"}
    assert _fields(client.get(ACTIONS, {"flag": 10**20})) == {"flag"}  # beyond bigint: a 400, not a 500


def test_a_sample_drawn_backwards_names_the_api_field(api_as, unit_manager):
    response = api_as(unit_manager).post("/api/v1/control/samples/", {
        "period_from": "2026-06-30", "period_to": "2026-01-01", "size": 1}, format="json")
    assert _fields(response) == {"period_to"}  # the service says period_end; the client sent period_to

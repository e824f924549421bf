"""The control layer's API: worklist order and scope, transitions, actions, samples, bad input."""

import datetime

from django.utils import timezone

from audit.control.models import (
    ChecklistAnswer,
    ControlSample,
    CorrectiveAction,
    Flag,
    FlagStatus,
    FlagTransition,
    RuleRun,
    Severity,
)
from audit.models import AccessLogEntry
from cases.models import Role
from tests.factories.audit import FlagFactory, RuleFactory
from tests.factories.cases import StaffFactory

FLAGS = "/api/v1/control/flags/"


def _flags_for(user, n, **kwargs):
    return FlagFactory.create_batch(n, responsible=user, **kwargs)


def test_worklist_is_most_severe_then_oldest_first(api_as, caseworker):
    today = timezone.localdate()
    low = RuleFactory(code="low", severity=Severity.LOW)
    high = RuleFactory(code="high", severity=Severity.HIGH)
    newer_high = FlagFactory(rule=high, responsible=caseworker, first_seen=today)
    old_low = FlagFactory(rule=low, responsible=caseworker, first_seen=today - datetime.timedelta(days=30))
    older_high = FlagFactory(rule=high, responsible=caseworker, first_seen=today - datetime.timedelta(days=3))

    response = api_as(caseworker).get(FLAGS)

    assert response.status_code == 200
    assert [f["id"] for f in response.json()["results"]] == [older_high.pk, newer_high.pk, old_low.pk]
    assert AccessLogEntry.objects.filter(object_type="audit.flag", actor_id=caseworker.pk).count() == 3


def test_worklist_filters_by_rule_status_and_age(api_as, caseworker):
    today = timezone.localdate()
    old = FlagFactory(responsible=caseworker, first_seen=today - datetime.timedelta(days=20))
    FlagFactory(responsible=caseworker, first_seen=today, status=FlagStatus.ACKNOWLEDGED)
    client = api_as(caseworker)

    assert [f["id"] for f in client.get(FLAGS, {"min_age_days": 10}).json()["results"]] == [old.pk]
    assert [f["id"] for f in client.get(FLAGS, {"status": "open", "rule": "test_manual_rule"}).json()["results"]] == [
        old.pk
    ]
    bad = client.get(FLAGS, {"min_age_days": -1})
    assert bad.status_code == 400 and "min_age_days" in bad.json()["error"]["fields"]


def test_staff_see_their_flags_and_managers_their_unit_board_only_counts(api_as, caseworker, unit_manager, board_member):
    colleague = StaffFactory(role=Role.CASEWORKER, unit=caseworker.unit)
    mine = FlagFactory(responsible=caseworker)
    theirs = FlagFactory(responsible=colleague)
    elsewhere = StaffFactory(role=Role.CASEWORKER, unit__code="annan")
    other_unit = FlagFactory(responsible=elsewhere, person__registered_unit=elsewhere.unit)

    ids = {f["id"] for f in api_as(caseworker).get(FLAGS).json()["results"]}
    assert mine.pk in ids and other_unit.pk not in ids
    assert api_as(caseworker).get(f"{FLAGS}{other_unit.pk}/").status_code == 404
    manager_ids = {f["id"] for f in api_as(unit_manager).get(FLAGS).json()["results"]}
    assert manager_ids == {mine.pk, theirs.pk}

    assert api_as(board_member).get(FLAGS).status_code == 403
    counts = api_as(board_member).get("/api/v1/control/flag-counts/").json()
    assert counts == [{"rule": "test_manual_rule", "rule_title": "Testregel", "status": "open", "count": 3}]


def test_worklist_query_count_does_not_grow_with_rows(api_as, caseworker, django_assert_max_num_queries):
    client = api_as(caseworker)
    _flags_for(caseworker, 2)
    with django_assert_max_num_queries(8):
        client.get(FLAGS)
    _flags_for(caseworker, 20)
    with django_assert_max_num_queries(8):
        assert len(client.get(FLAGS).json()["results"]) == 22


def test_acknowledge_then_not_again(api_as, caseworker):
    flag = FlagFactory(responsible=caseworker)
    client = api_as(caseworker)

    ok = client.post(f"{FLAGS}{flag.pk}/transition/", {"event": "acknowledge"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    assert ok.json()["transitions"][0]["actor"] == caseworker.pk

    again = client.post(f"{FLAGS}{flag.pk}/transition/", {"event": "acknowledge"}, format="json")
    assert again.status_code == 409
    assert "event" in again.json()["error"]["fields"]
    assert FlagTransition.objects.count() == 1


def test_corrective_action_lifecycle(api_as, caseworker):
    flag = FlagFactory(responsible=caseworker)
    client = api_as(caseworker)
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()

    created = client.post(
        "/api/v1/control/corrective-actions/",
        {"flag": flag.pk, "description": "Boka uppföljning", "owner": caseworker.pk, "due_date": due},
        format="json",
    )
    assert created.status_code == 201, created.json()
    flag.refresh_from_db()
    assert flag.status == FlagStatus.ACTION_PLANNED
    action_url = f"/api/v1/control/corrective-actions/{created.json()['id']}/"
    assert client.post(f"{action_url}follow-up/", {"note": "Samtal bokat"}, format="json").status_code == 200
    done = client.post(f"{action_url}complete/", {"outcome": "Uppföljning gjord"}, format="json")
    assert done.json()["status"] == "completed" and done.json()["completed_by"] == caseworker.pk
    closed = client.post(f"{FLAGS}{flag.pk}/transition/", {"event": "close", "comment": "Åtgärdat"}, format="json")
    assert closed.json()["status"] == "closed"


def test_corrective_action_without_owner_or_due_date_writes_nothing(api_as, caseworker):
    flag = FlagFactory(responsible=caseworker)

    response = api_as(caseworker).post(
        "/api/v1/control/corrective-actions/", {"flag": flag.pk, "description": "Något"}, format="json"
    )

    assert response.status_code == 400
    assert {"owner", "due_date"} <= set(response.json()["error"]["fields"])
    assert CorrectiveAction.objects.count() == 0
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_run_on_demand_by_manager_not_caseworker(api_as, unit_manager, caseworker):
    assert api_as(caseworker).post("/api/v1/control/runs/", {}, format="json").status_code == 403
    response = api_as(unit_manager).post("/api/v1/control/runs/", {"rule_codes": ["r12_action_overdue"]}, format="json")
    assert response.status_code == 202
    assert RuleRun.objects.get().rule_codes == ["r12_action_overdue"]
    bad = api_as(unit_manager).post("/api/v1/control/runs/", {"rule_codes": ["finns_inte"]}, format="json")
    assert bad.status_code == 400 and "rule_codes" in bad.json()["error"]["fields"]
    assert RuleRun.objects.count() == 1


def test_flag_unique_per_rule_and_subject_is_a_database_constraint(caseworker):
    import pytest
    from django.db import IntegrityError, transaction

    flag = FlagFactory(responsible=caseworker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(
            rule=flag.rule, subject_type=flag.subject_type, subject_id=flag.subject_id, first_seen=flag.first_seen,
            last_seen=flag.last_seen,
        )
    Flag.objects.filter(pk=flag.pk).update(status=FlagStatus.RESOLVED, resolved_on=flag.first_seen)
    Flag.objects.create(
        rule=flag.rule, subject_type=flag.subject_type, subject_id=flag.subject_id, first_seen=flag.first_seen,
        last_seen=flag.last_seen,
    )


def test_sample_larger_than_population_writes_nothing(api_as, unit_manager):
    response = api_as(unit_manager).post(
        "/api/v1/control/samples/", {"period_from": "2026-01-01", "period_to": "2026-06-30", "size": 5}, format="json"
    )
    assert response.status_code == 400
    assert "size" in response.json()["error"]["fields"]
    assert ControlSample.objects.count() == 0 and ChecklistAnswer.objects.count() == 0

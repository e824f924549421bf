"""The rule status page: per rule when it last ran, how long, what it found, in progress or stalled;
a unit manager or administrator starts a run now (POST, CSRF, the service's own checks)."""

import datetime

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.control import engine, selectors, services
from audit.control.models import Rule, RuleRun, RuleRunChunk, RunStatus, RunTrigger
from cases.models import Role
from tests.factories.cases import StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db
URL = reverse("rule-runs")
R12, R09 = "r12_action_overdue", "r09_exemption_review_passed"


def _run(codes, *, status=RunStatus.SUCCEEDED, minutes_ago=60, chunks_done=None, activity_minutes_ago=None):
    now = timezone.now()
    started = now - datetime.timedelta(minutes=minutes_ago)
    run = RuleRun.objects.create(
        as_of=timezone.localdate(), rule_codes=codes, trigger=RunTrigger.SCHEDULE, status=status, started_at=started,
        finished_at=None if status == RunStatus.RUNNING else started + datetime.timedelta(seconds=3),
        duration_ms=None if status == RunStatus.RUNNING else 3000, chunks_total=2 * len(codes),
    )
    for code in codes:
        for i in range(2):
            done = chunks_done is None or i < chunks_done
            at = now - datetime.timedelta(minutes=activity_minutes_ago if activity_minutes_ago is not None else minutes_ago)
            RuleRunChunk.objects.create(
                run=run, rule_code=code, lower=i * 10, upper=i * 10 + 10, done=done, flags_opened=2, flags_kept=1,
                flags_resolved=1 if i == 0 else 0, subjects_examined=10, duration_ms=700 if done else None,
                dispatched_at=at, dispatch_count=1, started_at=at, finished_at=at if done else None,
            )
    return run


@pytest.fixture
def manager(eb_unit):
    return StaffFactory(role=Role.UNIT_MANAGER, unit=eb_unit)


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.UNIT_MANAGER, 200), (Role.ADMINISTRATOR, 200), (Role.CASEWORKER, 403), (Role.COORDINATOR, 403),
     (Role.INSATS_STAFF, 403), (Role.BOARD, 403)],
)
def test_every_role_over_rules_without_runs_and_with_each_kind_of_run(client, role, status):
    engine.rules_sync()
    _run([R12])
    _run([R09], status=RunStatus.RUNNING, minutes_ago=40, chunks_done=1)  # quiet for 40 minutes: stalled
    user = StaffFactory(role=role, unit=None if role in (Role.BOARD, Role.ADMINISTRATOR) else UnitFactory())
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Har inte körts än" in body  # the rules that never ran
        assert "Har stått still sedan" in body and "skickas om av sig själv" in body
        assert "(1 av 2 delar klara)" in body
        assert "1.4 s" in body or "1,4 s" in body  # the two chunks' work
        assert body.count('name="csrfmiddlewaretoken"') >= 2
        assert "r12" not in body and "r09" not in body and "DOMAIN" not in body


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_run_in_progress_that_is_busy_is_not_stalled(client, manager):
    engine.rules_sync()
    _run([R12], status=RunStatus.RUNNING, minutes_ago=2, chunks_done=1, activity_minutes_ago=0)
    client.force_login(manager)
    body = client.get(URL).content.decode()
    assert "Pågår sedan" in body and "Har stått still" not in body


def test_the_counts_are_the_latest_finished_runs(client, manager):
    engine.rules_sync()
    _run([R12], minutes_ago=120)
    latest = _run([R12], minutes_ago=30)
    RuleRunChunk.objects.filter(run=latest).update(flags_opened=5)
    rows = {row["rule"].code: row for row in __import__("audit.control.selectors", fromlist=["x"]).rule_status()}
    assert rows[R12]["last"]["run"] == latest
    assert (rows[R12]["last"]["opened"], rows[R12]["last"]["kept"], rows[R12]["last"]["resolved"]) == (10, 2, 1)
    assert rows[R12]["running"] is None
    assert rows[R09]["last"] is None


def test_unit_manager_starts_all_rules_now(client, manager, django_capture_on_commit_callbacks):
    engine.rules_sync()
    client.force_login(manager)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(URL, {"regel": "alla"}, follow=True)
    run = RuleRun.objects.get()
    assert (run.trigger, run.started_by, run.status) == (RunTrigger.ON_DEMAND, manager, RunStatus.RUNNING)
    assert set(run.rule_codes) == set(Rule.objects.filter(enabled=True).values_list("code", flat=True))
    assert len(queued) == 1  # the dispatch, after the commit
    assert "Körningen av alla regler har startats." in response.content.decode()


def test_one_rule_now_and_a_disabled_rule_is_refused_with_the_services_message(client, manager):
    engine.rules_sync()
    client.force_login(StaffFactory(role=Role.ADMINISTRATOR, unit=None))
    rule = Rule.objects.get(code=R12)
    client.post(URL, {"regel": rule.pk})
    assert RuleRun.objects.get().rule_codes == [R12]

    Rule.objects.filter(pk=rule.pk).update(enabled=False)
    body = client.post(URL, {"regel": rule.pk}, follow=True).content.decode()
    assert "Regeln är avstängd" in body
    assert RuleRun.objects.count() == 1
    assert "Regeln finns inte." in client.post(URL, {"regel": "999999"}, follow=True).content.decode()


def test_starting_needs_the_csrf_token_and_a_starting_role(manager):
    engine.rules_sync()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    assert strict.post(URL, {"regel": "alla"}).status_code == 403
    caseworker = Client()
    caseworker.force_login(StaffFactory(role=Role.CASEWORKER, unit=manager.unit))
    assert caseworker.post(URL, {"regel": "alla"}).status_code == 403
    assert not RuleRun.objects.exists()


@pytest.mark.parametrize("runs", [1, 12])
def test_fixed_number_of_queries(client, manager, django_assert_max_num_queries, runs):
    engine.rules_sync()
    for i in range(runs):
        _run([R12, R09], minutes_ago=100 + i)
    _run([R12], status=RunStatus.RUNNING, minutes_ago=5, chunks_done=1)
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200


def test_services_start_is_the_same_as_the_api(manager):
    # The page and POST /api/v1/control/runs/ go through the one service that starts runs.
    engine.rules_sync()
    run = services.rule_run_start(actor=manager, rule_codes=[R12])
    assert run.chunks_total >= 1


def test_the_parts_done_are_counted_not_the_parts_left(client, manager):
    # A run just started has none of its parts done; a finished one has all of them.
    engine.rules_sync()
    finished = _run([R09], minutes_ago=90)
    _run([R12], status=RunStatus.RUNNING, minutes_ago=1, chunks_done=0, activity_minutes_ago=0)
    rows = {row["rule"].code: row for row in selectors.rule_status()}
    assert (rows[R12]["running"]["done"], rows[R12]["running"]["chunks"]) == (0, 2)
    assert rows[R09]["last"]["run"] == finished
    assert (rows[R09]["last"]["done"], rows[R09]["last"]["chunks"]) == (2, 2)
    assert rows[R09]["last"]["work_seconds"] == 1.4  # the two chunks' 700 ms
    client.force_login(manager)
    assert "(0 av 2 delar klara)" in client.get(URL).content.decode()


def test_a_run_quiet_for_exactly_the_stall_age_is_not_stalled_yet():
    # Stalled means quiet for longer than the stall age (AUDIT_RUN_STALLED_AFTER_SECONDS).
    engine.rules_sync()
    run = _run([R12], status=RunStatus.RUNNING, minutes_ago=30, chunks_done=0)
    quiet_since = services.last_activity(
        RuleRun.objects.filter(pk=run.pk).annotate(
            last_sent=Max("chunks__dispatched_at"), last_begun=Max("chunks__started_at"),
            last_finished=Max("chunks__finished_at"),
        ).get()
    )
    at_the_limit = quiet_since + services.stalled_after()
    rows = {row["rule"].code: row for row in selectors.rule_status(now=at_the_limit)}
    assert rows[R12]["running"]["stalled"] is False
    rows = {row["rule"].code: row for row in selectors.rule_status(now=at_the_limit + datetime.timedelta(seconds=1))}
    assert rows[R12]["running"]["stalled"] is True

"""Control samples (redrawable, prefilled from plan quality, reviewed) and rule parameters."""

import datetime

from django.contrib.auth.models import Permission
from django.utils import timezone

from audit.control import engine, services
from audit.control.models import ActionStatus, ChecklistAnswer, ControlSample, CorrectiveAction, Rule, RuleParameter
from audit.models import AccessLogEntry, ChangeEvent
from tests.factories.cases import CaseFactory
from tests.factories.planning import PlanActivityFactory, SignedPlanFactory, SubgoalFactory

D = datetime.date
SAMPLES = "/api/v1/control/samples/"


def _cases(unit, n):
    cases = []
    for i in range(n):
        case = CaseFactory(unit=unit, opened_on=D(2026, 1, 1))
        person = case.household.members.get().applicant
        plan = SignedPlanFactory(applicant=person, made_on=D(2026, 1, 15), follow_up_method="" if i % 2 else "meeting")
        SubgoalFactory(plan=plan)
        PlanActivityFactory(plan=plan)
        cases.append(case)
    return cases


def test_sample_is_redrawn_by_its_seed_and_prefilled_from_plan_quality(api_as, unit_manager):
    _cases(unit_manager.unit, 12)
    client = api_as(unit_manager)
    body = {"period_from": "2026-01-01", "period_to": "2026-06-30", "size": 5, "seed": 42}

    first = client.post(SAMPLES, body, format="json")
    second = client.post(SAMPLES, body, format="json")

    assert first.status_code == 201, first.json()
    assert first.json()["population_size"] == 12
    items = [client.get(f"{SAMPLES}{r.json()['id']}/checklists/").json() for r in (first, second)]
    assert [i["case"] for i in items[0]] == [i["case"] for i in items[1]]
    answers = {a["question"]: a["prefilled"] for a in items[0][0]["answers"]}
    assert answers["plan_made"] == "yes" and answers["sub_goals"] == "yes"
    assert answers["followed_up_within_6_months"] == "not_applicable"  # validity not over yet on 2026-06-30

    results = {r["question"]: r for r in client.get(f"{SAMPLES}{first.json()['id']}/results/").json()}
    assert results["plan_made"]["yes"] == 5 and results["plan_made"]["of"] == 5
    follow_up_stated = sum(1 for item in items[0] for a in item["answers"]
                           if a["question"] == "follow_up_stated" and a["prefilled"] == "yes")
    assert results["follow_up_stated"]["yes"] == follow_up_stated


def test_reviewer_override_needs_a_comment_and_changes_the_result(api_as, unit_manager):
    _cases(unit_manager.unit, 3)
    sample = services.sample_draw(
        actor=unit_manager, unit=unit_manager.unit, period_start=D(2026, 1, 1), period_end=D(2026, 6, 30), size=3
    )
    answer = ChecklistAnswer.objects.get(item__sample=sample, item__position=1, question="person_took_part")
    client = api_as(unit_manager)
    url = f"/api/v1/control/checklist-answers/{answer.pk}/review/"

    refused = client.post(url, {"answer": False}, format="json")
    assert refused.status_code == 400 and "comment" in refused.json()["error"]["fields"]
    answer.refresh_from_db()
    assert answer.answer == ""

    ok = client.post(url, {"answer": False, "comment": "Deltog inte enligt journalen."}, format="json")
    assert (ok.json()["answer"], ok.json()["overridden"]) == ("no", True)
    results = {r["question"]: r for r in client.get(f"{SAMPLES}{sample.pk}/results/").json()}
    assert results["person_took_part"]["yes"] == 2


def test_two_reviewers_of_one_answer_the_second_with_the_old_etag_gets_412(api_as, unit_manager):
    """Two unit managers of the unit read the same answer; the first confirms it, the second's
    override sent with the version it read answers 412, and the first one's verdict stands."""
    from tests.factories.cases import StaffFactory

    _cases(unit_manager.unit, 2)
    sample = services.sample_draw(
        actor=unit_manager, unit=unit_manager.unit, period_start=D(2026, 1, 1), period_end=D(2026, 6, 30), size=2
    )
    answer = ChecklistAnswer.objects.get(item__sample=sample, item__position=1, question="person_took_part")
    colleague = StaffFactory(role=unit_manager.role, unit=unit_manager.unit)
    first, second = api_as(unit_manager), api_as(colleague)
    url = f"/api/v1/control/checklist-answers/{answer.pk}/"
    read = first.get(url)
    assert read.status_code == 200 and read.json()["updated_at"]
    seen_by_first, seen_by_second = read["ETag"], second.get(url)["ETag"]
    assert seen_by_first == seen_by_second
    reads = AccessLogEntry.objects.filter(object_type="audit.checklistanswer", object_id=str(answer.pk))
    assert reads.filter(person_id=answer.item.person_id).count() == 2  # each read logged, with its person

    confirmed = first.post(f"{url}review/", {"answer": "yes"}, format="json", headers={"If-Match": seen_by_first})
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed["ETag"] != seen_by_first
    changes = ChangeEvent.objects.count()

    stale = second.post(f"{url}review/", {"answer": "no", "comment": "Deltog inte."}, format="json",
                        headers={"If-Match": seen_by_second})
    assert stale.status_code == 412 and "If-Match" in stale.json()["error"]["fields"]
    answer.refresh_from_db()
    assert (answer.answer, answer.reviewed_by_id, ChangeEvent.objects.count()) == ("yes", unit_manager.pk, changes)

    retried = second.post(f"{url}review/", {"answer": "no", "comment": "Deltog inte."}, format="json",
                          headers={"If-Match": confirmed["ETag"]})
    assert retried.status_code == 200 and retried.json()["overridden"] is True


def test_a_bulk_review_moves_each_answers_version(api_as, unit_manager):
    _cases(unit_manager.unit, 1)
    sample = services.sample_draw(
        actor=unit_manager, unit=unit_manager.unit, period_start=D(2026, 1, 1), period_end=D(2026, 6, 30), size=1
    )
    answers = list(ChecklistAnswer.objects.filter(item__sample=sample).order_by("pk")[:2])
    before = {a.pk: a.updated_at for a in answers}
    response = api_as(unit_manager).post("/api/v1/control/checklist-answers/review/bulk/", {"rows": [
        {"id": a.pk, "answer": "not_applicable", "comment": "Inte aktuellt här."} for a in answers
    ]}, format="json")
    assert response.status_code == 200, response.json()
    after = dict(ChecklistAnswer.objects.filter(pk__in=before).values_list("pk", "updated_at"))
    assert all(after[pk] > before[pk] for pk in before)
    shown = [datetime.datetime.fromisoformat(row["updated_at"]) for row in response.json()]
    assert shown == [after[a.pk] for a in answers]


def test_sample_finding_becomes_a_corrective_action(api_as, unit_manager):
    _cases(unit_manager.unit, 2)
    sample = services.sample_draw(
        actor=unit_manager, unit=unit_manager.unit, period_start=D(2026, 1, 1), period_end=D(2026, 6, 30), size=2
    )
    answer = ChecklistAnswer.objects.filter(item__sample=sample).first()
    due = timezone.localdate() + datetime.timedelta(days=30)
    response = api_as(unit_manager).post(
        "/api/v1/control/corrective-actions/",
        {"sample_answer": answer.pk, "description": "Utbilda i planskrivning", "owner": unit_manager.pk,
         "due_date": due.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    # One corrective action, tied to the finding (not to a flag), owned and dated as asked, planned,
    # recorded as a change about the sampled person.
    action = CorrectiveAction.objects.get()
    assert response.json()["id"] == action.pk
    assert (action.sample_answer_id, action.flag_id, action.description, action.owner_id, action.due_date,
            action.status, action.created_by_id) == (answer.pk, None, "Utbilda i planskrivning", unit_manager.pk,
                                                     due, ActionStatus.PLANNED, unit_manager.pk)
    event = ChangeEvent.objects.get(action="control_action.create")
    assert event.object_id == str(action.pk)
    assert event.person_id == answer.item.person_id


def test_parameter_out_of_range_is_refused_and_nothing_written(api_as, administrator, unit_manager):
    engine.rules_sync()
    parameter = RuleParameter.objects.get(rule__code="r01_follow_up_interval", key="interval_months")
    assert (parameter.value, parameter.default) == (1, 1)
    url = f"/api/v1/control/rule-parameters/{parameter.pk}/"
    events = ChangeEvent.objects.count()

    for bad in (-1, 0, 13):
        response = api_as(administrator).patch(url, {"value": bad}, format="json")
        assert response.status_code == 400 and "value" in response.json()["error"]["fields"]
    assert api_as(unit_manager).patch(url, {"value": 2}, format="json").status_code == 403
    parameter.refresh_from_db()
    assert parameter.value == 1 and ChangeEvent.objects.count() == events

    assert api_as(administrator).patch(url, {"value": 2}, format="json").json()["value"] == 2
    assert engine.parameters_for(engine.REGISTRY["r01_follow_up_interval"]) == {"interval_months": 2}


def test_every_rule_is_listed_with_source_and_severity(api_as, unit_manager):
    engine.rules_sync()
    rules = api_as(unit_manager).get("/api/v1/control/rules/").json()
    codes = [r["code"] for r in rules]
    assert sorted(codes) == sorted(engine.REGISTRY)
    # Cited as the audit or the law is cited, never by the developers' DOMAIN.md.
    assert all(r["source"].startswith(("Granskningsrapport 2025, avsnitt", "SoL ", "OSL ")) for r in rules), rules
    assert ControlSample.objects.count() == 0


def test_administrator_edits_a_parameter_in_the_admin_through_the_service(client, administrator):
    engine.rules_sync()
    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    administrator.user_permissions.add(*Permission.objects.filter(content_type__app_label="audit"))
    client.force_login(administrator)
    rule = Rule.objects.get(code="r11_closing_one_sided")
    parameter = rule.parameters.get()
    form = {
        "enabled": "on", "severity": rule.severity, "escalate_after_days": 7,
        "parameters-TOTAL_FORMS": 1, "parameters-INITIAL_FORMS": 1, "parameters-MIN_NUM_FORMS": 0,
        "parameters-MAX_NUM_FORMS": 1000, "parameters-0-id": parameter.pk, "parameters-0-rule": rule.pk,
        "parameters-0-value": 21,
    }
    response = client.post(f"/admin/audit/rule/{rule.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    parameter.refresh_from_db()
    rule.refresh_from_db()
    assert parameter.value == 21 and rule.escalate_after_days == 7
    assert ChangeEvent.objects.filter(action="control_parameter.update").count() == 1

    form["parameters-0-value"] = 500
    assert client.post(f"/admin/audit/rule/{rule.pk}/change/", form).status_code == 200  # form error shown
    parameter.refresh_from_db()
    assert parameter.value == 21

"""The coordinator unit's own control (DOMAIN.md 4; 004:583-605, 864-933; issue 10).

A sample can be drawn over the persons a unit works with (for the coordinator unit: persons with a
coordinator of the unit assigned in the period), not only over cases the unit holds; the sample
keeps its population with its seed. The reviewer sees the plan, its follow-ups and the case, may
answer "ej aktuellt" with a reason, and the prefill is planning.quality's own answer.

The fixture is built the way the auditors describe what they found (004:864-933): a complete plan,
a plan without a named responsible and without sub-goals (only possible as a draft), a plan without
a follow-up date that was not followed up within its validity, a plan without a long-term goal
whose validity has not run out, and a person with no plan at all.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.control import services
from audit.control.models import ChecklistAnswer, ChecklistValue, ControlSample, SamplePopulation
from audit.control.selectors import sample_results
from audit.models import AccessLogEntry
from audit.reports import get_report
from audit.reports.base import ReportParams, parse_period
from cases.models import CoordinatorAssignment, Role
from planning.models import PlanStatus
from tests.factories.cases import ApplicantFactory, CaseFactory, StaffFactory, UnitFactory
from tests.factories.planning import (
    FollowUpFactory,
    PlanActivityFactory,
    PlanFactory,
    SignedPlanFactory,
    SubgoalFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
SAMPLES = "/api/v1/control/samples/"
Y, N, NA = ChecklistValue.YES, ChecklistValue.NO, ChecklistValue.NOT_APPLICABLE


@pytest.fixture
def koord_manager(coordinator_unit):
    return StaffFactory(role=Role.UNIT_MANAGER, unit=coordinator_unit, first_name="Mats", last_name="Ek")


ASSIGNED_FROM = D(2024, 12, 1)


def _assigned(coordinator, name, start=ASSIGNED_FROM, end=None):
    person = ApplicantFactory(first_name=name)
    case = CaseFactory(with_applicant=person, opened_on=D(2024, 11, 1))
    CoordinatorAssignment.objects.create(case=case, applicant=person, coordinator=coordinator, start_date=start,
                                         end_date=end)
    return person


def _plan(factory, person, made_on, *, subgoal=True, responsible="Koordinator", **kwargs):
    plan = factory(applicant=person, made_on=made_on, created_by=kwargs.pop("by"), **kwargs)
    if subgoal:
        SubgoalFactory(plan=plan)
    PlanActivityFactory(plan=plan, responsible=responsible)
    return plan


@pytest.fixture
def audited(coordinator):
    """Five persons the coordinator unit works with in 2025, and two it does not."""
    by = coordinator
    complete = _assigned(by, "Komplett")
    plan = _plan(SignedPlanFactory, complete, D(2025, 3, 1), by=by)
    FollowUpFactory(plan=plan, followed_up_on=D(2025, 4, 1))
    # No named responsible, no sub-goals: such a plan cannot be signed, so it is a draft.
    draft = _assigned(by, "Utkast")
    _plan(PlanFactory, draft, D(2025, 5, 1), by=by, subgoal=False, responsible="", status=PlanStatus.DRAFT)
    # No follow-up date and no follow-up method; valid until 1 Aug 2025 and never followed up.
    undated = _assigned(by, "Utandatum")
    _plan(SignedPlanFactory, undated, D(2025, 2, 1), by=by, latest_follow_up_on=None, follow_up_method="")
    # No long-term goal, participation not documented; valid until 1 Apr 2026.
    no_goal = _assigned(by, "Utanmal")
    _plan(SignedPlanFactory, no_goal, D(2025, 10, 1), by=by, long_term_goal="", participation_recorded=None)
    no_plan = _assigned(by, "Utanplan")
    _assigned(by, "Tidigare", start=D(2024, 1, 1), end=D(2024, 6, 30))  # assignment ended before 2025
    _assigned(StaffFactory(role=Role.COORDINATOR, unit=UnitFactory(code="annan", name="Annan")), "Annan")
    return {"complete": complete, "draft": draft, "undated": undated, "no_goal": no_goal, "no_plan": no_plan}


# Hand-computed from the fixture, per question: (yes, no, not applicable). Order: complete, draft,
# undated, no_goal, no_plan. "Followed up within 6 months" is judged on the draft as it is (its six
# months ended on 1 Nov 2025 without a follow-up: no) and is not applicable for no_goal (its
# validity runs past the period's end).
EXPECTED = {
    "plan_made": (3, 2, 0),  # the draft and no plan: no
    "person_took_part": (3, 2, 0),  # no_goal's participation is not documented
    "goals_stated": (4, 1, 0),  # no_goal still states a sub-goal
    "how_carried_out": (4, 1, 0),
    "follow_up_stated": (3, 2, 0),  # undated, no plan
    "time_bound": (4, 1, 0),
    "follow_up_date": (3, 2, 0),
    "responsible_named": (3, 2, 0),  # the draft, no plan
    "participation_recorded": (3, 2, 0),
    "long_term_goal": (3, 2, 0),
    "sub_goals": (3, 2, 0),
    "activities": (4, 1, 0),
    "followed_up_within_6_months": (1, 3, 1),  # complete yes; draft, undated, no plan no
}


def _draw(manager, population=SamplePopulation.PERSONS, size=5, seed=7):
    return services.sample_draw(actor=manager, unit=manager.unit, period_start=START, period_end=END, size=size,
                                seed=seed, population=population)


def test_the_coordinator_unit_draws_over_the_persons_it_works_with(coordinator_unit, koord_manager, audited):
    # The cases population is empty for the coordinator unit: it holds no cases.
    assert services.sample_population(unit=coordinator_unit, period_start=START, period_end=END) == []
    pairs = services.sample_population(
        unit=coordinator_unit, period_start=START, period_end=END, population=SamplePopulation.PERSONS
    )
    assert sorted(p for _, p in pairs) == sorted(p.pk for p in audited.values())
    sample = _draw(koord_manager, size=3)
    again = _draw(koord_manager, size=3)
    assert (sample.population, sample.population_size, sample.seed) == (SamplePopulation.PERSONS, 5, 7)
    assert list(sample.items.values_list("person_id", "case_id")) == list(again.items.values_list("person_id", "case_id"))


def test_the_cases_population_is_still_the_cases_the_unit_holds(unit_manager):
    held = [CaseFactory(unit=unit_manager.unit, opened_on=D(2025, 2, 1)) for _ in range(3)]
    CaseFactory(unit=unit_manager.unit, opened_on=D(2024, 1, 1), status="closed", closed_on=D(2024, 6, 1),
                closing_reason="work")
    CaseFactory(unit=UnitFactory(code="annan", name="Annan"), opened_on=D(2025, 2, 1))
    pairs = services.sample_population(unit=unit_manager.unit, period_start=START, period_end=END)
    assert [c for c, _ in pairs] == [c.pk for c in held]
    assert [p for _, p in pairs] == [c.household.members.get().applicant_id for c in held]
    sample = _draw(unit_manager, population=SamplePopulation.CASES, size=3)
    assert (sample.population, sample.population_size) == (SamplePopulation.CASES, 3)


def test_counts_per_question_match_the_hand_computed_expectations(koord_manager, audited):
    sample = _draw(koord_manager)
    results = {r["question"]: (r["yes"], r["no"], r["not_applicable"]) for r in sample_results(sample=sample)}
    assert results == EXPECTED
    # The prefill is planning's answer with its reason; the judged plan is kept on the item.
    item = sample.items.get(person=audited["draft"])
    answer = item.answers.get(question="followed_up_within_6_months")
    assert answer.prefilled == N and answer.prefill_reason.startswith("Ingen uppföljning gjord under planens")
    assert item.plan.status == PlanStatus.DRAFT
    item = sample.items.get(person=audited["no_goal"])
    answer = item.answers.get(question="followed_up_within_6_months")
    assert answer.prefilled == NA and answer.prefill_reason.startswith("Ej aktuellt ännu: giltighetstiden löper")
    # Confirming the data's "ej aktuellt" keeps planning's reason as the reviewer's.
    services.checklist_answer_review(actor=koord_manager, answer=answer, value=NA)
    answer.refresh_from_db()
    assert (answer.answer, answer.comment, answer.overridden) == (NA, answer.prefill_reason, False)
    assert sample.items.get(person=audited["no_plan"]).plan is None


def test_not_applicable_needs_a_reason_and_is_counted_on_its_own(api_as, koord_manager, audited):
    sample = _draw(koord_manager)
    answer = ChecklistAnswer.objects.get(item__sample=sample, item__person=audited["no_plan"],
                                         question="followed_up_within_6_months")
    url = f"/api/v1/control/checklist-answers/{answer.pk}/review/"
    client = api_as(koord_manager)
    refused = client.post(url, {"answer": "not_applicable"}, format="json")
    assert refused.status_code == 400 and "comment" in refused.json()["error"]["fields"]
    bad = client.post(url, {"answer": "kanske", "comment": "x"}, format="json")
    assert bad.status_code == 400 and "answer" in bad.json()["error"]["fields"]
    answer.refresh_from_db()
    assert answer.answer == ""
    ok = client.post(url, {"answer": "not_applicable", "comment": "Ärendet avslutades efter två månader."},
                     format="json")
    assert ok.status_code == 200 and ok.json()["answer"] == NA
    results = {r["question"]: r for r in client.get(f"{SAMPLES}{sample.pk}/results/").json()}
    row = results["followed_up_within_6_months"]
    assert (row["yes"], row["no"], row["not_applicable"], row["reviewed"], row["of"]) == (1, 2, 2, 1, 5)

    # Board report 6 counts the same, not applicable in its own column, the share of the applicable.
    ControlSample.objects.filter(pk=sample.pk).update(created_at=timezone.make_aware(datetime.datetime(2025, 12, 31)))
    period = parse_period(kind="year", year=2025, number=None, today=D(2026, 1, 15))
    data = get_report("internal_control").build(ReportParams(period=period, unit_id=None, today=D(2026, 1, 15)))
    table = next(t for t in data.tables if t.key == "sample_questions")
    by_text = {r["question"]: r for r in table.rows}
    followed = next(r for q, r in by_text.items() if q.startswith("Har uppföljning genomförts"))
    assert (followed["yes"], followed["no"], followed["not_applicable"], followed["share_yes"]) == (1, 2, 2, 33.3)
    assert "Ej aktuellt" in [c.label for c in table.columns]


def test_api_draws_over_either_population_and_names_a_bad_choice(api_as, koord_manager, audited):
    client = api_as(koord_manager)
    body = {"period_from": "2025-01-01", "period_to": "2025-12-31", "size": 5}
    assert client.post(SAMPLES, body, format="json").status_code == 400  # no cases at the coordinator unit
    drawn = client.post(SAMPLES, {**body, "population": "unit_persons", "seed": 3}, format="json")
    assert drawn.status_code == 201, drawn.json()
    assert (drawn.json()["population"], drawn.json()["population_size"], drawn.json()["seed"]) == (
        "unit_persons", 5, 3)
    bad = client.post(SAMPLES, {**body, "population": "alla"}, format="json")
    assert bad.status_code == 400 and "population" in bad.json()["error"]["fields"]
    items = client.get(f"{SAMPLES}{drawn.json()['id']}/checklists/").json()
    assert {i["applicant"] for i in items} == {p.pk for p in audited.values()}
    logged = AccessLogEntry.objects.filter(actor_id=koord_manager.pk, object_type="audit.controlsampleitem")
    assert set(logged.values_list("person_id", flat=True)) == {p.pk for p in audited.values()}


def test_the_page_draws_over_persons_and_the_review_shows_plan_follow_ups_and_case(
    client, koord_manager, coordinator, audited
):
    client.force_login(koord_manager)
    response = client.post(reverse("sample-list"), {
        "population": "unit_persons", "period_start": "2025-01-01", "period_end": "2025-12-31", "size": 5,
    })
    sample = ControlSample.objects.get()
    assert response.status_code == 302 and sample.population == SamplePopulation.PERSONS
    item = sample.items.get(person=audited["complete"])
    body = client.get(reverse("sample-item-review", args=[item.pk])).content.decode()
    plan = item.plan
    for shown in (plan.long_term_goal, plan.subgoals.get().description, plan.activities.get().how,
                  plan.activities.get().responsible, "2025-04-01", str(coordinator), f"Ärende</dt><dd>{item.case_id}"):
        assert shown in body
    assert 'value="not_applicable"' in body and "Ej aktuellt" in body
    logged = AccessLogEntry.objects.filter(actor_id=koord_manager.pk, channel="ui", person_id=audited["complete"].pk)
    assert set(logged.values_list("object_type", flat=True)) >= {
        "audit.controlsampleitem", "cases.case", "planning.implementationplan"}
    # Not applicable without a reason is refused by the field, and nothing is saved.
    refused = client.post(reverse("sample-item-review", args=[item.pk]), {"activities-value": "not_applicable"})
    assert refused.status_code == 400 and "Ange varför frågan inte är aktuell." in refused.content.decode()
    assert not ChecklistAnswer.objects.filter(item=item).exclude(answer="").exists()
    saved = client.post(reverse("sample-item-review", args=[item.pk]), {
        "activities-value": "not_applicable", "activities-comment": "Personen arbetar redan heltid.",
    })
    assert saved.status_code == 302
    detail = client.get(reverse("sample-detail", args=[sample.pk])).content.decode()
    questions = ChecklistAnswer.objects.filter(item=item).count()
    assert detail.count(f"(1 av {questions} frågor granskade)") == 1
    assert detail.count(f"(0 av {questions} frågor granskade)") == 4


@pytest.mark.parametrize("page", ["review", "list", "detail", "api-checklists", "api-results"])
def test_review_pages_run_a_fixed_number_of_queries(client, koord_manager, coordinator, page,
                                                    django_assert_max_num_queries):
    client.force_login(koord_manager)
    counts = []
    for n in (2, 12):
        person = _assigned(coordinator, f"Person{n}")
        plan = SignedPlanFactory(applicant=person, made_on=D(2025, 3, 1), created_by=coordinator)
        for i in range(n):
            SubgoalFactory(plan=plan)
            PlanActivityFactory(plan=plan)
            FollowUpFactory(plan=plan, followed_up_on=D(2025, 3, 2) + datetime.timedelta(days=i))
        sample = _draw(koord_manager, size=1 if n == 2 else 2)
        item = sample.items.get(person=person) if sample.items.filter(person=person).exists() else sample.items.first()
        target = {"review": reverse("sample-item-review", args=[item.pk]), "list": reverse("sample-list"),
                  "detail": reverse("sample-detail", args=[sample.pk]),
                  "api-checklists": f"{SAMPLES}{sample.pk}/checklists/", "api-results": f"{SAMPLES}{sample.pk}/results/"}[page]
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(target).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]

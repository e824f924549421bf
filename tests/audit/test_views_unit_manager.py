"""The unit manager's pages: overview by rule and age, escalations, actions due; control samples."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.control.checklist import QUESTIONS
from audit.control.models import ChecklistAnswer, ControlSample, Flag, FlagStatus
from audit.control.services import sample_draw
from audit.models import AccessLogEntry
from cases.models import Role
from tests.factories.audit import CorrectiveActionFactory, FlagFactory
from tests.factories.cases import CaseFactory, StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = {"period_start": (TODAY - datetime.timedelta(days=60)).isoformat(), "period_end": TODAY.isoformat()}


@pytest.fixture
def cases(unit_manager):
    return [CaseFactory(unit=unit_manager.unit, opened_on=TODAY - datetime.timedelta(days=30)) for _ in range(4)]


def draw(unit_manager, size):
    return sample_draw(
        actor=unit_manager, unit=unit_manager.unit, period_start=TODAY - datetime.timedelta(days=60),
        period_end=TODAY, size=size, seed=7,
    )


@pytest.mark.parametrize("name", ["unit-overview", "sample-list"])
def test_coordinator_and_board_cannot_open_unit_manager_pages(client, coordinator, board_member, name):
    for user in (coordinator, board_member):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_other_units_sample_is_404(client, unit_manager, cases):
    sample = draw(unit_manager, 2)
    other = StaffFactory(role=Role.UNIT_MANAGER, username="annan-chef", unit=UnitFactory(code="koordinator"))
    client.force_login(other)
    assert client.get(reverse("sample-detail", args=[sample.pk])).status_code == 404
    item = sample.items.first()
    assert client.get(reverse("sample-item-review", args=[item.pk])).status_code == 404


def test_overview_counts_by_rule_and_age_lists_escalations_and_actions_due(client, unit_manager):
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit)
    young = FlagFactory(responsible=caseworker, first_seen=TODAY - datetime.timedelta(days=2))
    old = FlagFactory(responsible=caseworker, first_seen=TODAY - datetime.timedelta(days=40))
    Flag.objects.filter(pk=old.pk).update(escalated_at=timezone.now(), escalated_to=unit_manager)
    CorrectiveActionFactory(flag=young, description="Ring personen", due_date=TODAY - datetime.timedelta(days=1))
    FlagFactory(responsible=caseworker, status=FlagStatus.CLOSED)
    client.force_login(unit_manager)
    response = client.get(reverse("unit-overview"))
    assert response.status_code == 200
    (row,) = response.context["by_rule"]
    assert [n for n, _, _ in row["bands"]] == [1, 0, 1, 0] and row["total"] == 2
    body = response.content.decode()
    assert old.person.full_name in body and "Ring personen" in body and "försenad" in body
    logged = AccessLogEntry.objects.filter(channel="ui", actor_id=unit_manager.pk)
    assert set(logged.values_list("person_id", flat=True)) == {old.person_id, young.person_id}


def test_draw_sample_through_the_page(client, unit_manager, cases):
    client.force_login(unit_manager)
    response = client.post(reverse("sample-list"), {**PERIOD, "size": 3})
    sample = ControlSample.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sample-detail", args=[sample.pk])
    assert (sample.size, sample.population_size, sample.unit) == (3, 4, unit_manager.unit)
    assert ChecklistAnswer.objects.filter(item__sample=sample).count() == 3 * len(QUESTIONS)


def test_too_large_sample_is_refused_by_the_service_and_nothing_is_written(client, unit_manager, cases):
    client.force_login(unit_manager)
    response = client.post(reverse("sample-list"), {**PERIOD, "size": 9})
    assert response.status_code == 400
    assert "Stickprovet (9) är större än populationen (4 ärenden)." in response.content.decode()
    assert ControlSample.objects.count() == 0


def test_review_changes_the_result_per_question(client, unit_manager, cases):
    sample = draw(unit_manager, 3)
    item = sample.items.order_by("position").first()
    client.force_login(unit_manager)
    detail = client.get(reverse("sample-detail", args=[sample.pk]))
    follow_up = next(r for r in detail.context["results"] if r["question"] == "follow_up_stated")
    assert (follow_up["yes"], follow_up["of"]) == (0, 3)
    # These persons have no plan: the prefill says "no"; answering "yes" is an override with a comment.
    response = client.post(reverse("sample-item-review", args=[item.pk]), {
        "follow_up_stated-value": "yes", "follow_up_stated-comment": "Står i journalen.", "plan_made-value": "no",
    })
    assert response.status_code == 302
    detail = client.get(reverse("sample-detail", args=[sample.pk]))
    results = {r["question"]: r for r in detail.context["results"]}
    assert (results["follow_up_stated"]["yes"], results["follow_up_stated"]["reviewed"]) == (1, 1)
    assert (results["plan_made"]["yes"], results["plan_made"]["reviewed"]) == (0, 1)
    follow_up_text = next(q.text for q in QUESTIONS if q.code == "follow_up_stated")
    assert follow_up_text in detail.content.decode()


def test_override_without_comment_saves_no_answer(client, unit_manager, cases):
    sample = draw(unit_manager, 2)
    item = sample.items.order_by("position").first()
    # The data said "yes"; saying "no" is an override and needs a comment.
    ChecklistAnswer.objects.filter(item=item, question="plan_made").update(prefilled="yes")
    client.force_login(unit_manager)
    response = client.post(
        reverse("sample-item-review", args=[item.pk]), {"follow_up_stated-value": "yes", "plan_made-value": "no"}
    )
    assert response.status_code == 400
    assert "Motivera varför du ändrar det förifyllda svaret." in response.content.decode()
    assert not ChecklistAnswer.objects.filter(item=item).exclude(answer="").exists()
    ok = client.post(reverse("sample-item-review", args=[item.pk]), {
        "plan_made-value": "no", "plan_made-comment": "Planen saknar underskrift",
    })
    assert ok.status_code == 302
    answer = ChecklistAnswer.objects.get(item=item, question="plan_made")
    assert (answer.answer, answer.overridden) == ("no", True)


@pytest.mark.parametrize("page", ["unit-overview", "sample-list", "sample-detail", "sample-item-review"])
def test_fixed_number_of_queries(client, unit_manager, django_assert_max_num_queries, page):
    client.force_login(unit_manager)
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit)
    counts = []
    for n in (2, 20):
        while Flag.objects.count() < n:
            flag = FlagFactory(responsible=caseworker, first_seen=TODAY - datetime.timedelta(days=Flag.objects.count()))
            Flag.objects.filter(pk=flag.pk).update(escalated_at=timezone.now())
            CorrectiveActionFactory(flag=flag)
            CaseFactory(unit=unit_manager.unit, opened_on=TODAY - datetime.timedelta(days=10))
        sample = draw(unit_manager, n)
        # Findings too ("no" answers, each with an action), so the detail page lists n of them.
        for answer in ChecklistAnswer.objects.filter(item__sample=sample, question="plan_made"):
            ChecklistAnswer.objects.filter(pk=answer.pk).update(answer="no")
            CorrectiveActionFactory(flag=None, sample_answer=answer, owner=unit_manager, created_by=unit_manager)
        target = {
            "unit-overview": reverse("unit-overview"),
            "sample-list": reverse("sample-list"),
            "sample-detail": reverse("sample-detail", args=[sample.pk]),
            "sample-item-review": reverse("sample-item-review", args=[sample.items.first().pk]),
        }[page]
        with django_assert_max_num_queries(14) as ctx:
            assert client.get(target).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_start_page_links_to_the_unit_managers_pages(client, unit_manager):
    client.force_login(unit_manager)
    body = client.get("/").content.decode()
    assert reverse("unit-overview") in body and reverse("sample-list") in body and reverse("flag-list") in body


def test_a_finding_becomes_a_corrective_action(client, unit_manager, cases):
    sample = draw(unit_manager, 2)
    answer = ChecklistAnswer.objects.filter(item__sample=sample, question="sub_goals").first()
    ChecklistAnswer.objects.filter(pk=answer.pk).update(answer="no", comment="")
    client.force_login(unit_manager)
    url = reverse("sample-detail", args=[sample.pk])
    page = client.get(url).content.decode()
    assert "Brister att åtgärda" in page and f'name="svar_id" value="{answer.pk}"' in page
    bad = client.post(url, {"svar_id": answer.pk, f"svar{answer.pk}-description": ""})
    assert bad.status_code == 400 and "Beskriv åtgärden." in bad.content.decode()
    assert not answer.actions.exists()
    due = (TODAY + datetime.timedelta(days=10)).isoformat()
    ok = client.post(url, {
        "svar_id": answer.pk, f"svar{answer.pk}-description": "Utbilda i delmål", f"svar{answer.pk}-owner": unit_manager.pk,
        f"svar{answer.pk}-due_date": due,
    })
    assert ok.status_code == 302
    action = answer.actions.get()
    assert (action.description, action.owner, action.flag) == ("Utbilda i delmål", unit_manager, None)
    assert "Utbilda i delmål" in client.get(reverse("unit-overview")).content.decode()


def test_an_age_cell_opens_the_worklist_filtered_by_rule_and_age(client, unit_manager):
    caseworker = StaffFactory(role=Role.CASEWORKER, unit=unit_manager.unit)
    young = FlagFactory(responsible=caseworker, first_seen=TODAY - datetime.timedelta(days=2))
    old = FlagFactory(responsible=caseworker, first_seen=TODAY - datetime.timedelta(days=40))
    client.force_login(unit_manager)
    overview = client.get(reverse("unit-overview")).content.decode()
    link = f"{reverse('flag-list')}?regel={old.rule.code}&amp;min_dagar=31&amp;max_dagar=90"
    assert link in overview
    body = client.get(link.replace("&amp;", "&")).content.decode()
    assert old.person.full_name in body and young.person.full_name not in body

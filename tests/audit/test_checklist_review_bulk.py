"""A sampled case's whole checklist reviewed in one API request (issue 15, the bulk pattern of
config/api/bulk.py): all answers or none, each row's errors named, only the reviewer's own
samples, a bounded number of rows, a fixed number of queries; and the review page saves a case's
questions through the same set-based service."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audit.control import services
from audit.control.models import ChecklistAnswer
from audit.models import AccessLogEntry, ChangeEvent
from cases.models import Role
from tests.audit.test_samples_and_parameters import _cases
from tests.factories.cases import StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/api/v1/control/checklist-answers/review/bulk/"


def draw(manager, size):
    _cases(manager.unit, size)
    return services.sample_draw(actor=manager, unit=manager.unit, period_start=D(2026, 1, 1),
                                period_end=D(2026, 6, 30), size=size)


def confirming(answers):
    """Rows that confirm each prefilled answer (yes where the data could not tell)."""
    return [{"id": a.pk, "answer": a.prefilled or "yes"} for a in answers]


def fields(response) -> dict:
    return response.json()["error"].get("fields", {})


def test_a_cases_checklist_is_reviewed_in_one_request(api_as, unit_manager):
    sample = draw(unit_manager, 2)
    answers = list(ChecklistAnswer.objects.filter(item__sample=sample, item__position=1).order_by("pk"))
    response = api_as(unit_manager).post(URL, {"rows": confirming(answers)}, format="json")
    assert response.status_code == 200, response.json()
    assert [a["id"] for a in response.json()] == [a.pk for a in answers]
    assert all(a["answer"] and a["reviewed_by"] == unit_manager.pk for a in response.json())
    assert not ChecklistAnswer.objects.filter(item__sample=sample, item__position=1, answer="").exists()
    assert ChecklistAnswer.objects.filter(item__sample=sample, item__position=2, answer="").count() == len(answers)
    assert ChangeEvent.objects.filter(action="control_sample.review").count() == len(answers)
    logged = AccessLogEntry.objects.filter(object_type="audit.checklistanswer", action="update")
    assert logged.count() == len(answers)


def test_one_bad_row_writes_nothing_and_every_row_is_named(api_as, unit_manager):
    sample = draw(unit_manager, 1)
    answers = list(ChecklistAnswer.objects.filter(item__sample=sample).exclude(prefilled="not_applicable")
                   .order_by("pk"))
    rows = confirming(answers)
    rows[1]["answer"] = "not_applicable"  # "ej aktuellt" needs a reason
    rows[2]["answer"] = "kanske"
    response = api_as(unit_manager).post(URL, {"rows": rows}, format="json")
    assert response.status_code == 400
    assert set(fields(response)) == {"rows[2].answer"}  # a value that is no answer at all, first
    rows[2]["answer"] = answers[2].prefilled or "yes"
    response = api_as(unit_manager).post(URL, {"rows": rows}, format="json")
    assert set(fields(response)) == {"rows[1].comment"}
    assert fields(response)["rows[1].comment"][0]["code"] == "required"
    assert not ChecklistAnswer.objects.exclude(answer="").exists()
    assert not ChangeEvent.objects.filter(action="control_sample.review").exists()


def test_another_units_answer_is_a_row_error_and_nothing_is_written(api_as, unit_manager):
    mine = draw(unit_manager, 1)
    other_manager = StaffFactory(role=Role.UNIT_MANAGER, unit=UnitFactory(code="annan-enhet"))
    theirs = draw(other_manager, 1)
    rows = confirming(ChecklistAnswer.objects.filter(item__sample=mine).order_by("pk")[:2])
    rows += confirming(ChecklistAnswer.objects.filter(item__sample=theirs)[:1])
    rows.append({"id": rows[0]["id"], "answer": "yes"})
    response = api_as(unit_manager).post(URL, {"rows": rows}, format="json")
    assert response.status_code == 400
    assert set(fields(response)) == {"rows[2].id", "rows[3].id"}
    assert [fields(response)[k][0]["code"] for k in ("rows[2].id", "rows[3].id")] == ["not_found", "duplicate"]
    assert not ChecklistAnswer.objects.exclude(answer="").exists()
    assert api_as(other_manager).post(URL, {"rows": rows[:2]}, format="json").status_code == 400


def test_the_number_of_rows_is_bounded(api_as, unit_manager, settings):
    settings.API_BULK_MAX_ROWS = 2
    sample = draw(unit_manager, 1)
    rows = confirming(ChecklistAnswer.objects.filter(item__sample=sample)[:3])
    response = api_as(unit_manager).post(URL, {"rows": rows}, format="json")
    assert response.status_code == 400 and list(fields(response)) == ["rows"]
    assert not ChecklistAnswer.objects.exclude(answer="").exists()


def test_a_fixed_number_of_queries_whatever_the_number_of_rows(api_as, unit_manager, django_assert_max_num_queries):
    sample = draw(unit_manager, 3)
    client = api_as(unit_manager)
    counts = []
    for positions in ((1,), (2, 3)):
        answers = ChecklistAnswer.objects.filter(item__sample=sample, item__position__in=positions)
        with django_assert_max_num_queries(20) as ctx:
            assert client.post(URL, {"rows": confirming(answers)}, format="json").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_review_page_saves_a_cases_questions_in_one_service_call(client, unit_manager,
                                                                     django_assert_max_num_queries):
    sample = draw(unit_manager, 2)
    client.force_login(unit_manager)
    counts = []
    for item in sample.items.order_by("position"):
        answers = list(item.answers.order_by("pk"))
        data = {f"{a.question}-value": a.prefilled or "yes" for a in answers}
        data.update({f"{a.question}-comment": "" for a in answers})
        data[f"{answers[0].question}-value"] = ""  # a question left for later is not saved
        with django_assert_max_num_queries(60) as ctx:
            response = client.post(reverse("sample-item-review", args=[item.pk]), data)
        assert response.status_code == 302
        writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "audit_checklistanswer"')]
        counts.append(len(writes))
        assert item.answers.exclude(answer="").count() == len(answers) - 1
    assert counts == [1, 1]  # one UPDATE for every question of the case (it was one per question)

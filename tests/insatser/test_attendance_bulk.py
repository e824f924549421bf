"""A group's weekly attendance in one API request (issue 15): all rows or none, every row's errors
named by index and field, every row in the caller's scope, a bounded number of rows, a fixed
number of queries whatever the number, and a retried request with its Idempotency-Key answered
without a second write."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from audit.models import AccessLogEntry, ChangeEvent
from cases.models import Role
from config.api.idempotency import HEADER
from insatser.models import WeeklyAttendance
from tests.factories.cases import StaffFactory, UnitFactory
from tests.factories.insatser import InsatsFactory, ParticipationFactory, WeeklyAttendanceFactory
from tests.insatser.test_attendance_views import last_monday

pytestmark = pytest.mark.django_db

URL = "/api/v1/participations/attendance/bulk/"


def group_of(insats_staff, n):
    insats = InsatsFactory(provider_unit=insats_staff.unit)
    start = last_monday() - datetime.timedelta(days=14)
    return [ParticipationFactory(insats=insats, start_date=start) for _ in range(n)]


def body(participations, hours=None, week=None):
    return {
        "week_start": (week or last_monday()).isoformat(),
        "rows": [{"participation": p.pk, "attended_hours": str(h)}
                 for p, h in zip(participations, hours or [30] * len(participations), strict=True)],
    }


def post(client, data, key=None):
    return client.post(URL, data, format="json", headers={HEADER: key} if key else {})


def fields(response) -> dict:
    return response.json()["error"].get("fields", {})


def test_a_group_week_is_created_and_corrected_in_one_request(api_as, insats_staff):
    group = group_of(insats_staff, 3)
    old = WeeklyAttendanceFactory(participation=group[0], week_start=last_monday(), attended_hours=Decimal(10))
    data = body(group, [12, 40, "0"])
    data["rows"][0]["note"] = "Sjuk en dag."
    response = post(api_as(insats_staff), data)
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["written"] == 3 and answer["week_start"] == last_monday().isoformat()
    assert [(r["participation"], Decimal(r["attended_hours"])) for r in answer["rows"]] == [
        (group[0].pk, Decimal(12)), (group[1].pk, Decimal(40)), (group[2].pk, Decimal(0))]
    assert answer["rows"][0]["id"] == old.pk and all(r["id"] for r in answer["rows"])
    old.refresh_from_db()
    assert (old.attended_hours, old.note, old.reported_by_id) == (Decimal(12), "Sjuk en dag.", insats_staff.pk)
    events = ChangeEvent.objects.filter(action="attendance.report")
    assert sorted(events.values_list("person_id", flat=True)) == sorted(p.applicant_id for p in group)
    logged = AccessLogEntry.objects.filter(object_type="insatser.weeklyattendance", actor_id=insats_staff.pk)
    assert sorted(logged.values_list("action", "person_id")) == sorted(
        [("update", group[0].applicant_id), ("create", group[1].applicant_id), ("create", group[2].applicant_id)])


def test_an_unchanged_row_is_left_alone_and_logged_as_read(api_as, insats_staff):
    group = group_of(insats_staff, 2)
    same = WeeklyAttendanceFactory(participation=group[0], week_start=last_monday(), attended_hours=Decimal(30))
    response = post(api_as(insats_staff), body(group, [30, 20]))
    assert response.status_code == 200 and response.json()["written"] == 1
    assert not ChangeEvent.objects.filter(object_id=str(same.pk)).exists()
    read = AccessLogEntry.objects.filter(object_type="insatser.weeklyattendance", action="read")
    assert list(read.values_list("object_id", "person_id")) == [(str(same.pk), group[0].applicant_id)]


def test_one_bad_row_writes_nothing_for_the_rows_before_it(api_as, insats_staff):
    group = group_of(insats_staff, 4)
    WeeklyAttendanceFactory(participation=group[0], week_start=last_monday(), attended_hours=Decimal(10))
    before = ChangeEvent.objects.count(), AccessLogEntry.objects.count()
    response = post(api_as(insats_staff), body(group, [12, 20, 30, 500]))  # more hours than a week has
    assert response.status_code == 400
    assert set(fields(response)) == {"rows[3].attended_hours"}
    assert fields(response)["rows[3].attended_hours"][0]["code"] == "max_value"
    assert list(WeeklyAttendance.objects.values_list("attended_hours", flat=True)) == [Decimal(10)]
    assert (ChangeEvent.objects.count(), AccessLogEntry.objects.count()) == before


def test_every_rows_errors_are_named_at_once(api_as, insats_staff):
    group = group_of(insats_staff, 3)
    data = body(group, [-1, 20, "mycket"])
    del data["rows"][1]["participation"]
    response = post(api_as(insats_staff), data)
    assert response.status_code == 400
    assert set(fields(response)) == {"rows[0].attended_hours", "rows[1].participation", "rows[2].attended_hours"}
    late = body(group, [500, 20, 200])
    response = post(api_as(insats_staff), late)
    assert set(fields(response)) == {"rows[0].attended_hours", "rows[2].attended_hours"}
    assert not WeeklyAttendance.objects.exists()


def test_a_participation_twice_is_named_on_its_later_row(api_as, insats_staff):
    group = group_of(insats_staff, 2)
    response = post(api_as(insats_staff), body([group[0], group[1], group[0]], [10, 20, 30]))
    assert response.status_code == 400
    assert set(fields(response)) == {"rows[2].participation"}
    assert fields(response)["rows[2].participation"][0]["code"] == "duplicate"
    assert not WeeklyAttendance.objects.exists()


def test_a_row_outside_the_callers_unit_is_a_row_error_and_nothing_is_written(api_as, insats_staff):
    group = group_of(insats_staff, 2)
    elsewhere = ParticipationFactory(insats=InsatsFactory(provider_unit=UnitFactory(code="annan")),
                                     start_date=group[0].start_date)
    data = body([group[0], elsewhere, group[1]])
    data["rows"].append({"participation": 2**31 - 1, "attended_hours": "5"})  # no such participation
    response = post(api_as(insats_staff), data)
    assert response.status_code == 400
    errors = fields(response)
    assert set(errors) == {"rows[1].participation", "rows[3].participation"}
    # The same answer for another unit's participation as for none at all: nothing is disclosed.
    assert errors["rows[1].participation"] == errors["rows[3].participation"]
    assert not WeeklyAttendance.objects.exists() and not ChangeEvent.objects.exists()


def test_only_the_insats_staff_report_and_the_week_is_named_by_its_monday(api_as, insats_staff, coordinator):
    group = group_of(insats_staff, 1)
    assert post(api_as(coordinator), body(group)).status_code == 403
    other_staff = StaffFactory(role=Role.INSATS_STAFF, unit=UnitFactory(code="parketten"))
    assert set(fields(post(api_as(other_staff), body(group)))) == {"rows[0].participation"}
    tuesday = post(api_as(insats_staff), body(group, week=last_monday() + datetime.timedelta(days=1)))
    assert set(fields(tuesday)) == {"week_start"}
    coming = post(api_as(insats_staff), body(group, week=last_monday() + datetime.timedelta(days=14)))
    assert set(fields(coming)) == {"week_start"}
    assert not WeeklyAttendance.objects.exists()


def test_the_number_of_rows_is_bounded_by_the_setting(api_as, insats_staff, settings):
    settings.API_BULK_MAX_ROWS = 3
    group = group_of(insats_staff, 4)
    response = post(api_as(insats_staff), body(group))
    assert response.status_code == 400
    assert list(fields(response)) == ["rows"] and fields(response)["rows"][0]["code"] == "max_length"
    assert post(api_as(insats_staff), body(group[:3])).status_code == 200
    empty = post(api_as(insats_staff), body([]))
    assert list(fields(empty)) == ["rows"]
    assert WeeklyAttendance.objects.count() == 3


def test_the_default_bound_is_larger_than_a_nested_lists(api_as, insats_staff, settings):
    """200 rows by default, not config/limits.py's 100 for the lists inside one record."""
    assert settings.API_BULK_MAX_ROWS == 200
    group = group_of(insats_staff, 101)
    assert post(api_as(insats_staff), body(group)).status_code == 200
    assert WeeklyAttendance.objects.count() == 101


def test_a_fixed_number_of_queries_whatever_the_number_of_rows(api_as, insats_staff, django_assert_max_num_queries):
    client = api_as(insats_staff)
    counts = []
    for n in (5, 50):
        group = group_of(insats_staff, n)
        for p in group[: n // 2]:  # half corrected, half new
            WeeklyAttendanceFactory(participation=p, week_start=last_monday(), attended_hours=Decimal(1))
        with django_assert_max_num_queries(20) as ctx:
            response = post(client, body(group, [31] * n), key=f"bulk-{n}")
        assert response.status_code == 200 and response.json()["written"] == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_retry_with_the_same_key_answers_the_first_result_without_writing_again(api_as, insats_staff):
    group = group_of(insats_staff, 3)
    client = api_as(insats_staff)
    first = post(client, body(group, [10, 20, 30]), key="vecka-47")
    written = ChangeEvent.objects.count(), AccessLogEntry.objects.count()
    again = post(client, body(group, [10, 20, 30]), key="vecka-47")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert (ChangeEvent.objects.count(), AccessLogEntry.objects.count()) == written
    other = post(client, body(group, [11, 20, 30]), key="vecka-47")
    assert other.status_code == 422 and list(fields(other)) == [HEADER]
    assert WeeklyAttendance.objects.get(participation=group[0]).attended_hours == Decimal(10)


def test_the_schema_documents_the_bound_and_an_example(settings):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    op = schema["paths"][URL]["post"]
    assert HEADER in {p["name"] for p in op["parameters"]}
    content = op["requestBody"]["content"]["application/json"]
    example = next(iter(content["examples"].values()))["value"]
    assert example["week_start"] and len(example["rows"]) > 1
    request = schema["components"]["schemas"][content["schema"]["$ref"].rsplit("/", 1)[1]]
    assert (request["properties"]["rows"]["minItems"], request["properties"]["rows"]["maxItems"]) == (
        1, settings.API_BULK_MAX_ROWS)
    assert "rows[" in str(op["responses"]["400"]["content"]["application/json"]["examples"])

"""The insats staff's attendance page: one form for the whole group, saved through the service."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from cases.models import Role
from insatser.forms_attendance import week_value
from insatser.models import WeeklyAttendance
from tests.factories.cases import StaffFactory
from tests.factories.insatser import InsatsFactory, ParticipationFactory, WeeklyAttendanceFactory

pytestmark = pytest.mark.django_db


def last_monday():
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday() + 7)


def attendance_group(insats_staff):
    """An insats at the staff's unit with three participants running since before last week."""
    insats = InsatsFactory(provider_unit=insats_staff.unit, name="Praktik Parketten")
    start = last_monday() - datetime.timedelta(days=14)
    return insats, [ParticipationFactory(insats=insats, start_date=start) for _ in range(3)]


@pytest.fixture
def group(insats_staff):
    return attendance_group(insats_staff)


def url(insats, monday):
    return f"{reverse('attendance-week')}?insats={insats.pk}&vecka={week_value(monday)}"


def post_rows(participations, hours, notes=None):
    data = {}
    for i, p in enumerate(participations):
        data[f"p{p.pk}-attended_hours"] = hours[i]
        data[f"p{p.pk}-note"] = (notes or {}).get(i, "")
    return data


def test_page_lists_the_group_and_logs_the_view(client, insats_staff, group):
    insats, participations = group
    client.force_login(insats_staff)
    response = client.get(url(insats, last_monday()))
    assert response.status_code == 200
    body = response.content.decode()
    for p in participations:
        assert p.applicant.full_name in body
        assert p.applicant.personal_identity_number not in body
    assert 'name="csrfmiddlewaretoken"' in body
    logged = AccessLogEntry.objects.filter(channel="ui", object_type="insatser.participation", actor_id=insats_staff.pk)
    assert set(logged.values_list("person_id", flat=True)) == {p.applicant_id for p in participations}


def test_saving_the_whole_group_in_one_post(client, insats_staff, group):
    insats, participations = group
    monday = last_monday()
    WeeklyAttendanceFactory(participation=participations[2], week_start=monday, attended_hours=Decimal(10))
    client.force_login(insats_staff)
    response = client.post(url(insats, monday), post_rows(participations, ["32,5", "40", "12"], {1: "Sjuk fredag"}))
    assert response.status_code == 302
    rows = {a.participation_id: a for a in WeeklyAttendance.objects.filter(week_start=monday)}
    assert rows[participations[0].pk].attended_hours == Decimal("32.5")
    assert rows[participations[1].pk].note == "Sjuk fredag"
    assert rows[participations[2].pk].attended_hours == Decimal(12)
    assert rows[participations[2].pk].reported_by == insats_staff


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (["20", "8", "abc"], "Fyll i ett tal."),
        # More hours than a week has: the model's validator, run by the service's full_clean.
        (["20", "200", "8"], "mindre än eller lika med 168"),
    ],
)
def test_one_bad_row_saves_nothing_and_shows_the_error_next_to_it(client, insats_staff, group, hours, message):
    insats, participations = group
    client.force_login(insats_staff)
    response = client.post(url(insats, last_monday()), post_rows(participations, hours))
    assert response.status_code == 400
    assert WeeklyAttendance.objects.count() == 0
    body = response.content.decode()
    assert message in body
    assert body.count('aria-invalid="true"') == 1


def test_service_error_for_a_future_week_rolls_back_every_row(client, insats_staff, group):
    insats, participations = group
    client.force_login(insats_staff)
    next_monday = last_monday() + datetime.timedelta(days=14)
    response = client.post(url(insats, next_monday), post_rows(participations, ["8", "8", "8"]))
    assert response.status_code == 400
    assert WeeklyAttendance.objects.count() == 0
    assert "Närvaro kan inte rapporteras för en kommande vecka." in response.content.decode()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.BOARD, Role.UNIT_MANAGER])
def test_other_roles_get_403(client, role, group, insats_unit):
    user = StaffFactory(role=role, unit=None if role == Role.BOARD else insats_unit)
    client.force_login(user)
    assert client.get(reverse("attendance-week")).status_code == 403
    assert client.get(reverse("attendance-participants")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("attendance-week"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_at_another_unit_see_no_participant(client, group):
    insats, participations = group
    other = StaffFactory(role=Role.INSATS_STAFF, username="annan")
    client.force_login(other)
    response = client.get(url(insats, last_monday()))
    body = response.content.decode()
    assert all(p.applicant.full_name not in body for p in participations)
    assert client.get(reverse("attendance-participants")).content.decode().count("<tr>") == 0


@pytest.mark.parametrize("page", ["attendance-week", "attendance-participants"])
def test_fixed_number_of_queries(client, insats_staff, django_assert_max_num_queries, page):
    insats = InsatsFactory(provider_unit=insats_staff.unit)
    start = last_monday() - datetime.timedelta(days=14)
    client.force_login(insats_staff)
    counts = []
    for n in (2, 20):
        while insats.participations.count() < n:
            p = ParticipationFactory(insats=insats, start_date=start)
            WeeklyAttendanceFactory(participation=p, week_start=last_monday())
        target = url(insats, last_monday()) if page == "attendance-week" else reverse(page)
        with django_assert_max_num_queries(12) as ctx:
            assert client.get(target).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_saving_the_week_runs_a_fixed_number_of_queries(client, insats_staff, django_assert_max_num_queries):
    """2 or 20 participants: one service call, set-based writes and audit trail."""
    insats = InsatsFactory(provider_unit=insats_staff.unit)
    start = last_monday() - datetime.timedelta(days=14)
    client.force_login(insats_staff)
    counts = []
    for n, hours in ((2, "30"), (20, "31")):
        while insats.participations.count() < n:
            ParticipationFactory(insats=insats, start_date=start)
        participations = list(insats.participations.order_by("pk"))
        # half the rows already reported (an update), half new (a create)
        for p in participations[: n // 2]:
            WeeklyAttendance.objects.filter(participation=p, week_start=last_monday()).delete()
            WeeklyAttendanceFactory(participation=p, week_start=last_monday(), attended_hours=Decimal(1))
        with django_assert_max_num_queries(40) as ctx:
            response = client.post(url(insats, last_monday()), post_rows(participations, [hours] * n))
        assert response.status_code == 302
        counts.append(len(ctx.captured_queries))
        assert set(WeeklyAttendance.objects.filter(week_start=last_monday()).values_list("attended_hours", flat=True)) \
            == {Decimal(hours)}
    assert counts[0] == counts[1]

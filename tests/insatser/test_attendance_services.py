"""attendance_report_week: the whole week's list in one call, all rows or none, audited per row."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import ChangeEvent
from insatser.attendance_services import AttendanceRow, attendance_report_week
from insatser.models import WeeklyAttendance
from tests.factories.cases import UnitFactory
from tests.factories.insatser import InsatsFactory, ParticipationFactory, WeeklyAttendanceFactory
from tests.insatser.test_attendance_views import attendance_group, last_monday

pytestmark = pytest.mark.django_db


_monday = last_monday


@pytest.fixture
def rows(insats_staff):
    return attendance_group(insats_staff)[1]


def test_creates_and_corrects_rows_and_records_each_change(insats_staff, rows):
    old = WeeklyAttendanceFactory(participation=rows[0], week_start=_monday(), attended_hours=Decimal(10))
    saved = attendance_report_week(actor=insats_staff, week_start=_monday(), rows=[
        AttendanceRow(rows[0].pk, Decimal(12), "sjuk en dag"), AttendanceRow(rows[1].pk, Decimal(40)),
    ])
    assert saved.written == 2 and [r.participation_id for r in saved.rows] == [rows[0].pk, rows[1].pk]
    old.refresh_from_db()
    assert (old.attended_hours, old.note, old.reported_by_id) == (Decimal(12), "sjuk en dag", insats_staff.pk)
    assert WeeklyAttendance.objects.get(participation=rows[1]).attended_hours == Decimal(40)
    events = ChangeEvent.objects.filter(action="attendance.report")
    assert {e.person_id for e in events} == {rows[0].applicant_id, rows[1].applicant_id}
    corrected = events.get(person_id=rows[0].applicant_id)
    assert [Decimal(v) for v in corrected.changes["attended_hours"]] == [Decimal(10), Decimal(12)]
    assert events.get(person_id=rows[1].applicant_id).changes["attended_hours"][0] is None


def test_one_bad_row_saves_nothing_and_names_its_row(insats_staff, rows):
    with pytest.raises(ValidationError) as exc:
        attendance_report_week(actor=insats_staff, week_start=_monday(), rows=[
            AttendanceRow(rows[0].pk, Decimal(12)), AttendanceRow(rows[1].pk, Decimal(500)),
        ])
    assert set(exc.value.message_dict) == {"rows[1].attended_hours"}
    assert WeeklyAttendance.objects.count() == 0 and ChangeEvent.objects.count() == 0


def test_a_participation_at_another_unit_is_refused(insats_staff, rows):
    elsewhere = InsatsFactory(provider_unit=UnitFactory(code="annan-enhet", name="Annan enhet"))
    other = ParticipationFactory(insats=elsewhere, start_date=rows[0].start_date)
    with pytest.raises(ValidationError) as exc:
        attendance_report_week(actor=insats_staff, week_start=_monday(), rows=[
            AttendanceRow(rows[0].pk, Decimal(12)), AttendanceRow(other.pk, Decimal(12)),
        ])
    assert set(exc.value.message_dict) == {"rows[1].participation"}
    assert WeeklyAttendance.objects.count() == 0


def test_a_week_not_starting_on_monday_is_refused(insats_staff, rows):
    with pytest.raises(ValidationError) as exc:
        attendance_report_week(actor=insats_staff, week_start=_monday() + datetime.timedelta(days=1),
                               rows=[AttendanceRow(rows[0].pk, Decimal(12))])
    assert set(exc.value.message_dict) == {"week_start"}

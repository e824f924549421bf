"""Staff membership over time: a spell of role and unit per change, written on every save of a Staff
that changes either, so the loggkontroll can judge a read by the reader's scope at the time."""

import importlib

import pytest
from django.apps import apps as django_apps

from cases.models import Role, StaffAssignmentPeriod
from tests.factories.cases import StaffFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _spells(staff):
    return list(StaffAssignmentPeriod.objects.filter(staff=staff).order_by("pk").values_list(
        "role", "unit_id", "started_at", "ended_at"))


def test_a_new_member_of_staff_has_one_open_spell_without_a_start():
    staff = StaffFactory(role=Role.CASEWORKER)
    assert _spells(staff) == [(Role.CASEWORKER, staff.unit_id, None, None)]


def test_a_move_ends_the_spell_and_opens_one_at_the_new_unit_and_role():
    staff = StaffFactory(role=Role.CASEWORKER)
    home, elsewhere = staff.unit_id, UnitFactory(code="annan")
    staff.unit, staff.role = elsewhere, Role.UNIT_MANAGER
    staff.save()
    (first, second) = _spells(staff)
    assert first[:2] == (Role.CASEWORKER, home) and first[3] is not None
    assert second[:2] == (Role.UNIT_MANAGER, elsewhere.pk) and second[2] == first[3] and second[3] is None


def test_saves_that_change_neither_role_nor_unit_add_nothing():
    staff = StaffFactory(role=Role.COORDINATOR)
    staff.title = "Koordinator"
    staff.save()
    staff.save(update_fields=["last_login"])
    assert len(_spells(staff)) == 1


def test_the_migration_backfills_one_open_spell_per_member_from_their_current_role_and_unit():
    backfill = importlib.import_module("cases.migrations.0011_staff_assignment_periods").backfill
    admin, worker = StaffFactory(role=Role.ADMINISTRATOR, unit=None), StaffFactory(role=Role.CASEWORKER)
    StaffAssignmentPeriod.objects.all().delete()  # as before the migration
    backfill(django_apps, None)
    assert _spells(admin) == [(Role.ADMINISTRATOR, None, None, None)]
    assert _spells(worker) == [(Role.CASEWORKER, worker.unit_id, None, None)]

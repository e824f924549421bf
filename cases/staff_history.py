"""Staff membership over time: a StaffAssignmentPeriod per spell of one role at one unit.

A receiver of Staff's post_save, not a service call: staff are saved by the admin, the import from
a previous system, createsuperuser, the identity provider's sign-in and the tests' factories, and
the history must not depend on each of them remembering. It only records (no rule is decided
here). A QuerySet.update() of role or unit bypasses it: nothing in the project does that.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Staff, StaffAssignmentPeriod

WATCHED = frozenset({"role", "unit", "unit_id"})


def record_staff_period(sender, instance: Staff, created: bool, raw: bool = False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not WATCHED & set(update_fields)):
        return  # a fixture load, or a save of other fields (e.g. last_login at each sign-in)
    with transaction.atomic():
        current = (
            None if created else
            StaffAssignmentPeriod.objects.select_for_update().filter(staff=instance, ended_at__isnull=True).first()
        )
        if current is not None and (current.role, current.unit_id) == (instance.role, instance.unit_id):
            return
        now = timezone.now()
        if current is not None:
            current.ended_at = now
            current.save(update_fields=["ended_at"])
        # The first spell has no start (see the model); a later one starts when the previous ends.
        StaffAssignmentPeriod.objects.create(
            staff=instance, role=instance.role, unit_id=instance.unit_id,
            started_at=None if created or not StaffAssignmentPeriod.objects.filter(staff=instance).exists() else now,
        )
